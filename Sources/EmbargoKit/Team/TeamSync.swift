import EmbargoCrypto
import EmbargoStore
import Foundation
import GRDB

/// What one sync brought in and sent out. Advisory ids and field names
/// only: never a value.
public struct SyncReport: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var sequence: UInt64
        public var author: String
        public var kind: String
        /// `ADV-2026-001: description, timeline`, `members`, ...
        public var changes: [String]
    }

    public var remote: String
    public var incoming: [Entry] = []
    public var outgoing: [Entry] = []
    /// Advisory ids this machine created offline that the team had taken: old to new.
    public var renumbered: [String: String] = [:]
    public var conflicts: [SyncConflict] = []
    /// Why the remote could not be reached (the local store is intact and the next sync sends what is pending).
    public var offline: String?
    /// The newest team log entry this machine holds.
    public var sequence: UInt64 = 0

    enum CodingKeys: String, CodingKey {
        case remote, incoming, outgoing, renumbered, conflicts, offline, sequence
    }
}

/// What this machine keeps about the team remote, in `<store>/team/state.json`
/// (no secret: the URL and the newest entry it holds).
struct TeamConfig: Codable, Equatable {
    var url: String
    var sequence: UInt64
    var digest: String
    var syncedAt: String?
    /// The store schema a new clone can replay the log at, from its newest
    /// snapshot on: set when this machine wrote that snapshot, or replayed the
    /// log so itself. Another schema (or none: an older embargo kept this
    /// file) means entries of an older embargo may follow the snapshot, which
    /// a clone cannot apply: an admin's next sync writes a snapshot.
    var cloneSchema: String?

    enum CodingKeys: String, CodingKey {
        case url, sequence, digest
        case syncedAt = "synced_at"
        case cloneSchema = "clone_schema"
    }

    /// This configuration at log entry `sequence` (its digest, hex), synced at `syncedAt`.
    func at(_ sequence: UInt64, digest: String, syncedAt: String?) -> TeamConfig {
        TeamConfig(url: url, sequence: sequence, digest: digest, syncedAt: syncedAt, cloneSchema: cloneSchema)
    }

    /// The configuration `files` hold; nil without a team remote.
    static func load(_ files: TeamFiles) throws -> TeamConfig? {
        guard let bytes = try SafeFile.read(files.config, limit: 1 << 16) else { return nil }
        guard let config = try? JSONDecoder().decode(TeamConfig.self, from: Data(bytes)) else {
            throw EmbargoError(.verification, "\(files.config.path) is damaged", hint: "connect again with 'embargo store remote set URL'")
        }
        return config
    }
}

/// Where `store remote show` looks.
public struct TeamStatus: Codable, Sendable, Equatable {
    public var remote: String
    public var sequence: UInt64
    public var syncedAt: String?
    /// Whether this machine holds changes the team has not received.
    public var pending: Bool

    enum CodingKeys: String, CodingKey {
        case remote, sequence, pending
        case syncedAt = "synced_at"
    }
}

extension Workspace {
    var teamFiles: TeamFiles { TeamFiles(store: store.directory) }
    var teamDirectory: URL { teamFiles.directory }
    private var teamConfigFile: URL { teamFiles.config }
    private var teamBaseFile: URL { teamFiles.base }

    func teamRemote() -> TeamRemote {
        TeamRemote(directory: teamFiles.clone, base: environment.childEnvironment, member: member.name)
    }

    func teamConfig() throws -> TeamConfig? {
        try TeamConfig.load(teamFiles)
    }

    /// The base file says which log entry it holds (its generation), so a
    /// stop between the two writes below is noticed and mended by the next sync.
    /// It is a cache of the team log up to that entry, sealed and checked when
    /// read: when a crash damaged or lost it, sync makes it again from the log.
    private func saveTeam(_ config: TeamConfig, base: StoreState) throws {
        try saveTeam(config, sealedBase: try sealBase(base, sequence: config.sequence))
    }

    /// `base` sealed as the base of team log entry `sequence`, in a file beside
    /// the base that `saveTeam` puts in its place.
    func sealBase(_ base: StoreState, sequence: UInt64) throws -> URL {
        try SafeFile.makePrivateDirectory(teamDirectory)
        let next = teamFiles.nextBase
        try SafeFile.replaceAtomically(next, bytes: try store.seal(base, generation: sequence), durable: false)
        return next
    }

    private func saveTeam(_ config: TeamConfig, sealedBase: URL) throws {
        try Self.saveTeam(config, sealedBase: sealedBase, files: teamFiles, storeDirectory: store.directory, memory: environment.memory)
    }

    static func saveTeam(_ config: TeamConfig, sealedBase: URL, files: TeamFiles, storeDirectory: URL, memory: MachineMemory?) throws {
        // The old base goes first: a rename over it would make the file system write the new
        // one out at once (ext4 does so for a replaced file). A stop in between leaves no base,
        // which the next sync makes again from the log.
        unlink(files.base.path)
        guard rename(sealedBase.path, files.base.path) == 0 else {
            throw EmbargoError(.failure, "cannot keep the last synced state in \(files.base.path): \(String(cString: strerror(errno)))")
        }
        try SafeFile.replaceAtomically(files.config, bytes: Array(try JSONEncoder.document().encode(config)))
        try memory?.update(forStore: storeDirectory) { memory in
            if config.sequence >= memory.teamSequence ?? 0 {
                memory.teamSequence = config.sequence
                memory.teamDigest = config.digest
            }
        }
    }

