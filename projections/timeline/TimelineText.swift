import ProjectionContract

/// The fixed English and Welsh wording of the timeline, in one place for translators to review.
///
/// Titles name what the entry is; summaries say what happened last. Producer text without Welsh
/// falls back to English and marks the entry (`cy_fallback`); names of people, organisations and
/// specialties are shown as the producer gives them and are not counted as a fallback.
enum TimelineText {
    // MARK: Appointments

    /// `Appointment: <clinic>`.
    static func appointmentTitle(clinic: BilingualText) -> BilingualText {
        fixed("Appointment: ", "Apwyntiad: ") + clinic
    }

    /// `Booked · Video · <specialty>`.
    static func appointmentBooked(mode: AppointmentMode, specialty: String) -> BilingualText {
        booked + separator + modeName(mode) + separator + verbatim(specialty)
    }

    /// The state after `AppointmentBooked`.
    static let booked = fixed("Booked", "Wedi'i drefnu")
    /// The state after `AppointmentRescheduled`.
    static let rescheduled = fixed("Rescheduled", "Wedi'i aildrefnu")
    /// The state after `AppointmentAttended`.
    static let attended = fixed("Attended", "Wedi mynychu")
    /// The state after `AppointmentMissed` (did not attend).
    static let missed = fixed("Missed (did not attend)", "Heb fynychu")

    /// Who cancelled, in the patient's terms.
    static func cancelled(by party: CancelledBy) -> BilingualText {
        switch party {
        case .patient: fixed("Cancelled at your request", "Wedi'i ganslo ar eich cais")
        case .provider: fixed("Cancelled by the provider", "Wedi'i ganslo gan y darparwr")
        }
    }

    /// How the appointment takes place.
    static func modeName(_ mode: AppointmentMode) -> BilingualText {
        switch mode {
        case .inPerson: fixed("In person", "Wyneb yn wyneb")
        case .video: fixed("Video", "Fideo")
        case .telephone: fixed("Telephone", "Dros y ffôn")
        }
    }

    // MARK: Tests and results

    /// `Test ordered: <test>`.
    static func orderTitle(test: BilingualText) -> BilingualText {
        fixed("Test ordered: ", "Prawf wedi'i archebu: ") + test
    }

    /// `Ordered by <clinician or organisation>`.
    static func orderedBy(_ name: String) -> BilingualText {
        fixed("Ordered by ", "Wedi'i archebu gan ") + verbatim(name)
    }

    /// `Test result: <test>`.
    static func resultTitle(test: BilingualText) -> BilingualText {
        fixed("Test result: ", "Canlyniad prawf: ") + test
    }

    /// `5.4 mmol/L (normal)`; no interpretation when it is `unknown` (upcast version 1 results).
    static func resultSummary(value: ResultValue, unit: String?, interpretation: Interpretation) -> BilingualText {
        var summary = verbatim(unit.map { "\(value.text) \($0)" } ?? value.text)
        if let reading = interpretationName(interpretation) {
            summary = summary + fixed(" (", " (") + reading + fixed(")", ")")
        }
        return summary
    }

    /// How the result reads against its range; nil for `unknown`, which says nothing to a patient.
    static func interpretationName(_ interpretation: Interpretation) -> BilingualText? {
        switch interpretation {
        case .normal: fixed("normal", "arferol")
        case .low: fixed("low", "isel")
        case .high: fixed("high", "uchel")
        case .abnormal: fixed("abnormal", "annormal")
        case .critical: fixed("critical", "critigol")
        case .unknown: nil
        }
    }

    // MARK: Journal and registration

    /// The title of every journal entry.
    static let journalTitle = fixed("Journal entry", "Cofnod dyddiadur")

    /// `Registered with <GP practice>`.
    static func registrationTitle(practice: String) -> BilingualText {
        fixed("Registered with ", "Wedi cofrestru gyda ") + verbatim(practice)
    }

