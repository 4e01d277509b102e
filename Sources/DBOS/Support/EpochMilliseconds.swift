import Foundation

extension Date {
    /// Milliseconds since 1970, the unit of every time DBOS stores.
    var epochMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    /// The time `milliseconds` after 1970.
    init(epochMilliseconds milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}

extension Duration {
    /// The longest wait, timeout or delay the library keeps: a century, which is "forever" for
    /// a workflow. Longer durations (`.seconds(Int64.max)`) are shortened to it, so deadlines
    /// stay within every column, every client's date type and `Task.sleep`.
    static let longestKept = Duration.seconds(100 * 365 * 86_400)

    /// The duration in (fractional) seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// The duration in whole milliseconds (rounded), at most ``longestKept``.
    var milliseconds: Int64 { Duration.clampedMilliseconds(seconds: seconds) }

    /// The duration at most ``longestKept`` (and at least zero).
    var kept: Duration { .milliseconds(Duration.clampedMilliseconds(seconds: max(0, seconds))) }

    /// `seconds` as a duration of at most ``longestKept`` and at least zero.
    static func kept(seconds: Double) -> Duration {
        .milliseconds(clampedMilliseconds(seconds: max(0, seconds)))
    }

    private static func clampedMilliseconds(seconds: Double) -> Int64 {
        let longest = Double(longestKept.components.seconds)
        guard !seconds.isNaN else { return 0 }
        return Int64((min(max(seconds, -longest), longest) * 1000).rounded())
    }
}
