import EmbargoCrypto
import Foundation
import GRDB

/// A copy of a store's database in memory, for sync to read and change
/// without touching the store: the base state of the last sync, the state the
/// team's remote holds, a merge. It becomes the store's state only through
/// `Store.replaceState(with:ifGeneration:)`.
public final class StoreState {
    public let queue: DatabaseQueue
    let image: DatabaseImage

    init(image: DatabaseImage) throws {
        self.image = image
        queue = try Store.makeQueue(image)
        try Store.migrate(queue)
    }

    /// A copy of the raw SQLite database bytes (a snapshot in the team log).
    public func databaseBytes() -> SecureBytes { image.snapshot() }

    /// An independent copy of this state.
    public func copy() throws -> StoreState {
        try StoreState(copying: image)
    }

    /// A state of its own holding the database `image` holds now.
    convenience init(copying image: DatabaseImage) throws {
        try self.init(image: image.withBytes { try DatabaseImage(copying: $0) })
    }
}

extension Store {
    /// A copy of the newest committed state, and its generation.
    public func currentState() throws -> (state: StoreState, generation: UInt64) {
        // `read` leaves the state it read in `cached`.
        try read { _ in }
        guard let loaded = cached else { throw EmbargoError(.failure, "the store state could not be read") }
        return (try StoreState(copying: loaded.image), loaded.mark.generation)
    }

    /// A state from raw SQLite database bytes (a snapshot taken from the team log).
    public func state(fromDatabase bytes: SecureBytes) throws -> StoreState {
        try bytes.withUnsafeBytes { try StoreState(image: DatabaseImage(copying: $0)) }
    }

    /// Seals a state under the data key (the base of the last sync is kept so).
    public func seal(_ state: StoreState, generation: UInt64 = 0) throws -> [UInt8] {
        try SealedFile.seal(state.image, generation: generation, dataKey: dataKey)
    }

    /// Opens the state sealed by `seal(_:)` in the file at `url` (read and
    /// decrypted in place), and the generation it was sealed with; nil when
    /// there is no such file.
    public func openState(at url: URL) throws -> (state: StoreState, generation: UInt64)? {
        guard let (header, image, _) = try SealedFile.openImage(at: url, dataKey: dataKey) else { return nil }
        return (try StoreState(image: image), header.generation)
    }

    /// Makes `state` the newest generation, if the store is still at
    /// `generation` (no other command committed meanwhile); false otherwise.
    /// The state is handed over: the caller must not use it afterwards.
    public func replaceState(with state: StoreState, ifGeneration generation: UInt64) throws -> Bool {
        try exclusively {
            let current = try newestUnderLock()
            guard current.mark.generation == generation else { return false }
            cached = nil
            let replaced = Loaded(queue: state.queue, image: state.image, mark: current.mark, base: current.base,
                                  storeFileBytes: current.storeFileBytes, journalEntries: current.journalEntries,
                                  journalBytes: current.journalBytes)
            try commit(replaced, whole: true)
            return true
        }
    }

    /// The id of the data key, which every sealed file names.
    public var dataKeyID: [UInt8] { dataKey.id }

    /// The store in `directory` with its data key unwrapped and nothing else
    /// read: for a sync that only sends what an earlier command sealed, and
    /// checks the store's generation from the files' headers. Nil when there
    /// is no store or a key rotation is unfinished (a full open finishes it).
    public static func openKeyOnly(at directory: URL, identity: any AgeIdentity) throws -> Store? {
        guard exists(at: directory), !FileManager.default.fileExists(atPath: directory.appendingPathComponent(nextKeyringName).path),
              let keyring = try SafeFile.read(directory.appendingPathComponent(keyringName))
        else { return nil }
        return Store(directory: directory, dataKey: try Keyring.open(keyring, identity: identity))
    }

    /// The generation a file `seal(_:generation:)` wrote was sealed with, read
    /// from its header alone; nil when it is missing or not such a file.
    public static func sealedGeneration(at url: URL) -> UInt64? {
        guard let bytes = try? SafeFile.read(url, limit: SealedFile.headerSize + AEAD.tagSize + 8) else { return nil }
        return try? SealedFile.header(of: bytes).generation
    }

