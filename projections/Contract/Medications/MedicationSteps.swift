import ProjectionCore

/// The order the contract allows medication and allergy events in, kept as rows every read model that handles
/// them writes (`pending_steps`): which step each course, request, prescription and allergy may take next.
///
/// A read model does not read its rows, so an order rule is a row: an event requires its step's row, removes it
/// and adds the next. The engine dead-letters an event whose row is absent (approved after rejected, dispensed
/// before issued, requested after the course stopped), against the rows as they stand before the event,
/// earlier events of the same batch included, as `out-of-order`, which parks its stream: the stream's later
/// events wait behind it until the producer corrects the stream and ops retry or skip.
/// Every read model that handles these events applies the same rule from here, so the timeline and the
/// medications read model never disagree about which events happened.
public enum MedicationSteps {
    /// `pending_steps`, keyed by `(subject_id, step)`.
    public static let table = TableSpec(name: "pending_steps", primaryKey: ["subject_id", "step"])

    /// The DDL of `pending_steps`, put before the read model's own `schema.sql`.
    public static let schemaSQL = """

        CREATE TABLE pending_steps (
            subject_id     text   NOT NULL,
            step           text   NOT NULL
                CHECK (step IN ('medication-active', 'repeat-active', 'request-awaiting-decision', 'request-approved',
                                'prescription-awaiting-dispense', 'allergy-recorded', 'allergy-active')),
            last_position  bigint NOT NULL,
            PRIMARY KEY (subject_id, step)
        );

        COMMENT ON TABLE pending_steps IS
            'Bookkeeping of the read model, not for reports: which next step each medication, repeat request, '
            'prescription and allergy may take. An event whose step is not pending (approved after rejected, '
            'dispensed before issued, requested after stopped) is dead-lettered as out-of-order.';
        COMMENT ON COLUMN pending_steps.subject_id IS 'The id of the medication, request, prescription or allergy.';
        COMMENT ON COLUMN pending_steps.step IS
            'medication-active, repeat-active, request-awaiting-decision, request-approved, '
            'prescription-awaiting-dispense, allergy-recorded or allergy-active.';
        COMMENT ON COLUMN pending_steps.last_position IS 'The global_position of the event that made the step pending.';

        """

    /// What may happen next.
    enum Kind: String {
        case medicationActive = "medication-active"
        case repeatActive = "repeat-active"
        case awaitingDecision = "request-awaiting-decision"
        case approved = "request-approved"
        case awaitingDispense = "prescription-awaiting-dispense"
        case allergyRecorded = "allergy-recorded"
        case allergyActive = "allergy-active"
    }

    // The reasons name the rule, never an id or a patient.
    static let notActive = "medication not prescribed, or stopped"
    static let noActiveRepeat = "no active repeat medication to request"
    static let notAwaitingDecision = "repeat request not awaiting a decision (never requested, or already decided)"
    static let notApproved = "repeat request not approved, or already issued"
    static let notIssued = "prescription not issued, or already dispensed"
    static let allergyNotActive = "allergy not recorded, or not active"
    static let allergyNotRecorded = "allergy not recorded, or already entered in error"

    /// The requirements and step changes `payload` makes, at `position`; none for other event types.
    public static func changes(for payload: some EventPayload, at position: Int64) -> [RowChange] {
        switch payload {
        case let course as MedicationPrescribed:
            var changes = [open(course.medicationID, .medicationActive, at: position)]
            if course.kind == .repeat { changes.append(open(course.medicationID, .repeatActive, at: position)) }
            return changes
        case let stop as MedicationStopped:
            return take(stop.medicationID, .medicationActive, notActive) + [close(stop.medicationID, .repeatActive)]
        case let request as RepeatPrescriptionRequested:
            return [
                require(request.medicationID, .repeatActive, noActiveRepeat),
                open(request.requestID, .awaitingDecision, at: position),
            ]
        case let approval as RepeatPrescriptionApproved:
            return take(approval.requestID, .awaitingDecision, notAwaitingDecision)
                + [open(approval.requestID, .approved, at: position)]
        case let rejection as RepeatPrescriptionRejected:
            return take(rejection.requestID, .awaitingDecision, notAwaitingDecision)
        case let issue as PrescriptionIssued:
            var changes = [require(issue.medicationID, .medicationActive, notActive)]
            if let requestID = issue.requestID { changes += take(requestID, .approved, notApproved) }
            return changes + [open(issue.prescriptionID, .awaitingDispense, at: position)]
        case let dispensed as PrescriptionDispensed:
            return take(dispensed.prescriptionID, .awaitingDispense, notIssued)
        case let allergy as AllergyRecorded:
            return [
                open(allergy.allergyID, .allergyRecorded, at: position),
                open(allergy.allergyID, .allergyActive, at: position),
            ]
        case let resolved as AllergyResolved:
            return take(resolved.allergyID, .allergyActive, allergyNotActive)
        case let mistake as AllergyEnteredInError:
            return take(mistake.allergyID, .allergyRecorded, allergyNotRecorded) + [
                close(mistake.allergyID, .allergyActive)
            ]
        default:
            return []
        }
    }

    private static func key(_ subjectID: String, _ kind: Kind) -> [SQLValue] {
        [.text(subjectID), .text(kind.rawValue)]
    }

    private static func open(_ subjectID: String, _ kind: Kind, at position: Int64) -> RowChange {
        .upsert(table.name, key: key(subjectID, kind), ["last_position": .int(position)])
    }

    private static func require(_ subjectID: String, _ kind: Kind, _ reason: String) -> RowChange {
        .require(table.name, key: key(subjectID, kind), because: reason, category: .outOfOrder)
    }

    private static func close(_ subjectID: String, _ kind: Kind) -> RowChange {
        .delete(table.name, key: key(subjectID, kind))
    }

    /// Requires the step, then takes it: it is no longer pending.
    private static func take(_ subjectID: String, _ kind: Kind, _ reason: String) -> [RowChange] {
        [require(subjectID, kind, reason), close(subjectID, kind)]
    }
}

extension EventHandlers {
    /// These handlers and one for `Payload.eventType`, whose changes come with the contract's order rules for it
    /// (`MedicationSteps`): what every read model handling medication and allergy events registers them with.
    public func inOrder<Payload: EventPayload>(
        _ type: Payload.Type,
        _ handle: @escaping @Sendable (Owner, Decoded<Payload>, Int64) -> [RowChange]
    ) -> Self {
        on(type) { owner, event, position in
            MedicationSteps.changes(for: event.payload, at: position) + handle(owner, event, position)
        }
    }
}
