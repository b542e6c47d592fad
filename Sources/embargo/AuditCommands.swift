import ArgumentParser
import EmbargoKit
import Foundation

extension Embargo {
    struct AuditCommands: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Show and verify the signed audit trail of every change to the store.",
            subcommands: [List.self, Verify.self],
            defaultSubcommand: List.self
        )
    }
}

extension Embargo.AuditCommands {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List audit entries (all, or those about one advisory).",
            discussion: """
                Example:
                  embargo audit --advisory ADV-2026-001
                  embargo audit --json
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Option(help: ArgumentHelp("Only entries about this advisory.", valueName: "id")) var advisory: String?

        func run() throws {
            let workspace = try location.workspace()
            let object = try advisory.map { try workspace.advisory($0).id }
            let entries = try workspace.auditEntries(object: object)
            if output.json {
                try Terminal.printJSON(["entries": entries])
            } else {
                Terminal.printTable(["SEQ", "AT", "MEMBER", "ACTION", "OBJECT", "DETAIL"], entries.map {
                    [String($0.seq), $0.at, $0.member, $0.action, $0.object, $0.detail]
                })
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the hash chain and every signature (exit 4 naming the first broken entry).",
            discussion: """
                Example:
                  embargo audit verify
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let report = try location.workspace().verifyAudit()
            if output.json {
                try Terminal.printJSON(["audit": report])
            } else {
                Terminal.say("audit trail ok: \(report.entries) entries, head \(report.head ?? "-")")
            }
        }
    }
}
