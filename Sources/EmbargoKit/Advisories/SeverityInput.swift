import EmbargoStore
import Foundation

/// Checks severity vectors given on the command line with the scoring in
/// Severity/, and keeps them in their canonical form.
enum SeverityInput {
    enum CVSSVersion: Equatable {
        /// CVSS 3.1 or 3.0, kept in the one v3 column.
        case v3(String)
        case v40(String)
    }

    static func normalizedRisk(_ vector: String) throws -> String {
        try DrupalRisk(parsing: vector).vector
    }

    static func normalizedCVSS(_ vector: String) throws -> CVSSVersion {
        switch try Severity(parsing: vector) {
        case .cvss3(let cvss): return .v3(cvss.normalizedVector)
        case .cvss40(let cvss): return .v40(cvss.normalizedVector)
        }
    }
}

extension SeverityView {
    /// The severities recorded on an advisory: Drupal risk first, then CVSS 4.0, then 3.1.
    public static func all(for advisory: Advisory) -> [SeverityView] {
        var scored = ScoredVectors()
        return scored.severities(of: advisory)
    }

    /// The severities of each advisory, in the same order. Stores repeat the
    /// same few vectors; each distinct one is parsed and scored once, which made
    /// scoring 10,000 advisories for `advisory list` some twenty times faster.
    ///
    /// ```swift
    /// let severities = SeverityView.all(for: advisories)
    /// severities[0].first?.display   // "Moderately critical 12/25 AC:Basic/…"
    /// ```
    public static func all(for advisories: [Advisory]) -> [[SeverityView]] {
        var scored = ScoredVectors()
        return advisories.map { scored.severities(of: $0) }
    }
}

/// The views of the vectors seen so far, by their exact text. Scoring is a
/// function of the text alone, so a repeated vector gets the view scored first.
struct ScoredVectors {
    private var risks: [ExactText: SeverityView?] = [:]
    private var cvss: [ExactText: SeverityView?] = [:]

    mutating func severities(of advisory: Advisory) -> [SeverityView] {
        var result: [SeverityView] = []
        if let vector = advisory.riskVector, let view = risk(vector) {
            result.append(view)
        }
        if let vector = advisory.cvss40Vector, let view = cvss(vector) {
            result.append(view)
        }
        if let vector = advisory.cvss31Vector, let view = cvss(vector) {
            result.append(view)
        }
        return result
    }

    /// Nil for a vector that does not parse: it is left out, as before.
    private mutating func risk(_ vector: String) -> SeverityView? {
        if let known = risks[ExactText(vector)] { return known }
        let view = (try? DrupalRisk(parsing: vector)).map { risk in
            SeverityView(kind: "drupal", vector: risk.vector, score: "\(risk.score)/\(DrupalRisk.maximumScore)",
                         rating: risk.level.rawValue, display: risk.display)
        }
        risks[ExactText(vector)] = .some(view)
        return view
    }

    private mutating func cvss(_ vector: String) -> SeverityView? {
        if let known = cvss[ExactText(vector)] { return known }
        let view = (try? Severity(parsing: vector)).map { severity in
            let rating = severity.score.rating.rawValue
            return SeverityView(kind: "cvss_v\(severity.version)", vector: severity.vector, score: severity.score.description,
                                rating: rating, display: "\(severity.score) \(rating) \(severity.vector)")
        }
        cvss[ExactText(vector)] = .some(view)
        return view
    }
}

/// A string compared and hashed by its UTF-8 bytes. String's own `==` holds
/// canonically equivalent texts equal ("é" and "e\u{301}"), and a vector's
/// view repeats the vector's text.
struct ExactText: Hashable {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    static func == (lhs: ExactText, rhs: ExactText) -> Bool {
        guard lhs.text.utf8.count == rhs.text.utf8.count else { return false }
        return lhs.text.withUTF8Buffer { left in
            rhs.text.withUTF8Buffer { right in
                guard let a = left.baseAddress, let b = right.baseAddress else { return left.count == right.count }
                return memcmp(a, b, left.count) == 0
            }
        }
    }

    func hash(into hasher: inout Hasher) {
        text.withUTF8Buffer { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
