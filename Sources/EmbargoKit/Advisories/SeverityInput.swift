import EmbargoStore

/// Checks severity vectors given on the command line with the scoring in
/// Severity/, and keeps them in their canonical form.
enum SeverityInput {
    enum CVSSVersion: Equatable {
        case v31(String)
        case v40(String)
    }

    static func normalizedRisk(_ vector: String) throws -> String {
        try DrupalRisk(parsing: vector).vector
    }

    static func normalizedCVSS(_ vector: String) throws -> CVSSVersion {
        switch try Severity(parsing: vector) {
        case .cvss31(let cvss): return .v31(cvss.normalizedVector)
        case .cvss40(let cvss): return .v40(cvss.normalizedVector)
        }
    }
}

extension SeverityView {
    /// The severities recorded on an advisory: Drupal risk first, then CVSS 4.0, then 3.1.
    public static func all(for advisory: Advisory) -> [SeverityView] {
        var result: [SeverityView] = []
        if let vector = advisory.riskVector, let risk = try? DrupalRisk(parsing: vector) {
            result.append(SeverityView(kind: "drupal", vector: risk.vector, score: "\(risk.score)/\(DrupalRisk.maximumScore)",
                                       rating: risk.level.rawValue, display: risk.display))
        }
        for vector in [advisory.cvss40Vector, advisory.cvss31Vector].compactMap({ $0 }) {
            guard let severity = try? Severity(parsing: vector) else { continue }
            let rating = severity.score.rating.rawValue
            result.append(SeverityView(kind: "cvss_v\(severity.version)", vector: severity.vector, score: severity.score.description,
                                       rating: rating, display: "\(severity.score) \(rating) \(severity.vector)"))
        }
        return result
    }

}