    /// The error of a team command on a store that has no remote (exit 1).
    public static let noTeamRemote = EmbargoError(.failure, "this store has no team remote",
                                                  hint: "an admin connects one with 'embargo store remote set URL'")

    /// Whether a team remote is set for this store.
    public var hasTeamRemote: Bool { FileManager.default.fileExists(atPath: teamConfigFile.path) }

    /// When this machine last synced with the team remote; nil without one.
    public func lastTeamSync() throws -> String? {
        try teamConfig()?.syncedAt
    }

    public func teamStatus() throws -> TeamStatus? {
        guard let config = try teamConfig() else { return nil }
        let pending = try hasPendingChanges()
        return TeamStatus(remote: config.url, sequence: config.sequence, syncedAt: config.syncedAt, pending: pending)
    }

    /// The last synced state when its file holds log entry `sequence`; nil when it is missing, damaged or another.
    func syncedBase(at sequence: UInt64) -> StoreState? {
        guard let (state, held) = try? store.openState(at: teamBaseFile), held == sequence else { return nil }
        return state
    }

    /// The last synced state made again from the log `entries` up to entry `sequence`.
    private func replayedBase(upTo sequence: UInt64, entries: [(sequence: UInt64, kind: TeamLogEntry.Kind)], remote: TeamRemote) throws -> StoreState {
        try Self.replay(store: store, remote: remote, entries: entries.filter { $0.sequence <= sequence }, after: nil,
                        founderKey: try pinnedFounder()).state
    }

    private func hasPendingChanges() throws -> Bool {
        guard let config = try teamConfig() else { return false }
        let remote = teamRemote()
        // The last synced state, or when it is gone or behind (a sync stopped while it replaced it), the log makes it again.
        let base = try syncedBase(at: config.sequence) ?? replayedBase(upTo: config.sequence, entries: try remote.logEntries(), remote: remote)
        let (local, _) = try store.currentState()
        return !(try RowDiff.diff(from: base, to: local, appendOnly: TeamMerge.appendOnly)).isEmpty
    }

    // MARK: Connecting

    /// Connects this store to an empty private git remote and pushes it as
    /// the team log's first entry, a snapshot.
    public func connectTeamRemote(url: String) throws -> SyncReport {
        try Permissions.require(.manageMembers, by: member)
        if let config = try teamConfig() {
            throw EmbargoError(.refused, "this store already syncs with \(config.url)", hint: "see 'embargo store remote show'")
        }
        guard !url.isEmpty, !url.hasPrefix("-") else {
            throw EmbargoError(.usage, "'\(url.prefix(80))' is not a git remote URL", hint: "pass an ssh, https or file URL, or a path")
        }
        let remote = teamRemote()
        if FileManager.default.fileExists(atPath: remote.directory.path) {
            try FileManager.default.removeItem(at: remote.directory)
        }
        try remote.create(url: url)
        switch try remote.fetch() {
        case .unreachable(let why):
            try? FileManager.default.removeItem(at: teamDirectory)
            throw EmbargoError(.failure, "cannot reach the team remote: \(why)", hint: "check the URL and your access to it, then run this again")
        case .ok:
            if !(try remote.logEntries()).isEmpty {
                try? FileManager.default.removeItem(at: teamDirectory)
                throw EmbargoError(.refused, "the remote holds a team store already",
                                   hint: "to work on it, run 'embargo store clone \(url)' with another --store directory")
            }
        case .empty:
            break
        }
        // Blob names must not be minted twice: the naming key exists before anyone clones.
        try store.write { db in try store.ensureBlobNamingKey(db) }
        let (state, _) = try store.currentState()
        let content = TeamLogEntry.Content(author: member.name, signingKey: identity.signingKey, at: now, kind: .snapshot,
                                           changes: [], snapshot: Data(state.databaseBytes().exposedBytes()).base64EncodedString())
        let (bytes, digest) = try TeamLogEntry.seal(content, sequence: 1, previous: TeamLogEntry.genesis, identity: identity, store: store)
        try remote.write(TeamLogEntry.path(1, .snapshot), bytes)
        try remote.write(Store.keyringName, try store.keyringBytes())
        for name in try blobNames(in: state) {
            if let sealed = try store.sealedBlob(name) { try remote.write("blobs/\(name)", sealed) }
        }
        switch try remote.commitAllAndPush(message: "embargo sync \(member.name) snapshot") {
        case .pushed:
            break
        case .rejected:
            try? FileManager.default.removeItem(at: teamDirectory)
            throw EmbargoError(.refused, "someone pushed to the remote meanwhile", hint: "check who else uses \(url), then run this again")
        case .unreachable(let why):
            try? FileManager.default.removeItem(at: teamDirectory)
            throw EmbargoError(.failure, "cannot push to the team remote: \(why)", hint: "check your access to \(url), then run this again")
        }
        try saveTeam(TeamConfig(url: url, sequence: 1, digest: hex(digest), syncedAt: now, cloneSchema: Store.schema), base: state)
        try appendAuditAlone("store.remote", "store", detail: "team log entry 1")
        var report = SyncReport(remote: url, sequence: 1)
        report.outgoing = [SyncReport.Entry(sequence: 1, author: member.name, kind: "snapshot", changes: ["the whole store"])]
        // The audit entry just made goes out with the next sync.
        let next = try sync()
        report.outgoing += next.outgoing
        report.sequence = next.sequence
        report.offline = next.offline
        return report
    }

