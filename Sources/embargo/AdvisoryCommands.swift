import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

extension AdvisoryStatus: ExpressibleByArgument {}

extension Embargo {
    struct AdvisoryCommands: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "advisory",
            abstract: "Register and manage embargoed advisories.",
            subcommands: [Create.self, List.self, Show.self, Edit.self, Status.self, Note.self, Search.self, Import.self]
        )
    }
}

/// The advisory fields, shared by `create` and `edit`.
struct AdvisoryFieldOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Private title (never published).", valueName: "text")) var title: String?
    @Option(help: ArgumentHelp("Title used once published.", valueName: "text")) var publicTitle: String?
    @Option(help: ArgumentHelp("Vulnerability type, e.g. 'Cross site scripting'.", valueName: "text")) var type: String?
    @Option(name: .customLong("cwe"), help: ArgumentHelp("CWE id (repeat for several), e.g. CWE-79.", valueName: "id")) var cwes: [String] = []
    @Option(help: ArgumentHelp("Description text.", valueName: "text")) var description: String?
    @Option(help: ArgumentHelp("Read the description from a file ('-' for standard input), keeping it off the command line.", valueName: "file"))
    var descriptionFile: String?
    @Option(help: ArgumentHelp("Solution text (what users must do).", valueName: "text")) var solution: String?
    @Option(name: .customLong("branch"), help: ArgumentHelp("Affected release branch (repeat; default: all of the project's).", valueName: "branch"))
    var branches: [String] = []
    @Option(name: .customLong("reporter"), help: ArgumentHelp("Reporter, 'Name' or 'Name <contact>' (repeat).", valueName: "person")) var reporters: [String] = []
    @Option(help: ArgumentHelp("When it was reported (ISO 8601 date or time).", valueName: "time")) var reportedAt: String?
    @Option(name: .customLong("fixer"), help: ArgumentHelp("Who fixed it (repeat).", valueName: "person")) var fixers: [String] = []
    @Option(name: .customLong("coordinator"), help: ArgumentHelp("Who coordinated it (repeat).", valueName: "person")) var coordinators: [String] = []
    @Option(name: .customLong("credit"), help: ArgumentHelp("A credit, 'Name <contact>:TYPE' with an OSV credit type (repeat).", valueName: "person")) var credits: [String] = []
    @Option(name: .customLong("sa-id"), help: ArgumentHelp("Drupal advisory id, e.g. SA-CONTRIB-2026-001.", valueName: "id")) var saID: String?
    @Option(name: .customLong("cve-id"), help: ArgumentHelp("CVE id, e.g. CVE-2026-12345.", valueName: "id")) var cveID: String?
    @Option(name: .customLong("ghsa-id"), help: ArgumentHelp("GitHub advisory id.", valueName: "id")) var ghsaID: String?
    @Option(name: .customLong("reference"), help: ArgumentHelp("Reference URL (repeat).", valueName: "url")) var references: [String] = []
    @Option(help: ArgumentHelp("Drupal risk vector, e.g. AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon.", valueName: "vector"))
    var risk: String?
    @Option(name: .customLong("cvss"), help: ArgumentHelp("CVSS v3.1, v3.0 or v4.0 vector (repeat to keep a v3 and a v4 one).", valueName: "vector")) var cvss: [String] = []
    @Option(help: ArgumentHelp("First affected release, when the flaw came in after the oldest branch's first release ('' clears it).", valueName: "version"))
    var affectedFrom: String?

    func validate() throws {
        if description != nil, descriptionFile != nil {
            throw ValidationError("--description and --description-file cannot be used together")
        }
    }

    func input() throws -> AdvisoryInput {
        var input = AdvisoryInput()
        input.privateTitle = title
        input.publicTitle = publicTitle
        input.vulnerabilityType = type
        input.description = try descriptionFile.map(InputFile.text) ?? description
        input.solution = solution
        input.branches = branches.isEmpty ? nil : branches
        input.cwes = cwes.isEmpty ? nil : cwes
        input.reporters = reporters.isEmpty ? nil : reporters
        input.reportedAt = reportedAt
        input.fixers = fixers.isEmpty ? nil : fixers
        input.coordinators = coordinators.isEmpty ? nil : coordinators
        input.credits = credits.isEmpty ? nil : credits
        input.saID = saID
        input.cveID = cveID
        input.ghsaID = ghsaID
        input.references = references.isEmpty ? nil : references
        input.riskVector = risk
        input.cvssVectors = cvss.isEmpty ? nil : cvss
        input.affectedFrom = affectedFrom
        return input
    }

}

