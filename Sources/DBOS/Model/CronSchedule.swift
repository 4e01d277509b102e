public import Foundation

/// A cron expression, read the way DBOS Python reads it (croniter with
/// `second_at_beginning=True`):
///
/// - 5 fields: `minute hour day-of-month month day-of-week` (second 0);
/// - 6 fields: `second minute hour day-of-month month day-of-week` (seconds first).
///
/// Each field takes `*`, numbers, lists (`1,5,9`), ranges (`1-5`, wrapping ranges such as
/// `fri-mon`), steps (`*/5`, `1-10/2`, `10/5`), month names (`jan`...`dec`) and weekday names
/// (`sun`...`sat`; `0` and `7` are Sunday); `?` means `*` in the two day fields. The aliases
/// `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight` and `@hourly` are
/// accepted. When both day-of-month and day-of-week are restricted, a day matches either
/// (the cron OR rule).
///
/// ```swift
/// let everyFiveSeconds = try CronSchedule("*/5 * * * * *")
/// let next = everyFiveSeconds.next(after: Date())
/// ```
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
    /// The expression as written.
    public let expression: String
    /// The time zone the fields are read in (default UTC).
    public let timeZone: TimeZone

    let seconds: FieldSet
    let minutes: FieldSet
    let hours: FieldSet
    let daysOfMonth: FieldSet
    let months: FieldSet
    let daysOfWeek: FieldSet
    /// Both day fields are restricted: a day matching either one matches.
    let dayOr: Bool

    /// Parses `expression`; throws ``DBOSError/Code/invalidArgument`` naming the field and the
    /// value that is wrong.
    public init(_ expression: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!) throws {
        self.expression = expression
        self.timeZone = timeZone
        let trimmed = expression.trimmingCharacters(in: .whitespaces).lowercased()
        let text = Self.aliases[trimmed] ?? trimmed
        var fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 || fields.count == 6 else {
            throw DBOSError.invalidArgument(
                "cron '\(expression)': expected 5 fields (minute hour day-of-month month day-of-week) "
                    + "or 6 (second first), found \(fields.count)")
        }
        if fields.count == 5 { fields.insert("0", at: 0) }
        func parse(_ index: Int) throws -> FieldSet {
            try FieldSet(fields[index], kind: CronField.allCases[index], expression: expression)
        }
        seconds = try parse(0)
        minutes = try parse(1)
        hours = try parse(2)
        daysOfMonth = try parse(3)
        months = try parse(4)
        daysOfWeek = try parse(5)
        // As croniter: a day field counts as unrestricted when it covers its whole range,
        // unless the other day field is written without any `*`.
        let domText = fields[3], dowText = fields[5]
        let domAll = daysOfMonth.coversAll && dowText.contains("*") || domText == "*" || domText == "?"
        let dowAll = daysOfWeek.coversAll && domText.contains("*") || dowText == "*" || dowText == "?"
        dayOr = !domAll && !dowAll
    }

    public var description: String { expression }

    public static func == (lhs: CronSchedule, rhs: CronSchedule) -> Bool {
        lhs.expression == rhs.expression && lhs.timeZone.identifier == rhs.timeZone.identifier
    }

    private static let aliases: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// The first time strictly after `date` (whole seconds) that matches, or nil when none
    /// exists within 400 years (for example `0 0 30 2 *`, February 30th).
    ///
    /// Computed field by field: an unmatched month, day, hour or minute is skipped whole.
    public func next(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = Date(timeIntervalSince1970: (date.timeIntervalSince1970).rounded(.down) + 1)
        var wall = WallTime(calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: start))
        let lastYear = wall.year + 400
        while wall.year <= lastYear {
            guard let month = months.first(atLeast: wall.month) else {
                wall = WallTime(year: wall.year + 1, month: 1, day: 1)
                continue
            }
            if month != wall.month {
                wall = WallTime(year: wall.year, month: month, day: 1)
                continue
            }
            if wall.day > daysIn(month: wall.month, year: wall.year, calendar) || !dayMatches(wall, calendar) {
                wall.advanceDay(daysInMonth: daysIn(month: wall.month, year: wall.year, calendar))
                continue
            }
            guard let hour = hours.first(atLeast: wall.hour) else {
                wall.advanceDay(daysInMonth: daysIn(month: wall.month, year: wall.year, calendar))
                continue
            }
            if hour != wall.hour {
                (wall.hour, wall.minute, wall.second) = (hour, 0, 0)
                continue
            }
            guard let minute = minutes.first(atLeast: wall.minute) else {
                wall.advanceHour(daysInMonth: daysIn(month: wall.month, year: wall.year, calendar))
                continue
            }
            if minute != wall.minute {
                (wall.minute, wall.second) = (minute, 0)
                continue
            }
            guard let second = seconds.first(atLeast: wall.second) else {
                wall.advanceMinute(daysInMonth: daysIn(month: wall.month, year: wall.year, calendar))
                continue
            }
            wall.second = second
            guard let candidate = calendar.date(from: wall.components) else { return nil }
            let actual = WallTime(calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: candidate))
            if actual == wall, candidate > date { return candidate }
            // The wall time does not exist (a daylight-saving gap): go on from the time it maps to.
            if actual > wall { wall = actual } else { wall.advanceSecond(daysInMonth: daysIn(month: wall.month, year: wall.year, calendar)) }
        }
        return nil
    }

    private func dayMatches(_ wall: WallTime, _ calendar: Calendar) -> Bool {
        let inMonth = daysOfMonth.contains(wall.day)
        if inMonth == dayOr { return inMonth }
        let weekday = (calendar.component(.weekday, from: calendar.date(from: DateComponents(
            year: wall.year, month: wall.month, day: wall.day, hour: 12)) ?? Date()) - 1)
        let inWeek = daysOfWeek.contains(weekday)
        return dayOr ? (inMonth || inWeek) : (inMonth && inWeek)
    }

    private func daysIn(month: Int, year: Int, _ calendar: Calendar) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `2026-11-30T01:10:05+00:00`: Python's `datetime.isoformat()` of `date` in this
    /// schedule's time zone (no fractional part for whole seconds), as used in scheduled
    /// workflow IDs.
    public func isoformat(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        func pad(_ value: Int?, _ width: Int = 2) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(pad(parts.year, 4))-\(pad(parts.month))-\(pad(parts.day))T\(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second))"
        let micros = ((parts.nanosecond ?? 0) + 500) / 1000
        if micros > 0 && micros < 1_000_000 { text += "." + pad(micros, 6) }
        let offset = timeZone.secondsFromGMT(for: date)
        text += (offset < 0 ? "-" : "+") + pad(abs(offset) / 3600) + ":" + pad(abs(offset) % 3600 / 60)
        return text
    }
}