    private func appendAuditAlone(_ action: String, _ object: String, detail: String) throws {
        try audited(action, object, detail: detail) { _ in }
    }

    private func blobNames(in state: StoreState) throws -> [String] {
        try state.queue.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT blob FROM patches") }
    }

    /// Makes a working store in `directory` from the team remote at `url`,
    /// for a member an admin added on another machine.
    public static func cloneTeamStore(url: String, into directory: URL, identity: EmbargoIdentity, environment: Environment) throws -> (Workspace, SyncReport) {
        if Store.exists(at: directory) || FileManager.default.fileExists(atPath: directory.appendingPathComponent(Store.keyringName).path) {
            throw EmbargoError(.refused, "a store already exists in \(directory.path)", hint: "clone into another directory with --store DIR")
        }
        let files = TeamFiles(store: directory)
        let staging = files.clone
        let remote = TeamRemote(directory: staging, base: environment.childEnvironment, member: "clone")
        let cleanUp = { try? FileManager.default.removeItem(at: files.directory) }
        try SafeFile.makePrivateDirectory(directory)
        if FileManager.default.fileExists(atPath: staging.path) { cleanUp() }
        try remote.create(url: url)
        let fetched = try remote.fetch()
        guard fetched == .ok else {
            cleanUp()
            if case .unreachable(let why) = fetched {
                throw EmbargoError(.failure, "cannot reach the team remote: \(why)", hint: "check the URL and your access to it")
            }
            throw EmbargoError(.failure, "the remote holds no team store yet", hint: "an admin connects one with 'embargo store remote set \(url)'")
        }
        guard let keyring = try remote.read(Store.keyringName, limit: 1 << 20) else {
            cleanUp()
            throw EmbargoError(.verification, "the team remote has no keyring", hint: "the remote was damaged; ask an admin to check it")
        }
        let entries = try remote.logEntries()
        var replayed: Replayed?
        do {
            _ = try Store.adopt(at: directory, keyring: keyring, identity: identity.age) { store in
                let result = try Self.replay(store: store, remote: remote, entries: entries, after: nil, founderKey: nil)
                replayed = result
                return result.state
            }
        } catch {
            cleanUp()
            // Keyring.open says so when no stanza of the keyring is for this identity.
            guard let denied = error as? EmbargoError, denied.kind == .accessDenied else { throw error }
            throw EmbargoError(.accessDenied, "this identity is not a member of the team store: the remote's keyring does not open with it",
                               hint: "ask a store admin to add you with 'embargo member add NAME --recipient age1... --signing-key RW... --role ROLE' (your keys: 'embargo identity show'), then sync, and clone again")
        }
        guard let replayed else { throw EmbargoError(.failure, "the team log could not be read") }
        let workspace: Workspace
        do {
            workspace = try Workspace.open(at: directory, identity: identity, environment: environment)
        } catch let error as EmbargoError where error.kind == .accessDenied {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        try workspace.fetchBlobs(remote: remote, state: replayed.state)
        try workspace.saveTeam(TeamConfig(url: url, sequence: replayed.sequence, digest: hex(replayed.digest),
                                          syncedAt: workspace.now, cloneSchema: Store.schema), base: replayed.state)
        var report = SyncReport(remote: url, sequence: replayed.sequence)
        report.incoming = replayed.incoming
        return (workspace, report)
    }

    // MARK: Sync

    /// Fetches, verifies and brings in what the team pushed, replays this
    /// machine's changes on top, pushes them, and retries while someone else
    /// pushes first. Unreachable: the local store stays as it is, and the
    /// report says why. Conflicts: nothing changes, and the report names them.
    /// - Parameter started: the fetch `TeamFetch.start` began before this
    ///   store was opened (it holds the sync lock); nil starts one now.
    /// - Parameter sendFirst: push this machine's changes before fetching, with
    ///   the lease as the compare-and-swap (a write's own sync: it has changes
    ///   to send, and most often no one pushed meanwhile).
    public func sync(resolutions: [String: SyncSide] = [:], started: TeamFetch? = nil, sendFirst: Bool = false) throws -> SyncReport {
        guard hasTeamRemote else {
            throw Self.noTeamRemote
        }
        // One sync at a time on this machine: two commands finishing at once share the clone.
        let lock = try started?.lock ?? teamFiles.lockForSync()
        defer { lock.unlock() }
        if sendFirst, started == nil, resolutions.isEmpty, let config = try teamConfig(), let report = try sendBeforeFetching(config: config) {
            return report
        }
        return try syncHoldingLock(resolutions: resolutions, fetched: started?.fetching)
    }

    private func syncHoldingLock(resolutions: [String: SyncSide], fetched early: Background<TeamRemote.Fetched>? = nil) throws -> SyncReport {
        guard var config = try teamConfig() else {
            throw Self.noTeamRemote
        }
        let remote = teamRemote()
        var report = SyncReport(remote: config.url, sequence: config.sequence)
        var early = early
        for _ in 0..<8 {
            let fetching = early ?? remote.fetchInBackground()
            early = nil
            // Whatever happens here, the fetch is done before the lock is given up.
            defer { _ = try? fetching.wait() }
            let (local, generation) = try store.currentState()
            // The base, when it cannot be opened, is made again from the team log below.
            let opened = try? store.openState(at: teamBaseFile)
            var cached = opened?.state
            let fetched = try fetching.wait()
            if case .unreachable(let why) = fetched {
                report.offline = why
                // Ready for the next sync to push at once; should that fail, the next sync does it all.
                if let cached, opened?.generation == config.sequence {
                    try? prepareToSend(config: config, local: local, generation: generation, base: cached, remote: remote)
                }
                return report
            }
            // The remote was reached: what an earlier sync prepared is made again from what it holds.
            unlink(teamFiles.outbox.path)
            let entries = try remote.logEntries()
            let baseSequence = opened?.generation ?? 0
            if cached != nil, baseSequence > config.sequence, let entry = entries.first(where: { $0.sequence == baseSequence }),
               let bytes = try remote.read(TeamLogEntry.path(entry.sequence, entry.kind)) {
                // A sync stopped after it kept the new base and before it said so.
                config.sequence = baseSequence
                config.digest = hex(Digest.sha256(bytes))
            }
            try checkNoRollback(entries: entries, remote: remote, config: config)
            if baseSequence < config.sequence { cached = nil }
            // The cache of the last synced state is gone, damaged or behind: the team log makes it again.
            let base = try cached ?? replayedBase(upTo: config.sequence, entries: entries, remote: remote)
            let replayed = try Self.replay(store: store, remote: remote, entries: entries,
                                           after: (base, config.sequence, Self.bytes(hex: config.digest)), founderKey: try pinnedFounder(),
                                           adoptKey: { keyID in try self.adoptRotatedKey(keyID, remote: remote) })
            report.incoming = replayed.incoming
            try fetchBlobs(remote: remote, names: replayed.changes.compactMap { $0.change.table == "patches" ? $0.change.new["blob"]?.text : nil })
            let nothingCameIn = replayed.incoming.isEmpty

            if replayed.snapshotSchema == Store.schema { config.cloneSchema = Store.schema }
            let mine = try RowDiff.diff(from: base, to: local, appendOnly: TeamMerge.appendOnly)
            if mine.isEmpty {
                if !replayed.incoming.isEmpty {
                    guard try store.replaceState(with: try replayed.state.copy(), ifGeneration: generation) else { continue }
                }
                let (head, headDigest) = try snapshotIfDue(after: (replayed.sequence, replayed.digest), entries: entries,
                                                           state: replayed.state, remote: remote, config: &config)
                try saveTeam(config.at(head, digest: hex(headDigest), syncedAt: now), base: replayed.state)
                report.sequence = head
                try rememberAuditHead()
                return report
            }

            // The team is where this machine left it: its changes go out as they are, and
            // the store stays as it is. Otherwise they are replayed on the team's state.
            let merged: StoreState
            let out: [RowChange]
            if nothingCameIn {
                try TeamMerge.checkOwn(mine, member: member, identity: identity)
                merged = local
                out = mine
            } else {
                let theirs = try Self.changedRows(base: base, replayed: replayed)
                var merge = TeamMerge(member: member, identity: identity, theirs: theirs, resolutions: resolutions)
                merge.baseMaxima = try base.queue.read { db in try TeamMerge.maxima(db) }
                merged = try replayed.state.copy()
                try merged.queue.write { db in try merge.apply(mine, to: db) }
                if !merge.conflicts.isEmpty {
                    report.conflicts = merge.conflicts
                    return report
                }
                report.renumbered = merge.advisoryRenames.merging(merge.releaseRenames) { $1 }
                let trusted = try replayed.state.queue.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_log") } ?? 0
                do {
                    _ = try merged.queue.read { db in try AuditTrail.verify(db, founderKey: try pinnedFounder(), trustedThrough: trusted) }
                } catch let error as EmbargoError {
                    throw EmbargoError(.refused, "this machine's changes do not hold on top of the team's: \(error.message)",
                                       hint: "a member's role or an approval changed meanwhile; check 'embargo audit' after 'embargo store sync' brings the team's changes")
                }
                out = try RowDiff.diff(from: replayed.state, to: merged, appendOnly: TeamMerge.appendOnly)
            }
            if out.isEmpty {
                // The team holds all of it already (this machine pushed it, then was stopped).
                try announceHead(of: replayed.state)
                guard try store.replaceState(with: try replayed.state.copy(), ifGeneration: generation) else { continue }
                try saveTeam(config.at(replayed.sequence, digest: hex(replayed.digest), syncedAt: now),
                             base: replayed.state)
                try rememberAuditHead()
                report.sequence = replayed.sequence
                return report
            }
            let sequence = replayed.sequence + 1
            let (files, digest) = try outgoingFiles(out, sequence: sequence, previous: replayed.digest, remote: remote)
            let outgoing = SyncReport.Entry(sequence: sequence, author: member.name, kind: "changes", changes: Self.summary(out))
            // The next base is sealed while git commits and pushes; it is put in place once the push is in.
            let mergedState = UncheckedBox(merged)
            let sealing = nothingCameIn ? Background { try self.sealBase(mergedState.value, sequence: sequence) } : nil
            defer { if let sealing, let url = try? sealing.wait() { unlink(url.path) } }
            switch try remote.commitAndPush(files, message: "embargo sync \(member.name) \(out.count) changes") {
            case .rejected:
                continue
            case .unreachable(let why) where nothingCameIn:
                report.offline = why
                return report
            case .unreachable(let why):
                // The team's changes are in; this machine's stay pending on top of them.
                try announceHead(of: merged)
                guard try store.replaceState(with: merged, ifGeneration: generation) else { continue }
                try saveTeam(config.at(replayed.sequence, digest: hex(replayed.digest), syncedAt: config.syncedAt),
                             base: replayed.state)
                try rememberAuditHead()
                report.offline = why
                report.sequence = replayed.sequence
                return report
            case .pushed where nothingCameIn:
                let (head, headDigest) = try snapshotIfDue(after: (sequence, digest), entries: entries, state: merged, remote: remote, config: &config)
                let next = config.at(head, digest: hex(headDigest), syncedAt: now)
                if head == sequence, let sealed = try sealing?.wait() {
                    try saveTeam(next, sealedBase: sealed)
                } else {
                    try saveTeam(next, base: merged)
                }
                report.outgoing.append(outgoing)
                report.sequence = head
                return report
            case .pushed:
                let kept = try merged.copy()
                try announceHead(of: merged)
                guard try store.replaceState(with: merged, ifGeneration: generation) else {
                    // A command committed while this sync ran. The store keeps it, and this machine
                    // stays at the team's state before its own entry: the next round brings that
                    // entry in, recognises these changes in it (as after a sync stopped at this
                    // point) and sends the new command's change.
                    try saveTeam(config.at(replayed.sequence, digest: hex(replayed.digest), syncedAt: now),
                                 base: replayed.state)
                    report.outgoing.append(outgoing)
                    return try syncHoldingLock(resolutions: resolutions).merging(report)
                }
                let (head, headDigest) = try snapshotIfDue(after: (sequence, digest), entries: entries, state: kept, remote: remote, config: &config)
                try saveTeam(config.at(head, digest: hex(headDigest), syncedAt: now), base: kept)
                try rememberAuditHead()
                report.outgoing.append(outgoing)
                report.sequence = head
                return report
            }
        }
        throw EmbargoError(.failure, "the team remote kept moving while this machine synced", hint: "run 'embargo store sync' again")
    }

    /// This machine's changes `out` sealed and signed as team log entry
    /// `sequence` (following the entry whose digest is `previous`), with the
    /// patch files and the keyring the remote lacks; and the entry's digest.
    func outgoingFiles(_ out: [RowChange], sequence: UInt64, previous: [UInt8], remote: TeamRemote) throws
        -> (files: [TeamRemote.File], digest: [UInt8])
    {
        let content = TeamLogEntry.Content(author: member.name, signingKey: identity.signingKey, at: now, kind: .changes,
                                           changes: out, snapshot: nil)
        let (bytes, digest) = try TeamLogEntry.seal(content, sequence: sequence, previous: previous, identity: identity, store: store)
        var files: [TeamRemote.File] = [(TeamLogEntry.path(sequence, .changes), bytes)]
        for name in Set(out.compactMap({ $0.table == "patches" ? $0.new["blob"]?.text : nil })) where !remote.has("blobs/\(name)") {
            if let sealed = try store.sealedBlob(name) { files.append(("blobs/\(name)", sealed)) }
        }
        let keyring = try store.keyringBytes()
        if try remote.read(Store.keyringName, limit: 1 << 20) != keyring {
            files.append((Store.keyringName, keyring))
        }
        return (files, digest)
    }

    /// After an admin's push, when the log has grown by `teamSnapshotInterval`
    /// entries since its last snapshot, or when a clone could not replay the
    /// log at this embargo's schema (`TeamConfig.cloneSchema`): a snapshot of
    /// the state just pushed, signed by the admin, so that a new clone replays
    /// only what follows it. Returns the new head of the log (the snapshot, or
    /// the entry pushed when none is due or someone pushed first: the next
    /// admin sync tries again).
    /// Whether this member's push of entry `sequence` is to be followed by a
    /// snapshot: an admin's, when the log has grown by `teamSnapshotInterval`
    /// entries since its last snapshot or a clone could not replay it at this
    /// embargo's schema.
    func snapshotDue(after sequence: UInt64, entries: [(sequence: UInt64, kind: TeamLogEntry.Kind)], config: TeamConfig) -> Bool {
        let last = entries.last(where: { $0.kind == .snapshot })?.sequence ?? 0
        return member.role == .admin && (sequence - last >= environment.teamSnapshotInterval || config.cloneSchema != Store.schema)
    }

    private func snapshotIfDue(after head: (sequence: UInt64, digest: [UInt8]), entries: [(sequence: UInt64, kind: TeamLogEntry.Kind)],
                               state: StoreState, remote: TeamRemote, config: inout TeamConfig) throws -> (UInt64, [UInt8]) {
        guard snapshotDue(after: head.sequence, entries: entries, config: config) else { return head }
        let sequence = head.sequence + 1
        let content = TeamLogEntry.Content(author: member.name, signingKey: identity.signingKey, at: now, kind: .snapshot,
                                           changes: [], snapshot: Data(state.databaseBytes().exposedBytes()).base64EncodedString())
        let (bytes, digest) = try TeamLogEntry.seal(content, sequence: sequence, previous: head.digest, identity: identity, store: store)
        guard case .pushed = try remote.commitAndPush([(TeamLogEntry.path(sequence, .snapshot), bytes)],
                                                      message: "embargo sync \(member.name) snapshot") else { return head }
        config.cloneSchema = Store.schema
        return (sequence, digest)
    }

    /// Says, before the store takes `state`, which audit head it will have.
    private func announceHead(of state: StoreState) throws {
        let head = try state.queue.read { db in try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1") }
        try environment.memory?.update(forStore: store.directory) { memory in
            memory.rechainedSeq = head?["seq"]
            memory.rechainedHead = head?["hash"]
        }
    }

    /// Takes the data key another member rotated to, from the remote's keyring.
    /// A keyring that does not open with this identity means this member was
    /// removed (exit 5); one that holds another key than the entry's, forgery.
    private func adoptRotatedKey(_ keyID: [UInt8], remote: TeamRemote) throws {
        guard let keyring = try remote.read(Store.keyringName, limit: 1 << 20) else {
            throw EmbargoError(.verification, "the team remote has no keyring", hint: "the remote was damaged; ask an admin to check it")
        }
        let offered: [UInt8]
        do {
            offered = try store.keyID(ofKeyring: keyring, identity: identity.age)
        } catch let error as EmbargoError where error.kind == .accessDenied {
            throw EmbargoError(.accessDenied, "you were removed from the team store: its new key is not wrapped for your identity",
                               hint: "nothing was changed here; ask a store admin if this is a mistake")
        }
        guard offered == keyID else {
            throw EmbargoError(.verification, "a team log entry is sealed under a key the team's keyring does not hold",
                               hint: "nothing was changed here; the remote was tampered with, ask an admin to check it")
        }
        try store.adoptRotatedKey(keyring: keyring, identity: identity.age, extra: [teamBaseFile])
    }

    /// Runs a key rotation (removing a member) so that the last synced state
    /// stays readable: it is sealed again under the new key.
    public func keepingTeamBase(_ body: () throws -> Void) throws {
        guard let (base, sequence) = try store.openState(at: teamBaseFile) else { return try body() }
        try body()
        try SafeFile.replaceAtomically(teamBaseFile, bytes: try store.seal(base, generation: sequence))
    }

    /// The audit head moves when entries are re-chained: this machine remembers the new one.
    private func rememberAuditHead() throws {
        let head = try store.read { db in try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1") }
        let generation = try store.generation()
        let at = now
        try environment.memory?.update(forStore: store.directory) { memory in
            memory.auditSeq = head?["seq"]
            memory.auditHead = head?["hash"]
            memory.rechainedSeq = nil
            memory.rechainedHead = nil
            memory.generation = max(memory.generation, generation)
            memory.seenAt = at
        }
    }

    /// A remote whose log no longer holds the newest entry this machine saw was rolled back or rewritten.
    private func checkNoRollback(entries: [(sequence: UInt64, kind: TeamLogEntry.Kind)], remote: TeamRemote, config: TeamConfig) throws {
        let memory = try environment.memory?.load(forStore: store.directory)
        var seen = [(config.sequence, config.digest)]
        if let sequence = memory?.teamSequence, let digest = memory?.teamDigest { seen.append((sequence, digest)) }
        for (sequence, digest) in seen where sequence > 0 {
            let entry = entries.first { $0.sequence == sequence }
            let bytes = try entry.flatMap { try remote.read(TeamLogEntry.path($0.sequence, $0.kind)) }
            guard let bytes, hex(Digest.sha256(bytes)) == digest else {
                throw EmbargoError(.verification, "the team remote no longer holds entry \(sequence) of its log, which this machine saw: it was rolled back or rewritten",
                                   hint: "nothing was changed here; ask an admin to push the newest state back (any member's store has it)")
            }
        }
    }

    /// Why `changes` signed by `author` are not theirs to make in `current`
    /// (audit entries not their own new ones, a row no signed entry of theirs
    /// accounts for), or nil.
    static func unaccounted(_ changes: [RowChange], by author: Member, in current: StoreState) throws -> String? {
        for change in changes where change.table == "audit_log" {
            guard change.operation == .insert, change.new["member"]?.text == author.name,
                  change.new["signing_key"]?.text == author.signingKey
            else { return "it changes audit entries that are not its author's own new ones" }
        }
        let unsigned = try current.queue.read { db in
            // The tables' shapes are read once, and only when a row must be looked up.
            var shapes: [String: TableShape]?
            return try AuditedWrites.unaccounted(changes) { change in
                if shapes == nil { shapes = Dictionary(uniqueKeysWithValues: try RowDiff.tables(db).map { ($0.name, $0) }) }
                guard let shape = shapes?[change.table], shape.admits(change) else { return nil }
                return try RowDiff.row(db, shape, key: change.key)
            }
        }
        return unsigned.map { "it changes \($0)" }
    }

    struct Replayed {
        var state: StoreState
        var sequence: UInt64
        var digest: [UInt8]
        var incoming: [SyncReport.Entry]
        /// Every change each entry made, with its author and time, in order.
        var changes: [(change: RowChange, author: String, at: String)]
        /// The schema of the last snapshot among the entries replayed, if any.
        var snapshotSchema: String? = nil
    }

    /// The state after the log entries that follow `after` (the last synced
    /// state, its sequence and digest), each checked: its place in the chain,
    /// its seal, its author's membership and signature, that it applies to
    /// exactly the state before it, and at the end the whole audit trail.
    static func replay(store: Store, remote: TeamRemote, entries: [(sequence: UInt64, kind: TeamLogEntry.Kind)],
                       after: (state: StoreState, sequence: UInt64, digest: [UInt8])?, founderKey: String?,
                       adoptKey: (([UInt8]) throws -> Void)? = nil) throws -> Replayed {
        // The last synced state is copied only when an entry changes it: most syncs bring nothing in.
        var state = after?.state
        var copied = false
        var previous = after?.digest ?? TeamLogEntry.genesis
        let start = after?.sequence ?? 0
        var incoming: [SyncReport.Entry] = []
        var changes: [(RowChange, String, String)] = []
        var snapshotSchema: String?
        if after == nil {
            // A clone starts at the newest snapshot.
            guard let snapshot = entries.last(where: { $0.kind == .snapshot }) else {
                throw EmbargoError(.verification, "the team log holds no snapshot to start from", hint: "the remote was damaged; ask an admin to check it")
            }
            let first = entries.first { $0.sequence == snapshot.sequence }!
            let bytes = try remote.read(TeamLogEntry.path(first.sequence, first.kind)) ?? []
            let entry = try TeamLogEntry.open(bytes, sequence: first.sequence, store: store)
            previous = entry.previous
        }
        let begin = after == nil ? (entries.last(where: { $0.kind == .snapshot })?.sequence ?? 1) : start + 1
        guard (entries.last?.sequence ?? 0) >= start else {
            throw EmbargoError(.verification, "the team remote's log ends at entry \(entries.last?.sequence ?? 0), before entry \(start) this machine holds: it was rolled back",
                               hint: "nothing was changed here; ask an admin to push the newest state back (any member's store has it)")
        }
        for (sequence, kind) in entries where sequence >= begin {
            guard let bytes = try remote.read(TeamLogEntry.path(sequence, kind)) else {
                throw EmbargoError(.verification, "team log entry \(sequence) disappeared while it was read", hint: "run 'embargo store sync' again")
            }
            if bytes.count >= TeamLogEntry.headerSize, Array(bytes[16..<32]) != store.dataKeyID, let adoptKey {
                // A member was removed and the key rotated: take the new key from the remote's keyring.
                try adoptKey(Array(bytes[16..<32]))
            }
            let entry = try TeamLogEntry.open(bytes, sequence: sequence, store: store)
            if let schema = entry.content.schema, schema != Store.schema, !Store.knows(schema: schema) || kind == .changes {
                let newer = !Store.knows(schema: schema)
                if after == nil, !newer {
                    // A clone meets what the team wrote before it upgraded: only a snapshot of this schema helps.
                    throw EmbargoError(.failure, "the team log after its newest snapshot holds entries of an older version of embargo (store schema \(schema.prefix(40)), this one has \(Store.schema)), which a new clone cannot apply",
                                       hint: "nothing was created here; ask a store admin to run 'embargo store sync' with this version (it writes a snapshot a clone starts from), then clone again")
                }
                throw EmbargoError(.failure, "team log entry \(sequence) by \(entry.content.author.prefix(40)) was written by \(newer ? "a newer" : "an older") version of embargo (store schema \(schema.prefix(40)), this one has \(Store.schema))",
                                   hint: "nothing was changed here; update embargo to the same version on every machine of the team, then sync again")
            }
            guard entry.previous == previous, entry.content.kind == kind else {
                throw EmbargoError(.verification, "team log entry \(sequence) does not follow the entry before it: the remote's history was rewritten",
                                   hint: "nothing was changed here; ask an admin to check the remote")
            }
            func refuse(_ why: String) -> EmbargoError {
                EmbargoError(.verification, "team log entry \(sequence) by \(entry.content.author.prefix(40)) is refused: \(why)",
                             hint: "nothing was changed here; ask an admin to check the remote and remove the member if needed")
            }
            switch kind {
            case .snapshot:
                guard let text = entry.content.snapshot, let data = Data(base64Encoded: text) else { throw refuse("its snapshot cannot be read") }
                let next = try store.state(fromDatabase: SecureBytes(copying: [UInt8](data)))
                if let drift = try next.schemaDrift() { throw refuse("its snapshot's database is not a store of this version: \(drift)") }
                let chain = try next.queue.read { db in try AuditTrail.membership(db) }
                guard let author = chain.members[entry.content.author], author.signingKey == entry.content.signingKey,
                      author.role == .admin, entry.isSigned(by: author.signingKey)
                else { throw refuse("it is not signed by an admin of the store it holds") }
                if let state {
                    // A snapshot is the state the log before it makes: whatever else it holds
                    // is checked as a change of the admin's would be.
                    if let unsigned = try Self.unaccounted(try RowDiff.diff(from: state, to: next), by: author, in: state) {
                        throw refuse("its snapshot is not the state the log before it makes: \(unsigned)")
                    }
                    // A snapshot only ever extends the state this machine holds.
                    let head = try state.queue.read { db in try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1") }
                    if let head {
                        let kept = try next.queue.read { db in
                            try String.fetchOne(db, sql: "SELECT hash FROM audit_log WHERE seq = ?", arguments: [head["seq"] as Int64]) == head["hash"]
                        }
                        guard kept else { throw refuse("its audit trail drops entries this machine holds") }
                    }
                }
                state = next
                copied = true
                snapshotSchema = entry.content.schema
            case .changes:
                guard var current = state else { throw refuse("it has no state to apply to") }
                if !copied {
                    current = try current.copy()
                    state = current
                    copied = true
                }
                let chain = try current.queue.read { db in try AuditTrail.membership(db) }
                guard let author = chain.members[entry.content.author], !author.external, author.signingKey == entry.content.signingKey else {
                    throw refuse("its author is not a member of the store")
                }
                guard entry.isSigned(by: author.signingKey) else { throw refuse("its signature is invalid") }
                if let unsigned = try Self.unaccounted(entry.content.changes, by: author, in: current) { throw refuse(unsigned) }
                let problem: String?
                do {
                    problem = try current.queue.write { db -> String? in
                    let problem = try RowDiff.applyExactly(db, entry.content.changes)
                    if problem == nil {
                        try TeamMerge.reindex(db, TeamMerge.advisoriesChanged(entry.content.changes))
                    }
                    return problem
                    }
                } catch let error as DatabaseError {
                    // A constraint the rows break (a reference to nothing, a value out of range).
                    problem = "its rows break the store's rules (SQLite \(error.resultCode))"
                }
                if let problem { throw refuse(problem) }
                changes += entry.content.changes.map { ($0, entry.content.author, entry.content.at) }
            }
            incoming.append(SyncReport.Entry(sequence: sequence, author: entry.content.author, kind: kind.rawValue,
                                             changes: kind == .snapshot ? ["the whole store"] : summary(entry.content.changes)))
            previous = entry.digest
        }
        guard let state else {
            throw EmbargoError(.verification, "the team log holds no state", hint: "the remote was damaged; ask an admin to check it")
        }
        // Who may do what: every entry's signer and role, every approval and publication step
        // (the signatures of the last synced state were checked when it was synced).
        if after != nil, incoming.isEmpty {
            // Nothing came in: the last synced state was verified when it was synced.
            return Replayed(state: state, sequence: start, digest: previous, incoming: [], changes: [])
        }
        let trusted = try after?.state.queue.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_log") } ?? 0
        do {
            _ = try state.queue.read { db in try AuditTrail.verify(db, founderKey: founderKey, trustedThrough: trusted) }
        } catch let error as EmbargoError {
            throw EmbargoError(.verification, "the team's changes are refused: \(error.message)",
                               hint: "nothing was changed here; ask an admin to check the remote and remove the member who made them")
        }
        return Replayed(state: state, sequence: entries.last?.sequence ?? start, digest: previous, incoming: incoming, changes: changes,
                        snapshotSchema: snapshotSchema)
    }

    /// Base to team state, by row, with who changed each row last: read from
    /// the entries that came in (a snapshot among them: from the two states).
    static func changedRows(base: StoreState, replayed: Replayed) throws -> [String: (change: RowChange, author: String, at: String)] {
        var rows: [String: (change: RowChange, author: String, at: String)] = [:]
        if replayed.incoming.contains(where: { $0.kind == TeamLogEntry.Kind.snapshot.rawValue }) {
            for change in try RowDiff.diff(from: base, to: replayed.state) {
                rows[TeamMerge.rowID(change.table, change.key)] = (change, "the team", "earlier")
            }
        }
        for (change, author, at) in replayed.changes {
            let id = TeamMerge.rowID(change.table, change.key)
            guard var known = rows[id]?.change else {
                rows[id] = (change, author, at)
                continue
            }
            // Several entries changed the row: from the first one's old values to the last one's new.
            for (column, value) in change.old where known.old[column] == nil { known.old[column] = value }
            known.new.merge(change.new) { $1 }
            if known.operation != .insert || change.operation == .delete { known.operation = change.operation }
            rows[id] = (known, author, at)
        }
        return rows
    }

    /// Blobs the state refers to that this machine lacks, from the remote.
    func fetchBlobs(remote: TeamRemote, state: StoreState) throws {
        try fetchBlobs(remote: remote, names: try blobNames(in: state))
    }

    func fetchBlobs(remote: TeamRemote, names: [String]) throws {
        for name in Set(names) where !store.hasBlob(name) {
            guard let bytes = try remote.read("blobs/\(name)") else {
                throw EmbargoError(.verification, "the team remote lacks a patch that its log refers to",
                                   hint: "the member who added it has not pushed it yet, or the remote was damaged; sync again later")
            }
            try store.putSealedBlob(name, bytes)
        }
    }

    /// `ADV-2026-001: description, timeline` per advisory, then other tables.
    static func summary(_ changes: [RowChange]) -> [String] {
        var byObject: [String: [String]] = [:]
        var order: [String] = []
        for change in changes where change.table != "audit_log" {
            let advisory = change.table == "advisories" ? (change.key["id"] ?? change.new["id"])?.text
                : (change.key["advisory"] ?? change.new["advisory"] ?? change.old["advisory"])?.text
            let object = advisory ?? change.table
            var what: [String]
            if change.table == "advisories" {
                what = change.operation == .update ? change.new.keys.filter { $0 != "updated_at" }.sorted() : [change.operation == .insert ? "created" : "deleted"]
            } else if change.table == "advisory_items", let list = change.key["list"]?.text {
                what = [list]
            } else {
                what = [advisory == nil ? change.operation.rawValue : change.table]
            }
            if byObject[object] == nil { order.append(object) }
            for item in what where !(byObject[object] ?? []).contains(item) { byObject[object, default: []].append(item) }
        }
        return order.map { "\($0): \((byObject[$0] ?? []).joined(separator: ", "))" }
    }

    static func bytes(hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            result.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return result
    }
}

extension SyncReport {
    /// This report's entries before `earlier`'s, as one sync.
    func merging(_ earlier: SyncReport) -> SyncReport {
        var report = self
        report.incoming = earlier.incoming + incoming
        report.outgoing = earlier.outgoing + outgoing
        report.renumbered = earlier.renumbered.merging(renumbered) { $1 }
        return report
    }
}
