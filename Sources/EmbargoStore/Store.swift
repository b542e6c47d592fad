import EmbargoCrypto
import EmbargoSchema
import Foundation
import GRDB
import GRDBSQLite

/// The encrypted store: one SQLite database that lives only in memory and is
/// sealed into `store.embargo` on every commit.
///
/// ```swift
/// let store = try Store.open(at: directory, identity: identity)
/// try store.write { db in try db.execute(sql: "INSERT ...") }
/// let names = try store.read { db in try String.fetchAll(db, sql: "SELECT name FROM members") }
/// ```
///
/// Every write takes an exclusive `flock`, reloads the newest committed state,
/// runs in a transaction and replaces the file atomically; the previous
/// generations stay in `backups/` (the newest `backupLimit`).
// Not Sendable: one process uses one Store from one thread at a time.
public final class Store {
    public static let fileName = "store.embargo"
    public static let keyringName = "keyring.age"
    static let nextKeyringName = "keyring.next.age"
    public static let backupLimit = 10

    public let directory: URL
    var dataKey: DataKey
    /// The other key of a key rotation that was interrupted (from keyring.next.age),
    /// so that blobs already re-sealed under it stay readable.
    var alternateKey: DataKey?
    /// The decrypted database of the newest generation this process saw, for reads.
    private var cached: (generation: UInt64, queue: DatabaseQueue)?

    public var storeFile: URL { directory.appendingPathComponent(Self.fileName) }
    public var keyringFile: URL { directory.appendingPathComponent(Self.keyringName) }
    var nextKeyringFile: URL { directory.appendingPathComponent(Self.nextKeyringName) }
    public var backupsDirectory: URL { directory.appendingPathComponent("backups") }
    var lockFile: URL { directory.appendingPathComponent("lock") }

