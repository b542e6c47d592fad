import EmbargoCrypto
import EmbargoSchema
import Foundation
import GRDB
import GRDBSQLite

/// The encrypted store: one SQLite database that lives only in memory and is
/// sealed into `store.embargo` (and, for a large database, the journal of
/// patchsets) on every commit.
///
/// ```swift
/// let store = try Store.open(at: directory, identity: identity)
/// try store.write { db in try db.execute(sql: "INSERT ...") }
/// let names = try store.read { db in try String.fetchAll(db, sql: "SELECT name FROM members") }
/// ```
///
/// Every write takes an exclusive `flock`, works on the newest committed
/// state, runs in a transaction and commits it atomically. A small database
/// is re-sealed whole into `store.embargo`, the replaced file staying in
/// `backups/` (the newest `backupLimit`). A large one (see `JournalPolicy`)
/// seals only the rows the commit changed (an SQLite patchset) as the next
/// entry in `journal/`, until the journal is long enough to fold back into a
/// new `store.embargo`; so a commit costs about the same at 10,000 advisories
/// as at 100.
// Not Sendable: one process uses one Store from one thread at a time.
public final class Store {
    public static let fileName = "store.embargo"
    public static let keyringName = "keyring.age"
    static let nextKeyringName = "keyring.next.age"
    public static let backupLimit = 10

    public let directory: URL
    var dataKey: DataKey
    /// When commits go to the journal instead of re-sealing the whole database.
    public var journalPolicy = JournalPolicy.standard
    /// Called with each new generation once it is on disk (the machine's
    /// memory of the newest state follows it).
    public var onCommit: ((UInt64) -> Void)?
    /// The newest state this process loaded or committed, reused while the
    /// state on disk is the same.
    var cached: Loaded?
    /// Whether this process holds the exclusive lock (reads inside a write
    /// must not wait for the shared one).
    private var writing = false

    public var storeFile: URL { directory.appendingPathComponent(Self.fileName) }
    public var keyringFile: URL { directory.appendingPathComponent(Self.keyringName) }
    var nextKeyringFile: URL { directory.appendingPathComponent(Self.nextKeyringName) }
    public var backupsDirectory: URL { directory.appendingPathComponent("backups") }
    public var journalDirectory: URL { directory.appendingPathComponent("journal") }
    var lockFile: URL { directory.appendingPathComponent("lock") }

    init(directory: URL, dataKey: DataKey) {
        self.directory = directory
        self.dataKey = dataKey
    }

