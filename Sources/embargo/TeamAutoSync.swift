import EmbargoKit
import EmbargoStore
import Foundation

/// The team store from the CLI's side: every command that changed a store
/// with a team remote syncs after it commits (offline it says so, and the
/// next sync sends the change); commands that must not race another member
/// (approve, prerelease, publish) sync first and refuse offline; a command
/// working on a state older than an hour says how old.
enum TeamAutoSync {
    /// The store a command opened, and its generation then.
    nonisolated(unsafe) static var opened: (workspace: Workspace, generation: UInt64)?
    /// Set by the commands that synced themselves.
    nonisolated(unsafe) static var synced = false

    static let staleAfter: TimeInterval = 3600

    static func register(_ workspace: Workspace) {
        opened = (workspace, (try? workspace.store.generation()) ?? 0)
        guard let at = try? workspace.lastTeamSync(), let date = Timestamp.parse(at) else { return }
        let age = Date().timeIntervalSince(date)
        if age > staleAfter {
            Terminal.note("working on the team state of \(at) (\(Int(age / 3600)) h ago); 'embargo store sync' brings it up to date")
        }
    }

    /// Syncs before a command that must see every other member's work, and
    /// refuses when the remote cannot be reached or the sync stops on a
    /// conflict (`conflict` names the first one, else every one is listed).
    static func syncFirst(_ workspace: Workspace, for command: String, offlineAllowed: Bool = false,
                          hint: String = "check your connection to the team remote and run it again",
                          conflict: ((SyncConflict) -> EmbargoError)? = nil) throws {
        guard workspace.hasTeamRemote else { return }
        let report = try workspace.sync()
        if let offline = report.offline, offlineAllowed {
            Terminal.warn("could not reach the team remote (\(offline)); working on this machine's state")
        } else if let offline = report.offline {
            throw EmbargoError(.refused, "'embargo \(command)' needs the team remote, so that no other member does it at the same time: \(offline)",
                               hint: hint)
        }
        if let first = report.conflicts.first, let conflict { throw conflict(first) }
        try SyncOutput.print(report, json: false, quiet: true)
        opened = (workspace, (try? workspace.store.generation()) ?? 0)
    }

    /// Publish's claim: its first step must reach the team before any tag is
    /// pushed. A conflict on it, or an earlier claim in the remote's order,
    /// means another member claimed first.
    static func claim(_ workspace: Workspace, _ id: String) throws {
        try syncFirst(workspace, for: "publish \(id)",
                      hint: "nothing was pushed to the project; check your connection and run 'embargo publish \(id)' again") { first in
            EmbargoError(.refused, "\(id) is being published by \(first.theirsBy) (since \(first.theirsAt)); nothing was pushed",
                         hint: "ask \(first.theirsBy) how it went; then 'embargo store sync --keep theirs \(first.field)' drops this attempt")
        }
        if workspace.hasTeamRemote, let other = try workspace.publicationClaimant(id) {
            throw EmbargoError(.refused, "\(id) is being published by \(other), who claimed it first; nothing was pushed",
                               hint: "ask \(other) how it went")
        }
    }

    /// After a command succeeded: send what it changed.
    static func afterCommand() throws {
        guard !synced, let (workspace, generation) = opened, workspace.hasTeamRemote,
              let now = try? workspace.store.generation(), now != generation
        else { return }
        // The command itself succeeded and its change is committed: a sync that fails
        // here (a full disk, a refused entry of the team's) is said, not an error of the command.
        let report: SyncReport
        do {
            report = try workspace.sync(sendFirst: true)
        } catch let error as EmbargoError {
            Terminal.warn("the change is saved on this machine, but the team sync after it failed: \(error.message)",
                          hint: "once that is fixed, 'embargo store sync' sends it")
            return
        }
        do {
            try SyncOutput.print(report, json: false, quiet: true)
        } catch let error as EmbargoError where !report.conflicts.isEmpty {
            Terminal.warn("\(error.message)")
            Terminal.note(error.hint ?? "")
        }
    }
}