/// The six cron fields, in the order of a 6-field expression.
enum CronField: String, CaseIterable, Sendable {
    case second, minute, hour, dayOfMonth = "day-of-month", month, dayOfWeek = "day-of-week"

    var range: ClosedRange<Int> {
        switch self {
        case .second, .minute: return 0...59
        case .hour: return 0...23
        case .dayOfMonth: return 1...31
        case .month: return 1...12
        case .dayOfWeek: return 0...7
        }
    }

    var names: [String] {
        switch self {
        case .month: return ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        case .dayOfWeek: return ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        default: return []
        }
    }

    /// The first value of `names` (January is 1, Sunday is 0).
    var nameBase: Int { self == .month ? 1 : 0 }
}

/// The values one cron field allows, as a bit set.
struct FieldSet: Sendable, Equatable {
    private(set) var bits: UInt64 = 0
    let kind: CronField

    func contains(_ value: Int) -> Bool { value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0 }

    /// The smallest allowed value at least `value`, if any.
    func first(atLeast value: Int) -> Int? {
        guard value < 64 else { return nil }
        let remaining = bits >> UInt64(max(0, value))
        return remaining == 0 ? nil : max(0, value) + remaining.trailingZeroBitCount
    }

    /// Every value of the field's range is allowed (Sunday counted once).
    var coversAll: Bool {
        let range = kind == .dayOfWeek ? 0...6 : kind.range
        return range.allSatisfy(contains)
    }

