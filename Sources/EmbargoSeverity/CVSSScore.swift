/// A CVSS score, 0.0 to 10.0 in steps of 0.1.
///
/// Stored as a whole number of tenths so that comparing a score with a
/// published one never depends on floating-point representation.
///
/// ```swift
/// let score = CVSSScore(tenths: 98)
/// score.description   // "9.8"
/// score.rating        // .critical
/// ```
public struct CVSSScore: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The score times ten: 98 for 9.8.
    public let tenths: Int

    public init(tenths: Int) {
        precondition((0...100).contains(tenths), "a CVSS score lies between 0.0 and 10.0")
        self.tenths = tenths
    }

    /// The score as a number, for JSON and arithmetic; 9.8 for 9.8.
    public var value: Double { Double(tenths) / 10 }

    /// The qualitative rating the CVSS specifications assign to this score.
    public var rating: SeverityRating { SeverityRating(score: self) }

    /// Always one decimal place, as the specifications print scores: "10.0", "0.0".
    public var description: String { "\(tenths / 10).\(tenths % 10)" }

    public static func < (lhs: CVSSScore, rhs: CVSSScore) -> Bool { lhs.tenths < rhs.tenths }

    // JSON carries the plain number (9.8), as CVSS JSON schemas and OSV do.
    public init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(Double.self)
        let tenths = (value * 10).rounded()
        guard (0...100).contains(tenths), abs(value * 10 - tenths) < 1e-6 else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "a CVSS score is a number from 0.0 to 10.0 with one decimal"))
        }
        self.tenths = Int(tenths)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// The qualitative severity rating scale shared by CVSS v3.1 and v4.0
/// (v3.1 specification section 5, v4.0 specification table 22).
public enum SeverityRating: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    case none = "None"
    case low = "Low"
    case medium = "Medium"
    case high = "High"
    case critical = "Critical"

    /// None 0.0, Low 0.1-3.9, Medium 4.0-6.9, High 7.0-8.9, Critical 9.0-10.0.
    public init(score: CVSSScore) {
        switch score.tenths {
        case 0: self = .none
        case 1...39: self = .low
        case 40...69: self = .medium
        case 70...89: self = .high
        default: self = .critical
        }
    }

    public static func < (lhs: SeverityRating, rhs: SeverityRating) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
