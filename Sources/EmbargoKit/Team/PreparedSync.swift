import EmbargoCrypto
import EmbargoStore
import Foundation

/// A push made ready before the remote is reached: this machine's changes,
/// sealed and signed as the next team log entry and committed in the clone on
/// the remote's head as it was last seen, and the next last synced state,
/// sealed beside the current one. A write's own sync prepares one and pushes
/// it at once; when the remote cannot be reached, it stays for the next sync,
/// which only pushes it. Kept in `<store>/team/outbox.json` (no secret: a
/// generation, commit ids and the entry's number and digest).
///
/// It holds while the store is at the generation it was made from and the
/// remote is where this machine last saw it; the push checks the latter
/// itself (git's lease), so nothing is fetched. Anything else, and the sync
/// does all of its work as before.
struct PreparedPush: Codable, Equatable {
    /// The store's generation the entry holds every change of.
    var generation: UInt64
    var commit: String
    var parent: String
    var sequence: UInt64
    var digest: String

    static func load(_ files: TeamFiles) -> PreparedPush? {
        guard let bytes = try? SafeFile.read(files.outbox, limit: 1 << 16) else { return nil }
        return try? JSONDecoder().decode(PreparedPush.self, from: Data(bytes))
    }

    func save(_ files: TeamFiles) throws {
        try SafeFile.replaceAtomically(files.outbox, bytes: Array(try JSONEncoder.document().encode(self)))
    }
}

extension Workspace {
    /// Prepares this machine's changes since the last sync (`local`, at
    /// `generation`, against `base`, the last synced state) for the next sync
    /// to push, when none is prepared for this generation already. Makes
    /// nothing when there is nothing to send, or when an admin's push is due
    /// to be followed by a snapshot (the next sync does it all then).
    func prepareToSend(config: TeamConfig, local: StoreState, generation: UInt64, base: StoreState, remote: TeamRemote) throws {
        let files = teamFiles
        if let prepared = PreparedPush.load(files), prepared.generation == generation, prepared.sequence == config.sequence + 1 { return }
        unlink(files.outbox.path)
        // The remote as last fetched holds entries this machine has not synced (a sync stopped on a
        // conflict or a refusal): the next entry's number is taken there, and only a whole sync may go on.
        guard try remote.trackedLogHead() <= config.sequence else { return }
        let sequence = config.sequence + 1
        guard !snapshotDue(after: sequence, entries: try remote.logEntries().filter { $0.sequence <= config.sequence }, config: config)
        else { return }
        let out = try RowDiff.diff(from: base, to: local, appendOnly: TeamMerge.appendOnly)
        guard !out.isEmpty else { return }
        try TeamMerge.checkOwn(out, member: member, identity: identity)
        let (outgoing, digest) = try outgoingFiles(out, sequence: sequence, previous: Self.bytes(hex: config.digest), remote: remote)
        // The next last synced state is sealed while git commits.
        let state = UncheckedBox(local)
        let sealing = Background { try self.sealBase(state.value, sequence: sequence) }
        defer { _ = try? sealing.wait() }
        let (commit, parent) = try remote.commitOnTracking(outgoing, message: "embargo sync \(member.name) \(out.count) changes")
        _ = try sealing.wait()
        try PreparedPush(generation: generation, commit: commit, parent: parent, sequence: sequence, digest: hex(digest)).save(files)
    }

    /// A write's own sync, before any fetch: its changes prepared (as for a
    /// remote that cannot be reached) and pushed at once with the lease. Nil
    /// when there is nothing to send so, or someone pushed meanwhile: the
    /// whole sync follows. The caller holds the sync lock.
    func sendBeforeFetching(config: TeamConfig) throws -> SyncReport? {
        guard let base = syncedBase(at: config.sequence) else { return nil }
        let (local, generation) = try store.currentState()
        guard (try? prepareToSend(config: config, local: local, generation: generation, base: base, remote: teamRemote())) != nil
        else { return nil }
        return try Self.sendPreparedHoldingLock(store: store, identity: identity, environment: environment)
    }

    /// Whether a push was prepared and not sent (it may no longer hold).
    public static func hasPreparedPush(storeDirectory: URL) -> Bool {
        FileManager.default.fileExists(atPath: TeamFiles(store: storeDirectory).outbox.path)
    }

    /// Pushes what an earlier sync prepared and could not send, when it still
    /// holds: the store has not changed since, and the remote is where
    /// this machine last saw it (nothing to bring in). Opens neither the store
    /// nor the last synced state. Nil when a whole sync is needed; a report
    /// with `offline` when the remote still cannot be reached.
    public static func sendPrepared(storeDirectory: URL, identity: EmbargoIdentity, environment: Environment) throws -> SyncReport? {
        guard hasPreparedPush(storeDirectory: storeDirectory) else { return nil }
        let lock = try TeamFiles(store: storeDirectory).lockForSync()
        defer { lock.unlock() }
        guard let store = try? Store.openKeyOnly(at: storeDirectory, identity: identity.age) else { return nil }
        return try sendPreparedHoldingLock(store: store, identity: identity, environment: environment)
    }

    /// `sendPrepared` for a caller that holds the sync lock and `store` (its key at least).
    static func sendPreparedHoldingLock(store: Store, identity: EmbargoIdentity, environment: Environment) throws -> SyncReport? {
        let storeDirectory = store.directory
        let files = TeamFiles(store: storeDirectory)
        guard let prepared = PreparedPush.load(files),
              let config = try? TeamConfig.load(files),
              prepared.sequence == config.sequence + 1,
              Store.sealedGeneration(at: files.nextBase) == prepared.sequence,
              (try? store.generation()) == prepared.generation
        else { return nil }
        // A store or remote older than this machine saw is for the whole sync (and the store's open) to name.
        let memory = environment.memory
        if let seen = try memory?.load(forStore: storeDirectory),
           seen.generation > prepared.generation || (seen.teamSequence ?? 0) > config.sequence { return nil }
        let remote = TeamRemote(directory: files.clone, base: environment.childEnvironment, member: "embargo")
        guard let entryBytes = try remote.read(TeamLogEntry.path(prepared.sequence, .changes)),
              hex(Digest.sha256(entryBytes)) == prepared.digest,
              let entry = try? TeamLogEntry.open(entryBytes, sequence: prepared.sequence, store: store),
              entry.content.signingKey == identity.signingKey, entry.isSigned(by: identity.signingKey)
        else { return nil }
        var report = SyncReport(remote: config.url, sequence: config.sequence)
        switch try remote.pushPrepared(commit: prepared.commit, parent: prepared.parent) {
        case .rejected:
            // Someone pushed meanwhile: their changes come in first.
            return nil
        case .unreachable(let why):
            report.offline = why
            return report
        case .pushed:
            break
        }
        let now = Timestamp.string(environment.clock.now())
        try saveTeam(config.at(prepared.sequence, digest: prepared.digest, syncedAt: now),
                     sealedBase: files.nextBase, files: files, storeDirectory: storeDirectory, memory: memory)
        unlink(files.outbox.path)
        report.sequence = prepared.sequence
        report.outgoing = [SyncReport.Entry(sequence: prepared.sequence, author: entry.content.author, kind: TeamLogEntry.Kind.changes.rawValue,
                                            changes: summary(entry.content.changes))]
        return report
    }
}