    // MARK: Sealing team log entries

    /// Seals `body` under the data key with `header` as associated data (the
    /// header must end with a fresh nonce).
    public func sealTeamFile(header: [UInt8], body: [UInt8]) throws -> [UInt8] {
        try body.withUnsafeBytes { part in try SealedFile.sealed(header: header, parts: [part], dataKey: dataKey) }
    }

    /// Opens what `sealTeamFile` sealed: the first `headerSize` bytes are the
    /// header, whose key id sits at `keyIDOffset`.
    public func openTeamFile(_ bytes: [UInt8], headerSize: Int, keyIDOffset: Int, what: String) throws -> [UInt8] {
        guard bytes.count >= headerSize + AEAD.tagSize else {
            throw EmbargoError(.verification, "\(what) is truncated", hint: "the team remote was damaged; ask an admin to check it")
        }
        guard constantTimeEqual(Array(bytes[keyIDOffset..<(keyIDOffset + 16)]), dataKey.id) else {
            throw EmbargoError(.verification, "\(what) is sealed under another data key than this store's",
                               hint: "the store's key was rotated (a member was removed) or the file is not from this store")
        }
        let header = Array(bytes[0..<headerSize])
        do {
            return try AEAD.open(.aes256gcm, key: dataKey.key, nonce: Array(header.suffix(AEAD.nonceSize)),
                                 ciphertext: bytes[headerSize...], aad: header)
        } catch {
            throw EmbargoError(.verification, "\(what) failed authentication: it was modified or damaged",
                               hint: "the team remote was tampered with; ask an admin to check it and restore it")
        }
    }

    // MARK: Blob files, as sealed

    /// The sealed bytes of a blob, as stored (for the team remote).
    public func sealedBlob(_ name: String) throws -> [UInt8]? {
        guard Self.isBlobName(name) else { return nil }
        return try SafeFile.read(blobFile(name))
    }

    /// Keeps a sealed blob received from the team remote, after checking that
    /// it opens under this store's key with this name.
    public func putSealedBlob(_ name: String, _ bytes: [UInt8]) throws {
        guard Self.isBlobName(name) else {
            throw EmbargoError(.verification, "the team remote holds a blob with an invalid name", hint: "the remote was damaged")
        }
        _ = try openBlob(bytes, name: name, dataKey: dataKey)
        try SafeFile.makePrivateDirectory(blobsDirectory)
        try SafeFile.replaceAtomically(blobFile(name), bytes: bytes)
    }

    public func hasBlob(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: blobFile(name).path)
    }

    /// Creates a store from a state received from the team remote: the
    /// keyring as the remote holds it, the state as generation 1.
    public static func adopt(at directory: URL, keyring: [UInt8], identity: any AgeIdentity,
                             state build: (Store) throws -> StoreState) throws -> Store {
        if exists(at: directory) {
            throw EmbargoError(.refused, "a store already exists in \(directory.path)", hint: "clone into another directory with --store DIR")
        }
        let dataKey = try Keyring.open(keyring, identity: identity)
        try SafeFile.makePrivateDirectory(directory)
        let store = Store(directory: directory, dataKey: dataKey)
        let state = try build(store)
        try SafeFile.makePrivateDirectory(store.backupsDirectory)
        try SafeFile.replaceAtomically(store.keyringFile, bytes: keyring)
        try SafeFile.replaceAtomically(store.storeFile, bytes: try SealedFile.seal(state.image, generation: 1, dataKey: dataKey))
        return store
    }

    /// The keyring file's bytes.
    public func keyringBytes() throws -> [UInt8] {
        guard let bytes = try SafeFile.read(keyringFile) else {
            throw EmbargoError(.verification, "\(Self.keyringName) is missing", hint: restoreHint(missing: Self.keyringName))
        }
        return bytes
    }
}

