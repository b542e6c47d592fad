import EmbargoErrors

/// A CVSS vector of either version embargo accepts, told apart by its prefix.
///
/// ```swift
/// let severity = try Severity(parsing: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
/// severity.version    // "3.1"
/// severity.score      // 9.8
/// severity.display    // "9.8 Critical CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
/// ```
public enum Severity: Sendable, Hashable, CustomStringConvertible {
    case cvss3(CVSS3)
    case cvss40(CVSS40)

    /// Parses a `CVSS:3.1/`, `CVSS:3.0/` or `CVSS:4.0/` vector. A 3.0 vector is
    /// scored with 3.0's formulas and keeps its version everywhere it is shown;
    /// CVSS 2.0 has other metrics altogether and is refused.
    ///
    /// - Throws: `EmbargoError` (`.usage`) saying what is wrong, naming the metric at fault.
    public init(parsing text: String) throws {
        let vector = VectorSyntax.trimmed(text)
        let supported = "embargo reads CVSS 3.0, 3.1 and 4.0 vectors, starting with \(CVSS3.prefix30), \(CVSS3.prefix) or \(CVSS40.prefix)"
        switch VectorSyntax.cvssVersionPrefix(of: vector) {
        case CVSS3.prefix, CVSS3.prefix30:
            self = .cvss3(try CVSS3(parsing: vector))
        case CVSS40.prefix:
            self = .cvss40(try CVSS40(parsing: vector))
        case let version?:
            throw EmbargoError(.usage, "invalid CVSS vector: unsupported version '\(version.dropLast())'",
                               hint: supported)
        case nil:
            // A CVSS v2 vector has no prefix at all ("AV:N/AC:L/Au:N/...").
            let detail = vector.isEmpty ? "empty" : "missing the CVSS:3.1/, CVSS:3.0/ or CVSS:4.0/ prefix"
            throw EmbargoError(.usage, "invalid CVSS vector: \(detail)", hint: supported)
        }
    }

    /// "3.0", "3.1" or "4.0".
    public var version: String {
        switch self {
        case .cvss3(let cvss): cvss.version
        case .cvss40: "4.0"
        }
    }

    /// The vector as given, without surrounding whitespace.
    public var vector: String {
        switch self {
        case .cvss3(let cvss): cvss.vector
        case .cvss40(let cvss): cvss.vector
        }
    }

    /// The score an advisory publishes: the base score for CVSS 3.1 (its
    /// temporal and environmental scores are on `CVSS3`), the CVSS-B/BT/BE/BTE
    /// score for CVSS 4.0.
    public var score: CVSSScore {
        switch self {
        case .cvss3(let cvss): cvss.baseScore
        case .cvss40(let cvss): cvss.score
        }
    }

    public var rating: SeverityRating { score.rating }

    /// `9.8 Critical CVSS:3.1/AV:N/…`.
    public var display: String { "\(score) \(rating.rawValue) \(vector)" }

    public var description: String { display }
}
