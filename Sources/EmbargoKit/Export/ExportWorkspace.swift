import EmbargoStore
import Foundation

extension Workspace {
    /// Renders an advisory in `format`. An advisory that is not yet published
    /// is exported only as a draft (refused otherwise, exit 3).
    public func export(_ id: String, format: ExportFormat, draft: Bool) throws -> String {
        let (advisory, project) = try advisoryAndProject(id)
        if advisory.status != .published, !draft {
            throw EmbargoError(.refused, "advisory \(advisory.id) is not published (status \(advisory.status.rawValue))",
                               hint: "pass --draft for an EMBARGOED draft, or wait for 'embargo publish \(advisory.id)'")
        }
        let imported = try importedRanges(advisory.id)
        var input = ExportInput(advisory: advisory, project: project, releases: imported.isEmpty ? try releases(for: advisory.id) : [],
                                severities: SeverityView.all(for: advisory), generatedAt: environment.clock.now(),
                                draft: advisory.status != .published)
        input.revisions = try revisions(advisory.id)
        input.importedRanges = imported
        input.importedPublished = try importedPublished(advisory.id)
        let text = try AdvisoryExporter.render(format, input)
        try audited("advisory.export", advisory.id, detail: "\(format.rawValue)\(input.draft ? " draft" : "")") { _ in }
        return text
    }

    /// The fields of the public SA that would show a placeholder ("(SA id not
    /// assigned)", "Fixed by: (not set)"): worth a warning before the SA is
    /// made public, with the option of `advisory edit` that sets each.
    public func unsetPublicFields(_ id: String) throws -> [UnsetField] {
        let advisory = try advisory(id)
        let hasRisk = SeverityView.all(for: advisory).contains { $0.kind == "drupal" }
        let fields: [(Bool, String, String)] = [
            (advisory.saID == nil, "SA id", "--sa-id SA-CONTRIB-YYYY-NNN"),
            (!hasRisk, "security risk", "--risk VECTOR"),
            (advisory.vulnerabilityType == nil, "vulnerability type", "--type TEXT"),
            (advisory.cveID == nil, "CVE id", "--cve-id CVE-YYYY-NNNN"),
            ((advisory.description ?? "").isEmpty, "description", "--description-file FILE"),
            (advisory.reporters.isEmpty, "Reported by", "--reporter NAME"),
            (advisory.fixers.isEmpty, "Fixed by", "--fixer NAME"),
            (advisory.coordinators.isEmpty, "Coordinated by", "--coordinator NAME"),
        ]
        return fields.filter(\.0).map { UnsetField(field: $0.1, option: $0.2) }
    }
}

/// A field of the public SA that is not set, and the `advisory edit` option that sets it.
public struct UnsetField: Sendable, Equatable {
    public var field: String
    public var option: String
}
