import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

extension ExportFormat: ExpressibleByArgument {}

extension Embargo {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Export an advisory as OSV, CVE JSON 5, CSAF 2.0, a Drupal SA, Markdown or HTML.",
            discussion: """
                Before publication an export needs --draft: text formats are then marked
                EMBARGOED and files are written with mode 0600.

                Example:
                  embargo export ADV-2026-001 --format osv --draft
                  embargo export ADV-2026-001 --format drupal --draft --out sa-draft.txt
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var repository: RepositoryOption
        @Argument(help: "The advisory id.") var id: String
        @Option(help: ArgumentHelp("osv, cve, csaf, drupal, markdown or html.", valueName: "format")) var format: ExportFormat
        @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")) var out: String?
        @Flag(help: "Export an advisory that is not yet published (marked EMBARGOED).") var draft = false

        func run() throws {
            if let out { try SafeFile.checkOutput(URL(fileURLWithPath: out), option: "--out") }
            let workspace = try location.workspace(repository)
            let text = try workspace.export(id, format: format, draft: draft)
            if let out {
                try SafeFile.writeOutput(URL(fileURLWithPath: out), bytes: Array(text.utf8), mode: draft ? 0o600 : 0o644, option: "--out")
                FileHandle.standardError.write(Data("wrote \(format.rawValue) to \(out)\n".utf8))
            } else {
                Terminal.document(text)
            }
        }
    }
}
