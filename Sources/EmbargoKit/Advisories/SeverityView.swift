/// An advisory's severity as commands and exports show it.
public struct SeverityView: Codable, Sendable, Equatable {
    /// `drupal`, `cvss_v3.0`, `cvss_v3.1` or `cvss_v4.0`.
    public var kind: String
    public var vector: String
    /// `12/25` for Drupal, `9.8` for CVSS.
    public var score: String
    /// Drupal level (`Moderately critical`) or CVSS rating (`Critical`).
    public var rating: String
    /// `Moderately critical 12/25 AC:.../TD:...` or `9.8 Critical CVSS:3.1/...`.
    public var display: String

    public init(kind: String, vector: String, score: String, rating: String, display: String) {
        self.kind = kind
        self.vector = vector
        self.score = score
        self.rating = rating
        self.display = display
    }

    /// "3.0", "3.1" or "4.0" for a CVSS severity, nil for Drupal's.
    public var cvssVersion: String? {
        kind.hasPrefix("cvss_v") ? String(kind.dropFirst("cvss_v".count)) : nil
    }

    /// A short form for tables: `Moderately critical 12/25` or `CVSS 9.8`.
    public var short: String {
        kind == "drupal" ? "\(rating) \(score)" : "CVSS \(score)"
    }
}
