import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

extension Embargo {
    struct StoreCommands: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "store",
            abstract: "Check, back up, restore and share the encrypted store.",
            subcommands: [Verify.self, Backup.self, Restore.self, Remote.self, Clone.self, Sync.self]
        )
    }
}

extension Embargo.StoreCommands {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
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
            commandName: "backup",
            abstract: "Write the current encrypted state to a file.",
            discussion: """
                The file stays encrypted under the store's data key; restore it with 'embargo
                store restore FILE'.

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
            commandName: "restore",
            abstract: "Make the state in a backup file the newest generation (the current one stays a backup).",
            discussion: """
                Example:
                  embargo store restore \\
                    ~/.local/share/embargo/backups/store.000000000041.embargo
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
            for line in result.membership { Terminal.say(line) }
        }
    }
}

struct VerifyReport: Encodable {
    let ok: Bool
    let store: Store.Verification
    let audit: AuditTrail.Report
}

// MARK: The team store

extension Embargo.StoreCommands {
    struct Remote: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remote",
            abstract: "Connect the store to the team's private git remote, or show it.",
            subcommands: [Set.self, Show.self]
        )

        struct Set: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "set",
                abstract: "Connect this store to an empty private git repository and push it (admin).",
                discussion: """
                    The remote only ever receives sealed, signed files: the keyring, the team log
                    (each member's changes, encrypted under the store's key) and sealed patches.
                    Members an admin added clone it with 'embargo store clone URL'.

                    Example:
                      embargo store remote set git@gitlab.example.org:security/embargo-store.git
                    """
            )

            @OptionGroup var location: StoreOptions
            @OptionGroup var output: OutputOptions
            @Argument(help: "The git URL (ssh, https, file) or path of the team's private repository.") var url: String

            func run() throws {
                let workspace = try location.workspace()
                let report = try workspace.connectTeamRemote(url: url)
                TeamAutoSync.synced = true
                try SyncOutput.print(report, json: output.json)
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show",
                abstract: "Print the team remote and when this machine last synced.",
                discussion: """
                    Example:
                      embargo store remote show --json
                    """
            )

            @OptionGroup var location: StoreOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                let workspace = try location.workspace()
                guard let status = try workspace.teamStatus() else {
                    throw Workspace.noTeamRemote
                }
                if output.json {
                    try Terminal.printJSON(status)
                } else {
                    Terminal.say("remote: \(status.remote)")
                    Terminal.say("team log: entry \(status.sequence)")
                    Terminal.say("last sync: \(status.syncedAt ?? "never")")
                    Terminal.say(status.pending ? "pending: this machine has changes the team has not received" : "pending: nothing")
                }
            }
        }
    }

    struct Clone: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clone",
            abstract: "Make a working store from the team's remote (for a member added on another machine).",
            discussion: """
                Fetches the team log, opens the keyring with your identity (exit 5 when you are
                not a member), checks every entry's seal, signature and author, and the audit
                trail, and writes the store to --store (or $EMBARGO_STORE).

                Example:
                  embargo store clone git@gitlab.example.org:security/embargo-store.git \\
                    --store ~/embargo
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The git URL or path of the team's private repository.") var url: String

        func run() throws {
            let identity = try location.loadIdentity()
            let (workspace, report) = try Workspace.cloneTeamStore(url: url, into: location.storeDirectory, identity: identity,
                                                                   environment: try Settings.storeEnvironment())
            if output.json {
                try Terminal.printJSON(report)
            } else {
                let advisories = try workspace.advisories().count
                Terminal.say("cloned \(url) into \(location.storeDirectory.path): team log entry \(report.sequence), \(advisories) advisories")
                Terminal.say("you are \(workspace.member.name) (\(workspace.member.role.rawValue))")
            }
        }
    }

    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync",
            abstract: "Bring in the team's changes, send this machine's, and say what moved.",
            discussion: """
                Fetches the team remote, checks and applies every change the others pushed,
                replays this machine's changes on top and pushes them. A field two members
                changed to different values stops the sync with one line per conflict;
                settle each with --keep mine FIELD or --keep theirs FIELD (or edit and sync
                again). Unreachable remote: exit 0 with a warning, nothing lost; the next
                sync sends what is pending. Exit 3 on a conflict, 4 on a remote that was
                tampered with or rolled back.

                Examples:
                  embargo store sync
                  embargo store sync --keep theirs ADV-2026-004.description
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Option(name: .customLong("keep"), parsing: .upToNextOption,
                help: ArgumentHelp("Settle a conflict: 'mine' or 'theirs', then the field the conflict names.", valueName: "side field"))
        var keep: [String] = []

        func run() throws {
            let resolutions = try SyncOutput.resolutions(keep)
            let environment = try Settings.storeEnvironment()
            var identity: EmbargoIdentity?
            // What a sync that could not reach the remote prepared goes out at once when it still holds.
            if resolutions.isEmpty, Workspace.hasPreparedPush(storeDirectory: location.storeDirectory) {
                let loaded = try location.loadIdentity()
                identity = loaded
                if let report = try Workspace.sendPrepared(storeDirectory: location.storeDirectory, identity: loaded, environment: environment) {
                    TeamAutoSync.synced = true
                    try SyncOutput.print(report, json: output.json)
                    return
                }
            }
            // The fetch runs while the identity is unlocked and the store opened.
            let started = try TeamFetch.start(storeDirectory: location.storeDirectory, environment: environment)
            let workspace = try location.workspace(identity: identity)
            let report = try workspace.sync(resolutions: resolutions, started: started)
            TeamAutoSync.synced = true
            try SyncOutput.print(report, json: output.json)
        }
    }
}

