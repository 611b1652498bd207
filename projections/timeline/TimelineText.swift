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