extension Store {
    /// The data key a keyring from the team remote holds for `identity`
    /// (exit 5 when it is not wrapped for them: they were removed).
    public func keyID(ofKeyring keyring: [UInt8], identity: any AgeIdentity) throws -> [UInt8] {
        try Keyring.open(keyring, identity: identity).id
    }

    /// Takes over the data key another member rotated to (they removed a
    /// member): the keyring as the team remote holds it, and every file of
    /// this store sealed again under the new key: the store file, the
    /// backups, the blobs, and `extra` (files sealed with `seal(_:)`).
    public func adoptRotatedKey(keyring: [UInt8], identity: any AgeIdentity, extra: [URL]) throws {
        let new = try Keyring.open(keyring, identity: identity)
        guard new.id != dataKey.id else { return }
        try exclusively {
            let old = dataKey
            let current = try newestUnderLock()
            // The store file first: from here on this machine works under the new key.
            dataKey = new
            cached = nil
            try commit(current, whole: true)
            for name in blobNames() {
                guard let bytes = try SafeFile.read(blobFile(name)), bytes.count >= Self.blobHeaderSize, Array(bytes[8..<24]) == old.id else { continue }
                try SafeFile.replaceAtomically(blobFile(name), bytes: try sealBlob(try openBlob(bytes, name: name, dataKey: old), name: name, dataKey: new))
            }
            for url in try backupFiles() + extra {
                guard let bytes = try SafeFile.read(url), let header = try? SealedFile.header(of: bytes), header.keyID == old.id else { continue }
                let (_, image) = try SealedFile.openImage(bytes, dataKey: old)
                try SafeFile.replaceAtomically(url, bytes: try SealedFile.seal(image, generation: header.generation, dataKey: new))
            }
            try SafeFile.replaceAtomically(keyringFile, bytes: keyring)
            removeJournal(upTo: current.mark.generation)
        }
    }
}

extension StoreState {
    /// The schema of `db` as names: every table with its columns, every
    /// index, trigger and view (SQLite's own bookkeeping tables aside).
    static func schemaShape(_ db: Database) throws -> Set<String> {
        var shape: Set<String> = []
        for row in try Row.fetchAll(db, sql: "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_sequence' AND name NOT LIKE 'sqlite_stat%'") {
            let type: String = row["type"], name: String = row["name"]
            shape.insert("\(type) \(name)")
            guard type == "table" else { continue }
            for column in try Row.fetchAll(db, sql: "SELECT name, type, \"notnull\", pk FROM pragma_table_xinfo(?)", arguments: [name]) {
                shape.insert("column \(name).\(column["name"] as String) \(column["type"] as String) \(column["notnull"] as Int) \(column["pk"] as Int)")
            }
        }
        return shape
    }

    /// The schema every store of this version has: its migrations on an empty database.
    static let expectedShape: Result<Set<String>, any Error> = Result {
        try StoreState(image: DatabaseImage(copying: [UInt8]())).queue.read(schemaShape)
    }

    /// What this state's schema has that a store of this version does not, or
    /// lacks (`it holds trigger zz_move`, `it lacks table patch_checks`), or nil when it is the
    /// same. Rows alone cannot say what a database does: a trigger rewrites
    /// rows inside every later command, and a table dropped takes its rows
    /// along unseen. A state taken from elsewhere (a team snapshot) is checked.
    public func schemaDrift() throws -> String? {
        let expected = try Self.expectedShape.get()
        let actual = try queue.read(Self.schemaShape)
        // Tables first, then triggers, indexes and views, then columns: a dropped table is named, not its index.
        func rank(_ name: String) -> Int { name.hasPrefix("table ") ? 0 : name.hasPrefix("column ") ? 2 : 1 }
        func first(_ names: Set<String>) -> String? { names.min { (rank($0), $0) < (rank($1), $1) } }
        if let extra = first(actual.subtracting(expected)) { return "it holds \(extra.prefix(120)), which this version's schema has not" }
        if let missing = first(expected.subtracting(actual)) { return "it lacks \(missing.prefix(120)) of this version's schema" }
        return nil
    }
}
