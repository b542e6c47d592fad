/// An advisory as the CLI's JSON shows it: its fields, plus its severities
/// under `severity`.
///
/// ```swift
/// let views = zip(advisories, SeverityView.all(for: advisories)).map(AdvisoryView.init)
/// let json = try JSONEncoder().encode(views)
/// ```
public struct AdvisoryView: Encodable, Sendable {
    public let advisory: Advisory
    public let severity: [SeverityView]

    public init(_ advisory: Advisory) {
        self.init(advisory, severity: SeverityView.all(for: advisory))
    }

    /// With severities already computed, as `SeverityView.all(for:)` computes a list's.
    public init(_ advisory: Advisory, severity: [SeverityView]) {
        self.advisory = advisory
        self.severity = severity
    }

    enum Keys: String, CodingKey { case severity }

    public func encode(to encoder: any Encoder) throws {
        try advisory.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(severity, forKey: .severity)
    }
}