    init(_ text: String, kind: CronField, expression: String) throws {
        self.kind = kind
        func fail(_ reason: String) -> DBOSError {
            .invalidArgument("cron '\(expression)': field '\(kind.rawValue)' \(reason)")
        }
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            if item == "?" {
                guard kind == .dayOfMonth || kind == .dayOfWeek else { throw fail("'?' is only allowed in the day fields") }
                insert(range: kind.range, step: 1)
                continue
            }
            guard !item.isEmpty else { throw fail("has an empty list item in '\(text)'") }
            let (rangeText, stepText) = Self.splitStep(item)
            var step = 1
            if let stepText {
                guard let parsed = Int(stepText), parsed > 0 else { throw fail("step '\(stepText)' must be a positive number") }
                step = parsed
            }
            let low: Int, high: Int
            if rangeText == "*" {
                (low, high) = (kind.range.lowerBound, kind.range.upperBound)
            } else if let dash = rangeText.firstIndex(of: "-"), dash != rangeText.startIndex {
                low = try Self.value(String(rangeText[..<dash]), kind, fail)
                high = try Self.value(String(rangeText[rangeText.index(after: dash)...]), kind, fail)
            } else {
                low = try Self.value(rangeText, kind, fail)
                high = stepText == nil ? low : kind.range.upperBound
            }
            if low <= high {
                insert(range: low...high, step: step)
            } else {
                // A wrapping range such as `fri-mon` or `22-2`: continue the step across the end.
                var current = low
                let size = kind.range.count - (kind == .dayOfWeek ? 1 : 0)
                let stop = high + size
                while current <= stop {
                    insert(current > (kind == .dayOfWeek ? 6 : kind.range.upperBound) ? current - size : current)
                    current += step
                }
            }
        }
    }

    private static func splitStep(_ item: String) -> (String, String?) {
        guard let slash = item.firstIndex(of: "/") else { return (item, nil) }
        return (String(item[..<slash]), String(item[item.index(after: slash)...]))
    }

    private static func value(_ text: String, _ kind: CronField, _ fail: (String) -> DBOSError) throws -> Int {
        if let index = kind.names.firstIndex(of: text) { return index + kind.nameBase }
        guard !text.isEmpty, text.allSatisfy(\.isASCII), let number = Int(text) else {
            if text.contains("#") || text == "l" || ((text.hasSuffix("l") || text.hasSuffix("w")) && Int(text.dropLast()) != nil) {
                throw fail("uses '\(text)', which is not supported (no L, W or # forms)")
            }
            let hint = kind.names.isEmpty ? "" : " or a name (\(kind.names.first!)...\(kind.names.last!))"
            throw fail("value '\(text)' is not a number\(hint)")
        }
        guard kind.range.contains(number) else {
            throw fail("value \(number) out of range \(kind.range.lowerBound)-\(kind.range.upperBound)")
        }
        return number
    }

    private mutating func insert(range: ClosedRange<Int>, step: Int) {
        for value in stride(from: range.lowerBound, through: range.upperBound, by: step) { insert(value) }
    }

    private mutating func insert(_ value: Int) {
        // Sunday is both 0 and 7.
        let stored = kind == .dayOfWeek && value == 7 ? 0 : value
        bits |= 1 << UInt64(stored)
    }
}

/// Calendar fields of a local time, compared in order.
struct WallTime: Comparable, Sendable {
    var year: Int, month: Int, day: Int, hour = 0, minute = 0, second = 0

    init(year: Int, month: Int, day: Int) {
        (self.year, self.month, self.day) = (year, month, day)
    }

    init(_ components: DateComponents) {
        (year, month, day) = (components.year ?? 1970, components.month ?? 1, components.day ?? 1)
        (hour, minute, second) = (components.hour ?? 0, components.minute ?? 0, components.second ?? 0)
    }

    var components: DateComponents {
        DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    private var ordered: [Int] { [year, month, day, hour, minute, second] }
    static func < (lhs: WallTime, rhs: WallTime) -> Bool { lhs.ordered.lexicographicallyPrecedes(rhs.ordered) }

    mutating func advanceDay(daysInMonth: Int) {
        (hour, minute, second) = (0, 0, 0)
        day += 1
        if day > daysInMonth {
            day = 1
            month += 1
            if month > 12 { (month, year) = (1, year + 1) }
        }
    }

    mutating func advanceHour(daysInMonth: Int) {
        (minute, second) = (0, 0)
        hour += 1
        if hour > 23 { advanceDay(daysInMonth: daysInMonth) }
    }

    mutating func advanceMinute(daysInMonth: Int) {
        second = 0
        minute += 1
        if minute > 59 { advanceHour(daysInMonth: daysInMonth) }
    }

    mutating func advanceSecond(daysInMonth: Int) {
        second += 1
        if second > 59 { advanceMinute(daysInMonth: daysInMonth) }
    }
}
