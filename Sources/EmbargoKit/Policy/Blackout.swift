import EmbargoStore
import Foundation

/// Whole UTC days on which a project releases nothing: holidays, a freeze.
///
/// ```swift
/// let holidays = try Blackout.parse("2026-12-24..2027-01-02")
/// holidays.contains(Timestamp.parse("2026-12-25T16:00:00Z")!)  // true
/// ```
public struct Blackout: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The first and last day (both included), `YYYY-MM-DD`; text order is date order.
    public let first: String
    public let last: String

    /// The longest blackout accepted: a longer one is not a holiday but a project on hold.
    public static let maximumDays = 366

    /// Reads `2026-12-24..2027-01-02` or a single day, `2026-12-25`.
    public static func parse(_ text: String) throws -> Blackout {
        let parts = text.components(separatedBy: "..")
        guard parts.count == 1 || parts.count == 2 else { throw notARange(text) }
        let days = try parts.map { try day($0.trimmingCharacters(in: .whitespaces), in: text) }
        let blackout = Blackout(first: days[0], last: days[days.count - 1])
        guard blackout.first <= blackout.last else {
            throw EmbargoError(.usage, "the blackout \(text) ends before it starts", hint: "write the first day first: \(blackout.last)..\(blackout.first)")
        }
        guard blackout.dayCount <= maximumDays else {
            throw EmbargoError(.usage, "the blackout \(text) is longer than \(maximumDays) days",
                               hint: "a blackout is for holidays and freezes; give each one as its own --blackout")
        }
        return blackout
    }

    /// The days as numbers since 1970-01-01, which the next-window search compares.
    private let firstNumber: Int
    private let lastNumber: Int

    /// A blackout from stored days (already checked when they were set).
    init(first: String, last: String) {
        self.first = first
        self.last = last
        firstNumber = Self.number(first)
        lastNumber = Self.number(last)
    }

    enum CodingKeys: String, CodingKey { case first, last }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(first: try container.decode(String.self, forKey: .first), last: try container.decode(String.self, forKey: .last))
    }

    /// Whether `date` falls on one of the blackout's days (UTC).
    public func contains(_ date: Date) -> Bool {
        let day = Int((date.timeIntervalSince1970 / 86400).rounded(.down))
        return firstNumber <= day && day <= lastNumber
    }

    /// 00:00 UTC of the first day.
    public var start: Date { Date(timeIntervalSince1970: Double(firstNumber) * 86400) }
    /// 00:00 UTC of the day after the last one: the first moment out of the blackout.
    public var end: Date { Date(timeIntervalSince1970: Double(lastNumber + 1) * 86400) }

    var dayCount: Int { lastNumber - firstNumber + 1 }

    /// Days since 1970-01-01 of a checked `YYYY-MM-DD` (the inverse of `day(of:)`).
    private static func number(_ text: String) -> Int {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return 0 }
        let (y0, m, d) = (parts[0], parts[1], parts[2])
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public var description: String { first == last ? first : "\(first)..\(last)" }

    public static func < (a: Blackout, b: Blackout) -> Bool { (a.first, a.last) < (b.first, b.last) }

    /// The blackout that holds `date`, if any.
    public static func covering(_ date: Date, in blackouts: [Blackout]) -> Blackout? {
        blackouts.first { $0.contains(date) }
    }

    /// `YYYY-MM-DD` of `date` in UTC.
    static func day(of date: Date) -> String {
        let days = Int((date.timeIntervalSince1970 / 86400).rounded(.down))
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm): exact, no
        // Calendar or formatter, which the next-window search calls many times.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    private static func day(_ text: String, in whole: String) throws -> String {
        guard let match = text.wholeMatch(of: /([0-9]{4})-([0-9]{2})-([0-9]{2})/) else { throw notARange(whole) }
        try LocalTime.checkCalendar(text, year: Int(match.1)!, month: Int(match.2)!, day: Int(match.3)!)
        return text
    }

    private static func notARange(_ text: String) -> EmbargoError {
        EmbargoError(.usage, "'\(text.prefix(60))' is not a day or a range of days",
                     hint: "write 2026-12-25, or 2026-12-24..2027-01-02 for several days (UTC, both included)")
    }
}
