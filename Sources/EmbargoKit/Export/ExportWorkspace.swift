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
}