    public static func exists(at directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(fileName).path)
    }

    // MARK: Creating and opening

    /// Creates a new store in `directory` (made 0700) with a fresh data key
    /// wrapped for `recipients`; `setup` fills the first generation.
    public static func create(
        at directory: URL, recipients: [AgeX25519Recipient], setup: (Database) throws -> Void
    ) throws -> Store {
        try SafeFile.makePrivateDirectory(directory)
        let store = Store(directory: directory, dataKey: try DataKey.generate())
        let lock = try FileLock(store.lockFile)
        defer { lock.unlock() }
        if exists(at: directory) {
            throw EmbargoError(.refused, "a store already exists in \(directory.path)",
                               hint: "use it with --store, or choose another directory")
        }
        // What is left of a store (a keyring, backups, blobs, a journal) is
        // sealed under its data key: a new keyring would strand all of it.
        let remains = [keyringName, nextKeyringName, "backups", "blobs", "journal"].filter { name in
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return false }
            let contents = try? FileManager.default.contentsOfDirectory(atPath: url.path)
            return contents.map { !$0.isEmpty } ?? true
        }
        if let first = remains.first {
            throw EmbargoError(.refused, "\(directory.path) holds what is left of a store (\(remains.joined(separator: ", "))); init would make it unreadable",
                               hint: store.restoreHint(missing: first == keyringName ? keyringName : fileName))
        }
        try SafeFile.makePrivateDirectory(store.backupsDirectory)
        let image = try DatabaseImage(copying: [UInt8]())
        let queue = try makeQueue(image)
        try migrate(queue)
        try queue.write { db in try setup(db) }
        let sealed = try SealedFile.seal(image, generation: 1, dataKey: store.dataKey)
        try SafeFile.replaceAtomically(store.keyringFile, bytes: try Keyring.seal(store.dataKey, to: recipients))
        try SafeFile.replaceAtomically(store.storeFile, bytes: sealed)
        return store
    }

    /// Opens the store with a member's identity (unwraps the data key). A
    /// store whose keyring or store file is missing is damage (exit 4), with a
    /// hint that names the backup to restore; `forRestore` opens one whose
    /// store file is missing, so that `restore` can put a backup in its place.
    public static func open(at directory: URL, identity: any AgeIdentity, forRestore: Bool = false) throws -> Store {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw EmbargoError(.failure, "the store \(directory.path) is a file, not a store's directory",
                               hint: "pass the store's directory with --store DIR (or EMBARGO_STORE)")
        }
        let keyringBytes = try SafeFile.read(directory.appendingPathComponent(keyringName))
            ?? SafeFile.read(directory.appendingPathComponent(nextKeyringName))
        let hasStoreFile = exists(at: directory)
        guard let keyring = keyringBytes, hasStoreFile || forRestore else {
            try missing(in: directory, keyring: keyringBytes != nil, storeFile: hasStoreFile)
        }
        let store = Store(directory: directory, dataKey: try Keyring.open(keyring, identity: identity))
        // A key rotation that a kill interrupted is finished (or undone) before anything else.
        if FileManager.default.fileExists(atPath: store.nextKeyringFile.path) {
            try store.recoverRotation(identity: identity)
        }
        if hasStoreFile { try store.keepMigrated() }
        return store
    }

    /// A store an older embargo wrote is migrated whenever it is loaded; the
    /// first open keeps the migrated state, so that later commands (reads
    /// above all, which commit nothing) do not migrate it again each time.
    func keepMigrated() throws {
        try read { _ in }
        guard cached?.migrated == true else { return }
        try exclusively {
            let current = try newestUnderLock()
            guard current.migrated else { return }
            try commit(current, whole: true)
        }
    }

    /// Why a store cannot be opened when its keyring or store file is
    /// missing: nothing there at all, or damage with the backup to restore.
    private static func missing(in directory: URL, keyring: Bool, storeFile: Bool) throws -> Never {
        // Only the directory is read here: the key is a stand-in.
        let probe = Store(directory: directory, dataKey: try DataKey.generate())
        if !keyring {
            if !storeFile, try probe.backupFiles().isEmpty, probe.blobNames().isEmpty {
                throw EmbargoError(.failure, "no embargo store in \(directory.path)",
                                   hint: "run 'embargo init' to create one, or pass --store DIR")
            }
            throw EmbargoError(.verification, "\(keyringName) is missing from \(directory.path): the store cannot be opened",
                               hint: probe.restoreHint(missing: keyringName))
        }
        throw EmbargoError(.verification, "\(fileName) is missing from \(directory.path)", hint: probe.restoreHint(missing: fileName))
    }

    // MARK: Reading and writing

    /// Runs `body` on the newest committed state (read-only).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        // Several reads in one command reuse the decrypted database while no
        // other process has committed a newer state.
        let loaded: Loaded
        if let cached, (try? currentMark()) == cached.mark {
            loaded = cached
        } else {
            loaded = try loadShared()
            cached = loaded
        }
        return try loaded.queue.read { db in try body(db) }
    }

    /// The generation of the newest committed state.
    public func generation() throws -> UInt64 {
        try currentMark().generation
    }

    /// Runs `body` in a transaction on the newest state under the store lock
    /// and commits the result as a new generation. Nothing is written when
    /// `body` throws.
    @discardableResult
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try exclusively {
            let loaded = try newestUnderLock()
            let result = try transaction(loaded, body)
            try commit(loaded)
            return result
        }
    }

    // MARK: Verification, backup and restore

    public struct Verification: Sendable, Codable, Equatable {
        public var generation: UInt64
        public var schema: String
        /// Bytes on disk: the store file and the journal.
        public var sizeBytes: Int
        public var keyID: String
        /// Commits held in the journal on top of the store file.
        public var journalEntries: Int
        public var backups: [BackupStatus]
        /// Blob files, all authenticated.
        public var blobs: Int
        /// Blob files no row refers to (left by an interrupted command; harmless).
        public var unreferencedBlobs: Int
    }

    public struct BackupStatus: Sendable, Codable, Equatable {
        public var generation: UInt64
        public var ok: Bool
        public var problem: String?
    }

    /// Authenticates the store, its journal, every backup and every blob,
    /// checks SQLite integrity and the schema, that every blob `referencedBlobs`
    /// reads from the database exists, and that the store is not older than its
    /// newest backup. Throws a verification error naming the first problem in
    /// the current state; damaged backups are reported in the result.
    public func verify(referencedBlobs: (Database) throws -> Set<String> = { _ in [] }) throws -> Verification {
        let loaded = try loadShared()
        let (schema, referenced) = try loaded.queue.read { db -> (String, Set<String>) in
            let check = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            guard check == ["ok"] else {
                throw EmbargoError(.verification, "the store database failed its integrity check")
            }
            return (try Self.migrator.completedMigrations(db).last ?? "none", try referencedBlobs(db))
        }
        if let newest = newestBackup(), newest.generation > loaded.mark.generation {
            throw EmbargoError(.verification, "the store is at generation \(loaded.mark.generation) but backups/ holds generation \(newest.generation): an older store file was put in place",
                               hint: restoreHint(missing: Self.fileName))
        }
        let names = blobNames()
        for name in referenced.sorted() where !names.contains(name) {
            throw EmbargoError(.verification, "blob \(name.prefix(12)) is missing from the store", hint: "put the blobs/ folder back from a copy of the store directory")
        }
        for name in names { _ = try blob(name) }
        var statuses: [BackupStatus] = []
        for url in try backupFiles() {
            let number = Self.generation(ofBackup: url) ?? 0
            do {
                guard let data = try SafeFile.read(url) else { continue }
                let (header, _) = try SealedFile.open(data, dataKey: dataKey)
                guard header.generation == number else {
                    throw EmbargoError(.verification, "backup file name says generation \(number) but it holds \(header.generation)")
                }
                statuses.append(BackupStatus(generation: number, ok: true, problem: nil))
            } catch let error as EmbargoError {
                statuses.append(BackupStatus(generation: number, ok: false, problem: error.message))
            }
        }
        return Verification(generation: loaded.mark.generation, schema: schema, sizeBytes: loaded.bytesOnDisk,
                            keyID: dataKey.idHex, journalEntries: loaded.journalEntries, backups: statuses,
                            blobs: names.count, unreferencedBlobs: Set(names).subtracting(referenced).count)
    }

    /// Writes the current state, sealed whole, to `url` (which must not exist).
    public func exportBackup(to url: URL) throws -> UInt64 {
        let loaded = try loadShared()
        let generation = loaded.mark.generation
        try SafeFile.createExclusive(url, bytes: try SealedFile.seal(loaded.image, generation: generation, dataKey: dataKey))
        return generation
    }

    /// Whether a backup file was sealed under the data key the keyring holds
    /// now (read from its header; a key rotation retires the old key, and a
    /// file sealed under it cannot be opened any more).
    public func isSealedWithCurrentKey(_ url: URL) throws -> Bool {
        guard let bytes = try SafeFile.read(url, limit: SealedFile.headerSize + AEAD.tagSize + 8) else {
            throw EmbargoError(.failure, "no backup file at \(url.path)")
        }
        return constantTimeEqual(try SealedFile.header(of: bytes).keyID, dataKey.id)
    }

    /// Runs `body` on the state a backup file holds (read-only, in memory).
    public func readBackup<T>(_ url: URL, _ body: (Database) throws -> T) throws -> T {
        guard let bytes = try SafeFile.read(url) else { throw EmbargoError(.failure, "no backup file at \(url.path)") }
        let (_, image) = try SealedFile.openImage(bytes, dataKey: dataKey)
        let queue = try Self.makeQueue(image)
        try Self.migrate(queue)
        return try queue.read { db in try body(db) }
    }

    /// Makes the state held in a backup file the newest generation. The file
    /// must be sealed with this store's current data key and open cleanly.
    /// The state it replaces stays a backup.
    public func restore(from url: URL) throws -> (restored: UInt64, generation: UInt64) {
        guard let bytes = try SafeFile.read(url) else {
            throw EmbargoError(.failure, "no backup file at \(url.path)")
        }
        let (header, image) = try SealedFile.openImage(bytes, dataKey: dataKey)
        let queue = try Self.makeQueue(image)
        try Self.migrate(queue)
        return try exclusively {
            guard Self.exists(at: directory) else {
                // The store file is gone: the backup becomes a generation newer than any left on disk.
                cached = nil
                let newest = max(try backupFiles().compactMap(Self.generation(ofBackup:)).max() ?? 0, journalGenerations().max() ?? 0)
                let mark = Mark(generation: newest, nonce: [])
                let restored = Loaded(queue: queue, image: image, mark: mark, base: mark, storeFileBytes: 0, journalEntries: 0, journalBytes: 0)
                try commit(restored, whole: true)
                return (header.generation, newest + 1)
            }
            let current = try newestUnderLock()
            cached = nil
            if current.journalEntries > 0 {
                // The replaced state is more than the store file: keep it whole.
                try SafeFile.makePrivateDirectory(backupsDirectory)
                try SafeFile.replaceAtomically(backupFile(current.mark.generation),
                                               bytes: try SealedFile.seal(current.image, generation: current.mark.generation, dataKey: dataKey))
            }
            let restored = Loaded(queue: queue, image: image, mark: current.mark, base: current.base, storeFileBytes: 0,
                                  journalEntries: current.journalEntries, journalBytes: current.journalBytes)
            try commit(restored, whole: true)
            return (header.generation, current.mark.generation + 1)
        }
    }

    // MARK: Internals

    /// One sealed state: the store file's, or a journal entry's.
    struct Mark: Equatable {
        var generation: UInt64
        var nonce: [UInt8]
    }

    /// A state of the store in memory, and what it took on disk.
    final class Loaded {
        let queue: DatabaseQueue
        let image: DatabaseImage
        /// The newest state this database holds.
        var mark: Mark
        /// The store file it was loaded from.
        var base: Mark
        var storeFileBytes: Int
        var journalEntries: Int
        var journalBytes: Int
        /// Whether loading it applied migrations (an older embargo wrote it).
        var migrated = false
        /// The rows the last transaction changed, when its commit may go to the journal.
        var patchset: SecureBytes?

        init(queue: DatabaseQueue, image: DatabaseImage, mark: Mark, base: Mark, storeFileBytes: Int, journalEntries: Int, journalBytes: Int) {
            self.queue = queue
            self.image = image
            self.mark = mark
            self.base = base
            self.storeFileBytes = storeFileBytes
            self.journalEntries = journalEntries
            self.journalBytes = journalBytes
        }

        var bytesOnDisk: Int { storeFileBytes + journalBytes }
    }

    private func missingStore() -> EmbargoError {
        EmbargoError(.verification, "\(Self.fileName) is missing from \(directory.path)", hint: restoreHint(missing: Self.fileName))
    }

    /// The newest backup: its file, generation and when it was written.
    public func newestBackup() -> (url: URL, generation: UInt64, date: Date)? {
        guard let url = try? backupFiles().last, let generation = Self.generation(ofBackup: url) else { return nil }
        let date = (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)
        return (url, generation, date)
    }

    /// What to do when `missing` (the store file or the keyring) is gone.
    func restoreHint(missing: String) -> String {
        if missing == Self.keyringName {
            return "copy \(Self.keyringName) back from a copy of the store directory; it cannot be made again (never run 'embargo init' here)"
        }
        guard let newest = newestBackup() else {
            return "copy \(Self.fileName) back from a copy of the store directory (there is no backup in backups/)"
        }
        let date = ISO8601DateFormatter().string(from: newest.date)
        return "run 'embargo store restore \(newest.url.path)' (the newest backup: generation \(newest.generation), written \(date))"
    }

    /// The newest state on disk, read without decrypting: the store file's
    /// header and the last journal entry's.
    func currentMark() throws -> Mark {
        guard let bytes = try SafeFile.read(storeFile, limit: SealedFile.headerSize + AEAD.tagSize + 8) else { throw missingStore() }
        let base = try SealedFile.header(of: bytes)
        guard let last = journalGenerations().last(where: { $0 > base.generation }) else {
            return Mark(generation: base.generation, nonce: base.nonce)
        }
        let name = JournalEntry.fileName(last)
        guard let entryBytes = try SafeFile.read(journalDirectory.appendingPathComponent(name), limit: JournalEntry.headerSize + AEAD.tagSize) else {
            return Mark(generation: base.generation, nonce: base.nonce)
        }
        let entry = try JournalEntry.header(of: entryBytes, file: name)
        return Mark(generation: entry.generation, nonce: entry.nonce)
    }

    /// Runs `body` holding the exclusive store lock.
    func exclusively<T>(_ body: () throws -> T) throws -> T {
        let lock = try FileLock(lockFile)
        writing = true
        defer {
            writing = false
            lock.unlock()
        }
        return try body()
    }

    /// Loads the newest state under the shared lock (none inside a write,
    /// which holds the exclusive one).
    private func loadShared() throws -> Loaded {
        let lock = writing ? nil : try FileLock.shared(lockFile)
        defer { lock?.unlock() }
        return try loadCurrent()
    }

    /// Runs `body` in a transaction on `loaded`. Reads that `body` makes
    /// through the store meanwhile see the committed state, not the open
    /// transaction; when `body` throws, the transaction rolls back and the
    /// database is the committed state again.
    /// When the commit may go to the journal, the transaction's patchset is
    /// recorded in `loaded.patchset`.
    func transaction<T>(_ loaded: Loaded, _ body: (Database) throws -> T) throws -> T {
        cached = nil
        loaded.patchset = nil
        let recording = mayJournal(loaded)
        do {
            return try loaded.queue.write { db in
                let recorder = recording ? try ChangeRecording(db) : nil
                let result = try body(db)
                loaded.patchset = try recorder?.patchset(db)
                return result
            }
        } catch {
            loaded.patchset = nil
            cached = loaded
            throw error
        }
    }

    /// Whether the policy lets the next commit of `loaded` go to the journal.
    private func mayJournal(_ loaded: Loaded) -> Bool {
        loaded.image.size >= journalPolicy.minimumDatabaseSize && loaded.journalEntries < journalPolicy.maximumEntries
    }

    /// The newest state, for a writer holding the lock: the one in memory if
    /// nothing was committed since, else loaded again.
    func newestUnderLock() throws -> Loaded {
        if let cached, try currentMark() == cached.mark { return cached }
        cached = nil
        let loaded = try loadCurrent()
        cached = loaded
        return loaded
    }

    /// Loads the store file and the journal entries after it. Callers hold the
    /// lock (shared or exclusive), so no commit happens meanwhile.
    func loadCurrent() throws -> Loaded {
        guard let (header, image, storeFileBytes) = try SealedFile.openImage(at: storeFile, dataKey: dataKey) else { throw missingStore() }
        let base = Mark(generation: header.generation, nonce: header.nonce)
        var mark = base
        var entries: [(name: String, generation: UInt64, bytes: [UInt8])] = []
        for generation in journalGenerations() where generation > base.generation {
            let name = JournalEntry.fileName(generation)
            let expected = base.generation + UInt64(entries.count) + 1
            guard generation == expected else {
                throw EmbargoError(.verification, "the store journal is missing generation \(expected)",
                                   hint: "run 'embargo store verify' and restore a backup with 'embargo store restore FILE'")
            }
            guard let bytes = try SafeFile.read(journalDirectory.appendingPathComponent(name)) else {
                throw EmbargoError(.verification, "the store journal entry \(name) disappeared while it was read",
                                   hint: "run the command again")
            }
            entries.append((name, generation, bytes))
        }
        let journalBytes = entries.reduce(0) { $0 + $1.bytes.count }
        let queue = try Self.makeQueue(image)
        try Self.deserialized(queue)
        if !entries.isEmpty {
            var patchsets: [[UInt8]] = []
            defer { for index in patchsets.indices { wipe(&patchsets[index]) } }
            for (name, generation, bytes) in entries {
                let (entry, patchset) = try JournalEntry.open(bytes, file: name, generation: generation, previousNonce: mark.nonce,
                                                              dataKey: dataKey)
                patchsets.append(patchset)
                mark = Mark(generation: entry.generation, nonce: entry.nonce)
            }
            try Self.replaying(queue) { db in try JournalEntry.apply(patchsets, files: entries.map(\.name), to: db) }
        }
        let pending = try queue.read { db in try !Self.migrator.hasCompletedMigrations(db) }
        try Self.migrate(queue)
        let loaded = Loaded(queue: queue, image: image, mark: mark, base: base, storeFileBytes: storeFileBytes,
                            journalEntries: entries.count, journalBytes: journalBytes)
        loaded.migrated = pending
        return loaded
    }

    /// Seals what changed since `loaded.mark` as the next generation: a
    /// journal entry, or the whole database when the policy says so.
    func commit(_ loaded: Loaded, whole: Bool = false) throws {
        cached = nil
        removeStaleTemporaryFiles()
        let generation = loaded.mark.generation + 1
        var entry: [UInt8]?
        if !whole, let patchset = loaded.patchset, mayJournal(loaded) {
            let sealed = try JournalEntry.seal(patchset, generation: generation, previousNonce: loaded.mark.nonce, dataKey: dataKey)
            if loaded.journalBytes + sealed.count <= journalPolicy.budget(forDatabaseOf: loaded.image.size) { entry = sealed }
        }
        loaded.patchset = nil
        if let entry {
            removeJournal(upTo: loaded.base.generation)
            if !FileManager.default.fileExists(atPath: journalDirectory.path) {
                // The directory's own entry must be on disk before anything in it counts.
                try SafeFile.makePrivateDirectory(journalDirectory)
                try SafeFile.syncDirectory(directory)
            }
            try SafeFile.replaceAtomically(journalDirectory.appendingPathComponent(JournalEntry.fileName(generation)), bytes: entry)
            loaded.journalEntries += 1
            loaded.journalBytes += entry.count
            let header = try JournalEntry.header(of: entry, file: JournalEntry.fileName(generation))
            loaded.mark = Mark(generation: generation, nonce: header.nonce)
        } else {
            let sealed = try SealedFile.seal(loaded.image, generation: generation, dataKey: dataKey)
            try SafeFile.makePrivateDirectory(backupsDirectory)
            // Keep the store file being replaced as a backup; a hard link costs
            // nothing and is atomic. If the link exists already (a crash after
            // linking) it holds the same generation.
            if link(storeFile.path, backupFile(loaded.base.generation).path) != 0, errno != EEXIST, errno != ENOENT {
                throw EmbargoError(.failure, "cannot keep a backup: \(String(cString: strerror(errno)))")
            }
            try SafeFile.replaceAtomically(storeFile, bytes: sealed)
            removeJournal(upTo: generation)
            try pruneBackups()
            let header = try SealedFile.header(of: sealed)
            loaded.base = Mark(generation: generation, nonce: header.nonce)
            loaded.mark = loaded.base
            loaded.journalEntries = 0
            loaded.journalBytes = 0
            loaded.storeFileBytes = sealed.count
        }
        cached = loaded
        onCommit?(generation)
    }

    /// Generations in the journal directory, ascending.
    func journalGenerations() -> [UInt64] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: journalDirectory.path)) ?? []
        return names.compactMap(JournalEntry.generation(ofFile:)).sorted()
    }

    /// Removes the journal entries the store file already holds. They are
    /// ignored once the store file is newer, so a crash before this is harmless.
    func removeJournal(upTo generation: UInt64) {
        for old in journalGenerations() where old <= generation {
            unlink(journalDirectory.appendingPathComponent(JournalEntry.fileName(old)).path)
        }
    }

    func backupFile(_ generation: UInt64) -> URL {
        backupsDirectory.appendingPathComponent(String(format: "store.%012llu.embargo", generation))
    }

    static func generation(ofBackup url: URL) -> UInt64? {
        let name = url.lastPathComponent
        guard name.hasPrefix("store."), name.hasSuffix(".embargo") else { return nil }
        return UInt64(name.dropFirst("store.".count).dropLast(".embargo".count))
    }

    /// Backup files, oldest first.
    public func backupFiles() throws -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: backupsDirectory.path)) ?? []
        return names.map { backupsDirectory.appendingPathComponent($0) }
            .compactMap { url in Self.generation(ofBackup: url).map { (url, $0) } }
            .sorted { $0.1 < $1.1 }
            .map(\.0)
    }

    /// Temporary files of writers that were killed mid-write; only ever
    /// called under the store lock, so no live writer owns them.
    private func removeStaleTemporaryFiles() {
        for folder in [directory, backupsDirectory, journalDirectory] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
                unlink(folder.appendingPathComponent(name).path)
            }
        }
    }

    func pruneBackups() throws {
        let files = try backupFiles()
        for url in files.dropLast(Self.backupLimit) { unlink(url.path) }
    }

    /// The newest migration this version of embargo applies: the store's schema.
    public static var schema: String { EmbargoMigrations.all.last?.identifier ?? "none" }

    /// Whether `schema` is one of this version's migrations (else it is newer).
    public static func knows(schema: String) -> Bool {
        EmbargoMigrations.all.contains { $0.identifier == schema }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in EmbargoMigrations.all {
            migrator.registerMigration(migration.identifier) { db in try db.execute(sql: migration.sql) }
        }
        return migrator
    }

    static func migrate(_ queue: DatabaseQueue) throws {
        let migrator = Self.migrator
        let superseded = try queue.read { db in try migrator.hasBeenSuperseded(db) }
        if superseded {
            let newest = try queue.read { db in try migrator.appliedIdentifiers(db).sorted().last ?? "?" }
            throw EmbargoError(.failure, "the store was written by a newer embargo (schema \(newest))",
                               hint: "upgrade embargo to a version that knows this schema")
        }
        try migrator.migrate(queue)
    }

    /// The database of a new store (every migration applied, no rows): for tools and fuzzing.
    public static func emptyDatabase() throws -> SecureBytes {
        let image = try DatabaseImage(copying: [UInt8]())
        try migrate(try makeQueue(image))
        return image.snapshot()
    }

    static func makeQueue(_ image: DatabaseImage) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.label = "embargo.store"
        configuration.prepareDatabase { db in
            // Never spill plaintext to temporary files; the rollback journal
            // stays in memory too.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            try db.execute(sql: "PRAGMA journal_mode = MEMORY")
        }
        return try image.openQueue(configuration)
    }

    /// Runs `body` (which applies journal entries) in one transaction with the
    /// foreign key actions off: an entry already holds every row a cascade
    /// changed, and its rows were checked when it was committed.
    static func replaying(_ queue: DatabaseQueue, _ body: (Database) throws -> Void) throws {
        try queue.inDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
            try db.inTransaction {
                try body(db)
                return .commit
            }
        }
    }

    /// A valid seal around bytes that are not a database: SQLite notices on first use.
    private static func deserialized(_ queue: DatabaseQueue) throws {
        do {
            _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
        } catch {
            throw EmbargoError(.verification, "the store database is malformed")
        }
    }
}