    private init(directory: URL, dataKey: DataKey) {
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
            throw EmbargoError(.failure, "a store already exists in \(directory.path)",
                               hint: "use it with --store, or choose another directory")
        }
        try SafeFile.makePrivateDirectory(store.backupsDirectory)
        let queue = try makeQueue()
        try migrate(queue)
        try queue.write { db in try setup(db) }
        let sealed = try SealedFile.seal(try serialize(queue), generation: 1, dataKey: store.dataKey)
        try SafeFile.replaceAtomically(store.keyringFile, bytes: try Keyring.seal(store.dataKey, to: recipients))
        try SafeFile.replaceAtomically(store.storeFile, bytes: sealed)
        return store
    }

    /// Opens the store with a member's identity (unwraps the data key).
    public static func open(at directory: URL, identity: any AgeIdentity) throws -> Store {
        guard let keyring = try SafeFile.read(directory.appendingPathComponent(keyringName)),
              exists(at: directory)
        else {
            throw EmbargoError(.failure, "no embargo store in \(directory.path)",
                               hint: "run 'embargo init' to create one, or pass --store DIR")
        }
        var dataKey = try Keyring.open(keyring, identity: identity)
        var alternate: DataKey?
        // An interrupted key rotation leaves the new key in keyring.next.age:
        // the store file tells which of the two keys sealed it.
        if let next = try SafeFile.read(directory.appendingPathComponent(nextKeyringName)),
           let nextKey = try? Keyring.open(next, identity: identity), nextKey.id != dataKey.id
        {
            alternate = nextKey
            if let current = try SafeFile.read(directory.appendingPathComponent(fileName)),
               let header = try? SealedFile.header(of: current), header.keyID == nextKey.id
            {
                alternate = dataKey
                dataKey = nextKey
            }
        }
        let store = Store(directory: directory, dataKey: dataKey)
        store.alternateKey = alternate
        return store
    }

    // MARK: Reading and writing

    /// Runs `body` on the newest committed state (read-only).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        // Several reads in one command reuse the decrypted database while no
        // other process has committed a newer generation.
        let queue: DatabaseQueue
        if let cached, let header = try? currentHeader(), header.generation == cached.generation, header.keyID == dataKey.id {
            queue = cached.queue
        } else {
            let (loaded, generation) = try loadCurrent()
            cached = (generation, loaded)
            queue = loaded
        }
        return try queue.read { db in try body(db) }
    }

    /// The generation of the newest committed state.
    public func generation() throws -> UInt64 {
        try currentHeader().generation
    }

    /// The store file's header, read without the rest of the file.
    func currentHeader() throws -> SealedFile {
        guard let bytes = try SafeFile.read(storeFile, limit: SealedFile.headerSize + AEAD.tagSize + 8) else { throw missingStore() }
        return try SealedFile.header(of: bytes)
    }

    /// Runs `body` in a transaction on the newest state under the store lock
    /// and commits the result as a new generation. Nothing is written when
    /// `body` throws.
    @discardableResult
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        let lock = try FileLock(lockFile)
        defer { lock.unlock() }
        let (queue, generation) = try loadCurrent()
        let result = try queue.write { db in try body(db) }
        try commit(queue, after: generation)
        return result
    }

    /// Like `write`, then replaces the data key with a fresh one wrapped for the
    /// recipients `body` returns, and re-seals the store and every backup, so
    /// that whoever is no longer a recipient can open neither.
    public func writeRotatingKey(_ body: (Database) throws -> [AgeX25519Recipient]) throws {
        let lock = try FileLock(lockFile)
        defer { lock.unlock() }
        let (queue, generation) = try loadCurrent()
        let recipients = try queue.write { db in try body(db) }
        let newKey = try DataKey.generate()

        // Decrypt every backup first: if one cannot be read, stop before changing anything.
        let backups = try backupFiles().map { url -> (URL, UInt64, SecureBytes) in
            guard let bytes = try SafeFile.read(url) else {
                throw EmbargoError(.failure, "backup \(url.lastPathComponent) disappeared during key rotation")
            }
            let (header, plaintext) = try SealedFile.open(bytes, dataKey: dataKey)
            return (url, header.generation, plaintext)
        }
        guard let currentBytes = try SafeFile.read(storeFile) else { throw missingStore() }
        let (_, currentPlaintext) = try SealedFile.open(currentBytes, dataKey: dataKey)

        try SafeFile.replaceAtomically(nextKeyringFile, bytes: try Keyring.seal(newKey, to: recipients))
        try resealBlobs(from: dataKey, to: newKey)
        for (url, backupGeneration, plaintext) in backups {
            try SafeFile.replaceAtomically(url, bytes: try SealedFile.seal(plaintext, generation: backupGeneration, dataKey: newKey))
        }
        try SafeFile.replaceAtomically(
            backupFile(generation), bytes: try SealedFile.seal(currentPlaintext, generation: generation, dataKey: newKey))
        try SafeFile.replaceAtomically(
            storeFile, bytes: try SealedFile.seal(try Self.serialize(queue), generation: generation + 1, dataKey: newKey))
        guard rename(nextKeyringFile.path, keyringFile.path) == 0 else {
            throw EmbargoError(.failure, "cannot install the new keyring: \(String(cString: strerror(errno)))",
                               hint: "run the command again; the store opens with keyring.next.age meanwhile")
        }
        try SafeFile.syncDirectory(directory)
        dataKey = newKey
        alternateKey = nil
        try pruneBackups()
    }

    // MARK: Verification, backup and restore

    public struct Verification: Sendable, Codable, Equatable {
        public var generation: UInt64
        public var schema: String
        public var sizeBytes: Int
        public var keyID: String
        public var backups: [BackupStatus]
    }

    public struct BackupStatus: Sendable, Codable, Equatable {
        public var generation: UInt64
        public var ok: Bool
        public var problem: String?
    }

    /// Authenticates the store and every backup, checks SQLite integrity and
    /// the schema. Throws a verification error naming the first problem in the
    /// current state; damaged backups are reported in the result.
    public func verify() throws -> Verification {
        guard let bytes = try SafeFile.read(storeFile) else { throw missingStore() }
        let (queue, generation) = try load(bytes)
        let schema = try queue.read { db -> String in
            let check = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            guard check == ["ok"] else {
                throw EmbargoError(.verification, "the store database failed its integrity check")
            }
            return try Self.migrator.completedMigrations(db).last ?? "none"
        }
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
        return Verification(generation: generation, schema: schema, sizeBytes: bytes.count,
                            keyID: dataKey.idHex, backups: statuses)
    }

    /// Writes the current sealed state to `url` (which must not exist).
    public func exportBackup(to url: URL) throws -> UInt64 {
        guard let bytes = try SafeFile.read(storeFile) else { throw missingStore() }
        let (_, generation) = try load(bytes)
        try SafeFile.createExclusive(url, bytes: bytes)
        return generation
    }

    /// Makes the state held in a backup file the newest generation. The file
    /// must be sealed with this store's current data key and open cleanly.
    public func restore(from url: URL) throws -> (restored: UInt64, generation: UInt64) {
        guard let bytes = try SafeFile.read(url) else {
            throw EmbargoError(.failure, "no backup file at \(url.path)")
        }
        let (queue, restored) = try load(bytes)
        let lock = try FileLock(lockFile)
        defer { lock.unlock() }
        guard let currentBytes = try SafeFile.read(storeFile) else { throw missingStore() }
        let current = try SealedFile.header(of: currentBytes).generation
        try commit(queue, after: current)
        return (restored, current + 1)
    }

    // MARK: Internals

    private func missingStore() -> EmbargoError {
        EmbargoError(.failure, "no embargo store in \(directory.path)",
                     hint: "run 'embargo init' to create one, or pass --store DIR")
    }

    func loadCurrent() throws -> (DatabaseQueue, UInt64) {
        guard let bytes = try SafeFile.read(storeFile) else { throw missingStore() }
        return try load(bytes)
    }

    private func load(_ bytes: [UInt8]) throws -> (DatabaseQueue, UInt64) {
        let (header, plaintext) = try SealedFile.open(bytes, dataKey: dataKey)
        let queue = try Self.makeQueue()
        try queue.writeWithoutTransaction { db in try Self.deserialize(plaintext, into: db) }
        try Self.migrate(queue)
        return (queue, header.generation)
    }

    func commit(_ queue: DatabaseQueue, after generation: UInt64) throws {
        cached = nil
        removeStaleTemporaryFiles()
        let sealed = try SealedFile.seal(try Self.serialize(queue), generation: generation + 1, dataKey: dataKey)
        try SafeFile.makePrivateDirectory(backupsDirectory)
        // Keep the state being replaced as a backup; a hard link costs nothing
        // and is atomic. If the link exists already (a crash after linking) it
        // holds the same generation.
        if link(storeFile.path, backupFile(generation).path) != 0, errno != EEXIST {
            throw EmbargoError(.failure, "cannot keep a backup: \(String(cString: strerror(errno)))")
        }
        try SafeFile.replaceAtomically(storeFile, bytes: sealed)
        try pruneBackups()
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
        for folder in [directory, backupsDirectory] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
                unlink(folder.appendingPathComponent(name).path)
            }
        }
    }

    private func pruneBackups() throws {
        let files = try backupFiles()
        for url in files.dropLast(Self.backupLimit) { unlink(url.path) }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in EmbargoMigrations.all {
            migrator.registerMigration(migration.identifier) { db in try db.execute(sql: migration.sql) }
        }
        return migrator
    }

    private static func migrate(_ queue: DatabaseQueue) throws {
        let migrator = Self.migrator
        let superseded = try queue.read { db in try migrator.hasBeenSuperseded(db) }
        if superseded {
            let newest = try queue.read { db in try migrator.appliedIdentifiers(db).sorted().last ?? "?" }
            throw EmbargoError(.failure, "the store was written by a newer embargo (schema \(newest))",
                               hint: "upgrade embargo to a version that knows this schema")
        }
        try migrator.migrate(queue)
    }

    private static func makeQueue() throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.label = "embargo.store"
        configuration.prepareDatabase { db in
            // Never spill plaintext to temporary files.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        return try DatabaseQueue(configuration: configuration)
    }

    private static func serialize(_ queue: DatabaseQueue) throws -> SecureBytes {
        try queue.writeWithoutTransaction { db -> SecureBytes in
            var size: sqlite3_int64 = 0
            guard let pointer = sqlite3_serialize(db.sqliteConnection, "main", &size, 0) else {
                throw EmbargoError(.failure, "cannot serialise the store database (out of memory)")
            }
            defer {
                memset(pointer, 0, Int(size))
                sqlite3_free(pointer)
            }
            return SecureBytes(copying: UnsafeRawBufferPointer(start: pointer, count: Int(size)))
        }
    }

    private static func deserialize(_ plaintext: SecureBytes, into db: Database) throws {
        let size = plaintext.count
        guard let buffer = sqlite3_malloc64(sqlite3_uint64(max(size, 1))) else {
            throw EmbargoError(.failure, "cannot load the store database (out of memory)")
        }
        plaintext.withUnsafeBytes { source in
            if size > 0 { buffer.copyMemory(from: source.baseAddress!, byteCount: size) }
        }
        let flags = UInt32(SQLITE_DESERIALIZE_FREEONCLOSE) | UInt32(SQLITE_DESERIALIZE_RESIZEABLE)
        let rc = sqlite3_deserialize(
            db.sqliteConnection, "main", buffer.assumingMemoryBound(to: UInt8.self),
            sqlite3_int64(size), sqlite3_int64(size), flags)
        guard rc == SQLITE_OK else {
            throw EmbargoError(.verification, "the store database is malformed (SQLite code \(rc))")
        }
        // A valid seal around bytes that are not a database: SQLite notices on first use.
        do {
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
        } catch {
            throw EmbargoError(.verification, "the store database is malformed")
        }
    }
}

extension Store {
    /// Like `write`, and re-wraps the unchanged data key for the recipients
    /// `body` returns (a member was added). The keyring is replaced before the
    /// database commits, so a crash in between can only leave an extra
    /// recipient who is not yet a member, never a member who cannot open the store.
    public func writeUpdatingKeyring(_ body: (Database) throws -> [AgeX25519Recipient]) throws {
        let lock = try FileLock(lockFile)
        defer { lock.unlock() }
        let (queue, generation) = try loadCurrent()
        let recipients = try queue.write { db in try body(db) }
        try SafeFile.replaceAtomically(keyringFile, bytes: try Keyring.seal(dataKey, to: recipients))
        try commit(queue, after: generation)
    }
}
