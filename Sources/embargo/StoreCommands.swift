import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

extension Embargo {
    struct StoreCommands: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "store",
            abstract: "Check, back up and restore the encrypted store.",
            subcommands: [Verify.self, Backup.self, Restore.self]
        )
    }
}

extension Embargo.StoreCommands {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Authenticate the store and its backups and check the database (exit 4 on any damage).",
            discussion: """
                Example:
                  embargo store verify --json
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let workspace = try location.workspace()
            let report = try workspace.verifyStore()
            let audit = try workspace.verifyAudit()
            let damaged = report.backups.filter { !$0.ok }
            if output.json {
                try Terminal.printJSON(VerifyReport(ok: damaged.isEmpty, store: report, audit: audit))
            } else {
                Terminal.say("store ok: generation \(report.generation), schema \(report.schema), \(report.sizeBytes) bytes, key \(report.keyID)")
                Terminal.say("audit trail ok: \(audit.entries) entries")
                Terminal.say("backups: \(report.backups.count - damaged.count) of \(report.backups.count) ok")
                Terminal.say("blobs: \(report.blobs) ok" + (report.unreferencedBlobs > 0 ? ", \(report.unreferencedBlobs) no longer referenced" : ""))
            }
            if let first = damaged.first {
                throw EmbargoError(.verification, "backup of generation \(first.generation) is damaged: \(first.problem ?? "unknown")",
                                   hint: "the current state is intact; the damaged backup is replaced as new generations are written")
            }
        }
    }

    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the current encrypted state to a file.",
            discussion: """
                The file stays encrypted under the store's data key; restore it with 'embargo store restore'.

                Example:
                  embargo store backup --out /media/usb/embargo-2026-11-25.embargo
                """
        )

        @OptionGroup var location: StoreOptions
        @Option(help: ArgumentHelp("The backup file to create.", valueName: "file")) var out: String

        func run() throws {
            let generation = try location.workspace().store.exportBackup(to: URL(fileURLWithPath: out))
            Terminal.say("wrote generation \(generation) to \(out)")
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the state in a backup file the newest generation (the current one stays a backup).",
            discussion: """
                Example:
                  embargo store restore ~/.local/share/embargo/backups/store.000000000041.embargo
                """
        )

        @OptionGroup var location: StoreOptions
        @Argument(help: "The backup file.") var file: String

        func run() throws {
            let backup = URL(fileURLWithPath: file)
            let result = Store.exists(at: location.storeDirectory)
                ? try location.workspace().restore(from: backup)
                : try Workspace.restoreMissingStore(at: location.storeDirectory, identity: try location.loadIdentity(),
                                                    environment: try Settings.storeEnvironment(), from: backup)
            Terminal.say("restored generation \(result.restored) as generation \(result.generation)")
        }
    }
}

struct VerifyReport: Encodable {
    let ok: Bool
    let store: Store.Verification
    let audit: AuditTrail.Report
}