enum SyncOutput {
    static func resolutions(_ words: [String]) throws -> [String: SyncSide] {
        guard words.count % 2 == 0 else {
            throw EmbargoError(.usage, "--keep takes a side and a field", hint: "for example: --keep mine ADV-2026-004.description")
        }
        var result: [String: SyncSide] = [:]
        for index in stride(from: 0, to: words.count, by: 2) {
            guard let side = SyncSide(rawValue: words[index]) else {
                throw EmbargoError(.usage, "--keep takes 'mine' or 'theirs', not '\(words[index].prefix(40))'",
                                   hint: "for example: --keep theirs ADV-2026-004.description")
            }
            result[words[index + 1]] = side
        }
        return result
    }

    /// Prints what came in and went out; a conflict is exit 3 after the list.
    /// `quiet` (a sync after or before another command) says it on standard
    /// error, so that the command's own output stays what it was.
    static func print(_ report: SyncReport, json: Bool, quiet: Bool = false) throws {
        if json {
            try Terminal.printJSON(report)
        } else if quiet {
            for (entries, direction) in [(report.incoming, "from"), (report.outgoing, "to")] {
                for entry in entries {
                    Terminal.note("team sync: #\(entry.sequence) \(direction) \(entry.author): \(entry.changes.isEmpty ? "audit entries" : entry.changes.joined(separator: "; "))")
                }
            }
            for (old, new) in report.renumbered.sorted(by: { $0.key < $1.key }) {
                Terminal.note("renumbered \(old) to \(new): the team had created \(old) meanwhile")
            }
            if report.offline != nil { Terminal.note("committed here only") }
        } else {
            for entry in report.incoming {
                Terminal.say("in   #\(entry.sequence) \(entry.author): \(entry.changes.isEmpty ? "audit entries" : entry.changes.joined(separator: "; "))")
            }
            for entry in report.outgoing {
                Terminal.say("out  #\(entry.sequence) \(entry.author): \(entry.changes.isEmpty ? "audit entries" : entry.changes.joined(separator: "; "))")
            }
            for (old, new) in report.renumbered.sorted(by: { $0.key < $1.key }) {
                Terminal.say("renumbered \(old) to \(new): the team had created \(old) meanwhile")
            }
            if report.conflicts.isEmpty, report.offline == nil {
                Terminal.say(report.incoming.isEmpty && report.outgoing.isEmpty ? "up to date at team log entry \(report.sequence)"
                                                                               : "synced at team log entry \(report.sequence)")
            }
        }
        if let offline = report.offline {
            // After another command, which did its job, a warning; a sync of its own did not.
            guard quiet else {
                throw EmbargoError(.failure, "could not reach the team remote: \(offline)",
                                   hint: "this machine's changes are kept; check the network and your access to the remote, then run 'embargo store sync' again")
            }
            Terminal.warn("could not reach the team remote (\(offline)); this machine's changes are kept and the next 'embargo store sync' sends them")
        }
        guard report.conflicts.isEmpty else {
            for conflict in report.conflicts {
                Terminal.warn("conflict \(conflict.field): mine '\(conflict.mine)' (\(conflict.mineBy), \(conflict.mineAt)) vs theirs '\(conflict.theirs)' (\(conflict.theirsBy), \(conflict.theirsAt))")
            }
            throw EmbargoError(.refused, "sync stopped: \(report.conflicts.count) conflict\(report.conflicts.count == 1 ? "" : "s"); nothing was changed and this machine's changes are kept",
                               hint: "settle each with 'embargo store sync --keep mine|theirs FIELD', or edit and sync again")
        }
    }
}