/// When a commit goes to the journal. A commit re-seals the whole database
/// when the database is smaller than `minimumDatabaseSize` (cheap, and every
/// generation stays a backup), when the journal holds `maximumEntries`
/// already, or when it would grow past 1/`sizeDivisor` of the database (at
/// least `minimumBudget`). That folds the journal into a new
/// `store.embargo` and keeps the store file it replaces in `backups/`.
public struct JournalPolicy: Sendable, Equatable {
    public var minimumDatabaseSize: Int
    public var maximumEntries: Int
    public var sizeDivisor: Int
    public var minimumBudget: Int

    public init(minimumDatabaseSize: Int, maximumEntries: Int = 64, sizeDivisor: Int = 8, minimumBudget: Int = 256 << 10) {
        self.minimumDatabaseSize = minimumDatabaseSize
        self.maximumEntries = maximumEntries
        self.sizeDivisor = max(sizeDivisor, 1)
        self.minimumBudget = minimumBudget
    }

    public static let standard = JournalPolicy(minimumDatabaseSize: 4 << 20)

    /// The journal bytes allowed on top of a database of `size` bytes.
    public func budget(forDatabaseOf size: Int) -> Int {
        max(size / sizeDivisor, minimumBudget)
    }
}

extension Store {
    /// Like `write`, and re-wraps the unchanged data key for the recipients
    /// `body` returns (a member was added). The keyring is replaced before the
    /// database commits, so a crash in between can only leave an extra
    /// recipient who is not yet a member, never a member who cannot open the store.
    public func writeUpdatingKeyring(_ body: (Database) throws -> [AgeX25519Recipient]) throws {
        try exclusively {
            let loaded = try newestUnderLock()
            let recipients = try transaction(loaded, body)
            try SafeFile.replaceAtomically(keyringFile, bytes: try Keyring.seal(dataKey, to: recipients))
            try commit(loaded)
        }
    }
}