    /// `Preferred language: Welsh`.
    static func preferredLanguage(_ language: Language) -> BilingualText {
        let name =
            switch language {
            case .en: fixed("English", "Saesneg")
            case .cy: fixed("Welsh", "Cymraeg")
            }
        return fixed("Preferred language: ", "Iaith ddewisol: ") + name
    }

    // MARK: Medications and allergies

    /// `Medicine prescribed: <medicine>`.
    static func medicationTitle(medicine: BilingualText) -> BilingualText {
        fixed("Medicine prescribed: ", "Meddyginiaeth wedi'i rhagnodi: ") + medicine
    }

    /// A repeat prescription request.
    static let repeatRequestTitle = fixed("Repeat prescription requested", "Cais am bresgripsiwn amlroddadwy")

    /// `Requested in the app` (or by the pharmacy, or at the practice).
    static func requested(via channel: RequestChannel) -> BilingualText {
        switch channel {
        case .app: fixed("Requested in the app", "Gofynnwyd amdano yn yr ap")
        case .pharmacy: fixed("Requested by your pharmacy", "Gofynnwyd amdano gan eich fferyllfa")
        case .practice: fixed("Requested at your GP practice", "Gofynnwyd amdano yn eich meddygfa")
        }
    }

    /// `Approved by <practice>`.
    static func approvedBy(_ name: String) -> BilingualText {
        fixed("Approved by ", "Wedi'i gymeradwyo gan ") + verbatim(name)
    }

    /// `Not approved: <reason>`.
    static func rejected(_ reason: BilingualText) -> BilingualText {
        fixed("Not approved: ", "Heb ei gymeradwyo: ") + reason
    }

    /// A prescription sent to be dispensed.
    static let prescriptionTitle = fixed("Prescription issued", "Presgripsiwn wedi'i roi")

    /// `To be collected from <pharmacy>`, or that it can be collected from any pharmacy.
    static func collection(from pharmacy: String?) -> BilingualText {
        guard let pharmacy else { return fixed("Any pharmacy", "Unrhyw fferyllfa") }
        return fixed("Nominated pharmacy: ", "Fferyllfa enwebedig: ") + verbatim(pharmacy)
    }

    /// `Dispensed by <pharmacy>`.
    static func dispensedBy(_ name: String) -> BilingualText {
        fixed("Dispensed by ", "Wedi'i roi gan ") + verbatim(name)
    }

    /// `Allergy: <substance>`.
    static func allergyTitle(substance: BilingualText) -> BilingualText {
        fixed("Allergy: ", "Alergedd: ") + substance
    }

    /// `Severe · Rash`: the severity and, when known, the reaction.
    static func allergySummary(severity: AllergySeverity, reaction: BilingualText?) -> BilingualText {
        let name =
            switch severity {
            case .mild: fixed("Mild", "Ysgafn")
            case .moderate: fixed("Moderate", "Cymedrol")
            case .severe: fixed("Severe", "Difrifol")
            }
        guard let reaction else { return name }
        return name + separator + reaction
    }

    // MARK: Building blocks

    /// Between the parts of a summary.
    static let separator = fixed(" · ", " · ")

    /// Wording of the app, translated.
    static func fixed(_ en: String, _ cy: String) -> BilingualText {
        BilingualText(en: en, cy: cy)
    }

    /// A name shown as the producer gives it in both languages: not a fallback.
    static func verbatim(_ text: String) -> BilingualText {
        BilingualText(en: text, cy: text)
    }
}

extension BilingualText {
    /// The two texts joined language by language; Welsh fell back if it fell back in either part.
    static func + (lhs: BilingualText, rhs: BilingualText) -> BilingualText {
        var joined = BilingualText(en: lhs.en + rhs.en, cy: lhs.cy + rhs.cy)
        joined.cyIsFallback = lhs.cyIsFallback || rhs.cyIsFallback
        return joined
    }
}