extension Embargo.AdvisoryCommands {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Register a new advisory (status draft).",
            discussion: """
                Long or sensitive text can come from a file, so it stays out of shell history.

                Example:
                  embargo advisory create --project ai --title "Chatbot forgery" \\
                    --type "Cross Site Request Forgery" --cwe CWE-352 \\
                    --risk AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon \\
                    --reporter "Jane Doe <https://www.drupal.org/u/jane>" \\
                    --description-file desc.txt --json
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Option(help: ArgumentHelp("The project the advisory belongs to.", valueName: "name")) var project: String
        @OptionGroup var fields: AdvisoryFieldOptions

        func validate() throws {
            if fields.title == nil { throw ValidationError("--title is required") }
        }

        func run() throws {
            let advisory = try location.workspace().createAdvisory(project: project, input: fields.input())
            try AdvisoryOutput.print(advisory, json: output.json, verb: "created")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List advisories.",
            discussion: """
                Example:
                  embargo advisory list --project ai --status fixing --json
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Option(help: ArgumentHelp("Only this project's advisories.", valueName: "name")) var project: String?
        @Option(help: ArgumentHelp("Only advisories with this status.", valueName: "status")) var status: AdvisoryStatus?

        func run() throws {
            let workspace = try location.workspace()
            let advisories = try workspace.advisories(project: project, status: status)
            let publishing = Set(try workspace.publicationSteps().keys)
            try AdvisoryOutput.printList(advisories, json: output.json, publishing: publishing)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show an advisory with its severity.",
            discussion: """
                Example:
                  embargo advisory show ADV-2026-001 --json
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The advisory id.") var id: String

        func run() throws {
            let workspace = try location.workspace()
            let advisory = try workspace.advisory(id)
            try AdvisoryOutput.print(advisory, json: output.json, verb: nil, publicationStep: try workspace.publicationStep(advisory.id),
                                     taggedIn: try workspace.taggedFirstRelease(advisory.id))
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "edit",
            abstract: "Change an advisory's fields (lists given replace the previous list).",
            discussion: """
                An empty value clears a text field. A published advisory is amended with
                --reason: only its public fields change, and each amendment is a new revision
                of the public advisory (OSV "modified", CSAF revision history, the SA's
                "Updated" line).

                Example:
                  embargo advisory edit ADV-2026-001 --cve-id CVE-2026-12345 \\
                    --cvss CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:N
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The advisory id.") var id: String
        @OptionGroup var fields: AdvisoryFieldOptions
        @Option(help: ArgumentHelp("Why a published advisory is amended (a new revision of the public advisory).", valueName: "text"))
        var reason: String?

        func run() throws {
            let workspace = try location.workspace()
            let before = try workspace.advisory(id).status
            let advisory = try workspace.editAdvisory(id, input: fields.input(), reason: reason)
            if before == .published {
                Terminal.note("revision \(try workspace.revisions(advisory.id).last?.number ?? 1) of \(advisory.id): run 'embargo export \(advisory.id) --format osv' (and the other formats) to publish the update")
            }
            if before == .approved, advisory.status == .prereleased {
                Terminal.warn("the approval of \(advisory.id) is void: its public texts changed after the security team approved them")
                Terminal.note("build a new pre-release with 'embargo prerelease \(advisory.id) --out DIR' and ask for approval again")
            }
            try AdvisoryOutput.print(advisory, json: output.json, verb: "updated")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Move an advisory along its lifecycle: draft, confirmed, fixing, ready (or withdrawn).",
            discussion: """
                prereleased, approved and published are set by the steps that produce them
                (prerelease, approve, publish). An invalid move is refused with exit code 3.

                Example:
                  embargo advisory status ADV-2026-001 confirmed --note "reproduced on 1.1.x"
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The advisory id.") var id: String
        @Argument(help: "The new status.") var status: AdvisoryStatus
        @Option(help: ArgumentHelp("A note for the timeline.", valueName: "text")) var note: String?

        func run() throws {
            let advisory = try location.workspace().setStatus(id, to: status, note: note)
            try AdvisoryOutput.print(advisory, json: output.json, verb: "updated")
        }
    }

    struct Note: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "note",
            abstract: "Add a free note to an advisory's timeline.",
            discussion: """
                Example:
                  embargo advisory note ADV-2026-001 "security team asked for a 1.0.x backport"
                """
        )

        @OptionGroup var location: StoreOptions
        @Argument(help: "The advisory id.") var id: String
        @Argument(help: "The note.") var text: String

        func run() throws {
            try location.workspace().addNote(id, text: text)
            Terminal.say("noted on \(id.uppercased())")
        }
    }

    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "search",
            abstract: "Full-text search over titles, descriptions, people and ids.",
            discussion: """
                Words are matched by prefix; all words must match.

                Example:
                  embargo advisory search forgery chatbot
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Words to search for.") var words: [String]

        func run() throws {
            let found = try location.workspace().searchAdvisories(words.joined(separator: " "))
            try AdvisoryOutput.printList(found, json: output.json)
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Create a draft advisory from an OSV document or a GitHub REST advisory.",
            discussion: """
                Reads an OSV JSON document (Drupal's advisory database, GHSA records in OSV
                form) or an advisory as GitHub's REST API returns it (global or repository
                advisory). The record's id, publication time and affected ranges (with their
                introduced and fixed versions) are kept as given, and exports use them instead
                of ranges computed from the tags. CVSS 3.0 vectors are scored as 3.0. Importing
                the same record again, in either form, is refused unless --update.

                Example:
                  embargo advisory import GHSA-9v2f-6vcg-3hgv.json --project gradio --json
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The OSV or GitHub REST advisory JSON file.") var file: String
        @Option(help: ArgumentHelp("The project the advisory belongs to.", valueName: "name")) var project: String
        @Flag(help: "Bring the advisory imported earlier from the same record up to this one.") var update = false

        func run() throws {
            let bytes = try InputFile.read(file, limit: Limits.patchBytes, what: "an OSV document")
            let advisory = try location.workspace().importAdvisory(project: project, osv: bytes, update: update)
            try AdvisoryOutput.print(advisory, json: output.json, verb: "imported")
        }
    }
}

enum AdvisoryOutput {
    /// `publicationStep`: the last step of a publication that pushed and did not finish;
    /// `taggedIn`: the release that pushed it tag first (the advisory waits for its SA).
    static func print(_ advisory: Advisory, json: Bool, verb: String?, publicationStep: String? = nil, taggedIn: String? = nil) throws {
        if json {
            try Terminal.printJSON(AdvisoryReport(advisory: AdvisoryView(advisory), publicationStep: publicationStep))
            return
        }
        if let verb {
            Terminal.say("\(verb) \(advisory.id) (\(advisory.status.rawValue)): \(advisory.privateTitle)")
            return
        }
        let view = AdvisoryView(advisory)
        var rows: [[String]] = [
            ["id", advisory.id], ["project", advisory.project],
            ["status", taggedIn.map { "\(advisory.status.rawValue), tagged with \($0): the SA publishes it ('embargo release published \($0) --sa-url URL')" }
                ?? publicationStep.map { "publishing (stopped after '\($0)'; run 'embargo publish \(advisory.id)' to finish)" } ?? advisory.status.rawValue],
            ["title", advisory.privateTitle], ["public title", advisory.publicTitle ?? "-"],
            ["type", advisory.vulnerabilityType ?? "-"], ["CWE", advisory.cwes.map { "CWE-\($0)" }.joined(separator: ", ")],
            ["branches", advisory.branches.joined(separator: ", ") + (advisory.affectedFrom.map { " (affected from \($0))" } ?? "")],
        ]
        for severity in view.severity { rows.append([severity.kind, severity.display]) }
        rows += [
            ["reporters", advisory.reporters.map(\.display).joined(separator: ", ")],
            ["reported at", advisory.reportedAt ?? "-"],
            ["fixers", advisory.fixers.map(\.display).joined(separator: ", ")],
            ["coordinators", advisory.coordinators.map(\.display).joined(separator: ", ")],
            ["credits", advisory.credits.map { "\($0.display) (\($0.type ?? "OTHER"))" }.joined(separator: ", ")],
            ["ids", [advisory.saID, advisory.cveID, advisory.ghsaID].compactMap { $0 }.joined(separator: ", ")],
            ["references", advisory.references.joined(separator: " ")],
            ["disclosure", advisory.disclosureAt ?? "not scheduled"],
            ["created", "\(advisory.createdAt) by \(advisory.createdBy)"], ["updated", advisory.updatedAt],
        ]
        Terminal.printTable(["FIELD", "VALUE"], rows.map { [$0[0], $0[1].isEmpty ? "-" : $0[1]] })
        if let description = advisory.description {
            Terminal.say("\ndescription:")
            Terminal.say("  " + description, indent: "  ")
        }
    }

    /// `publishing`: the advisories whose publication pushed and did not finish.
    static func printList(_ advisories: [Advisory], json: Bool, publishing: Set<String> = []) throws {
        let severities = SeverityView.all(for: advisories)
        if json {
            try Terminal.printJSONList(zip(advisories, severities).map(AdvisoryView.init), under: "advisories")
        } else {
            Terminal.printTable(["ID", "PROJECT", "STATUS", "SEVERITY", "TITLE"], zip(advisories, severities).map { advisory, severity in
                [advisory.id, advisory.project, publishing.contains(advisory.id) ? "publishing" : advisory.status.rawValue,
                 severity.first?.short ?? "-", advisory.privateTitle]
            })
        }
    }
}

struct AdvisoryReport: Encodable {
    let advisory: AdvisoryView
    var publicationStep: String?

    enum CodingKeys: String, CodingKey {
        case advisory
        case publicationStep = "publication_step"
    }
}
