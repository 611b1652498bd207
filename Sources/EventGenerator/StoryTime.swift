/// How a timestamp is written: the offset a producer would send.
enum TimeStyle {
    /// UTC with a `Z` suffix, as laboratory and consent systems send it.
    case utc
    /// Wall-clock time in Wales with its offset (`+00:00` in winter, `+01:00` in summer time).
    case london
    /// No offset at all: invalid per the event contract, used only to make dead-letter cases.
    case withoutOffset
}

/// Fixed calendar arithmetic on Unix seconds, so generated stories never depend on the current clock.
enum StoryTime {
    /// One minute, in seconds.
    static let minute: Int64 = 60
    /// One hour, in seconds.
    static let hour: Int64 = 3_600
    /// One day, in seconds.
    static let day: Int64 = 86_400
    /// 2024-01-01T00:00:00Z, the earliest a story can begin.
    static let storyStart: Int64 = seconds(year: 2024, month: 1, day: 1)
    /// 2026-11-01T00:00:00Z, the story's "now": every event happened before it; appointments may start after it.
    static let now: Int64 = seconds(year: 2026, month: 11, day: 1)

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Unix seconds of midnight UTC on a date.
    static func seconds(year: Int, month: Int, day: Int) -> Int64 {
        days(year: year, month: month, day: day) * Self.day
    }

    /// The date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civil(days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
        let month = Int(shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9)
        let year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// The UK offset from UTC at an instant, in seconds: 3 600 during British Summer Time, else 0.
    ///
    /// Summer time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October.
    static func londonOffset(at instant: Int64) -> Int64 {
        let year = civil(days: floorDivide(instant, day)).year
        let start = lastSunday(year: year, month: 3) * day + hour
        let end = lastSunday(year: year, month: 10) * day + hour
        return instant >= start && instant < end ? hour : 0
    }

    /// `value / divisor` rounded towards negative infinity.
    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor < 0) ? quotient - 1 : quotient
    }

    /// The day count of the last Sunday of a 31-day month.
    private static func lastSunday(year: Int, month: Int) -> Int64 {
        let lastDay = days(year: year, month: month, day: 31)
        // 1970-01-01 was a Thursday: weekday 4 when Sunday is 0.
        let weekday = ((lastDay + 4) % 7 + 7) % 7
        return lastDay - weekday
    }
}
