/// One deliberate defect in an event's payload that a projection must dead-letter.
enum Corruption: Equatable {
    /// The event is valid.
    case none
    /// `nhsNumber` keeps its first nine digits but gets a wrong check digit: (check + shift) mod 10, shift 1…9.
    case wrongCheckDigit(shift: Int)
    /// A required top-level field is left out.
    case omitField(String)
    /// A required timestamp field is written without an offset (`2025-03-14T09:30:00`).
    case timestampWithoutOffset(String)
}

/// Decides, from the seed and an event's place in its patient's story alone, whether and how to damage it.
///
/// The decision uses a hash rather than the patient's random stream, so changing `invalidFraction` changes only
/// the chosen events and leaves every other byte of the output as it was.
struct InvalidEventPlan {
    /// The generator's seed.
    let seed: UInt64
    /// The share of non-registration events to damage, 0…1.
    let fraction: Double

    /// The defect for the `ordinal`-th event (0-based, in the order the story creates them) of patient `patient`.
    ///
    /// `PatientRegistered` is never damaged, so every stream's patient exists.
    func corruption(for type: EventType, schemaVersion: Int, patient: Int, ordinal: Int) -> Corruption {
        guard fraction > 0, type != .patientRegistered else { return .none }
        var hash = splitMix64(seed ^ 0x3C6E_F372_FE94_F82B)
        hash = splitMix64(hash &+ UInt64(patient) &* 0x9E37_79B9_7F4A_7C15)
        hash = splitMix64(hash ^ UInt64(ordinal) &* 0xD1B5_4A32_D192_ED03)
        guard Double(hash >> 11) * 0x1.0p-53 < fraction else { return .none }
        let choice = splitMix64(hash)
        let timestamps = type.requiredTimestampKeys
        let kinds: UInt64 = timestamps.isEmpty ? 2 : 3
        switch choice % kinds {
        case 0:
            return .wrongCheckDigit(shift: 1 + Int((choice >> 8) % 9))
        case 1:
            let keys = type.requiredKeys(schemaVersion: schemaVersion)
            return .omitField(keys[Int((choice >> 8) % UInt64(keys.count))])
        default:
            return .timestampWithoutOffset(timestamps[Int((choice >> 8) % UInt64(timestamps.count))])
        }
    }
}
