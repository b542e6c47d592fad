import EmbargoCrypto
import Foundation
import GRDB

/// Key rotation (a member leaves) as a journal that survives a kill at any
/// point. The steps, under the store lock:
///
/// 1. the new state (the member gone, a new blob naming key, the blob
///    references renamed) is computed in memory; every backup must open;
/// 2. `keyring.next.age` wraps a fresh data key for the remaining members,
///    and the state before the change becomes a backup sealed under it;
/// 3. **commit point**: `store.next.embargo` holds the new state sealed under
///    the new key;
/// 4. every blob is re-sealed under the new key with its new name, every
///    backup re-sealed, `store.next.embargo` becomes `store.embargo`, and
///    `keyring.next.age` becomes `keyring.age`.
///
/// Whoever opens the store next finishes the job: before the commit point it
/// is undone (the member is still a member, as if the command never ran);
/// after it, a remaining member completes step 4, each part of which checks
/// the key id in the file it touches, so nothing is done twice. The removed
/// member cannot open `keyring.next.age`, so they can read nothing written
/// under the new key.
extension Store {
    static let nextStoreName = "store.next.embargo"
    var nextStoreFile: URL { directory.appendingPathComponent(Self.nextStoreName) }

    /// The columns that name blobs: renamed with the naming key, in the
    /// store and in every backup.
    static let blobReferences = [(table: "patches", column: "blob")]

    /// Like `write`, then replaces the data key with a fresh one wrapped for the
    /// recipients `body` returns, and the blob naming key with a fresh one:
    /// every blob gets a new name, in the same commit, and in every backup.
    public func writeRotatingKey(_ body: (Database) throws -> [AgeX25519Recipient]) throws {
        try exclusively {
            let loaded = try newestUnderLock()
            let generation = loaded.mark.generation
            let before = loaded.image.snapshot()
            let oldKey = dataKey
            let newKey = try DataKey.generate()
            let naming = try Self.freshNamingKey()
            var names: [String: String] = [:]
            for name in blobNames() { names[name] = Self.blobName(namingKey: naming, try blob(name)) }
            let recipients = try transaction(loaded) { db -> [AgeX25519Recipient] in
                let recipients = try body(db)
                for (key, value) in [("blob_naming_key", naming), ("blob_renames", try Self.encodeRenames(names))] {
                    try db.execute(sql: """
                        INSERT INTO store_meta (key, value) VALUES (?, ?)
                        ON CONFLICT (key) DO UPDATE SET value = excluded.value
                        """, arguments: [key, value])
                }
                try Self.renameBlobReferences(db, names)
                return recipients
            }
            cached = nil
            // If a backup cannot be read, stop before changing anything.
            for url in try backupFiles() {
                guard let bytes = try SafeFile.read(url) else { continue }
                _ = try SealedFile.open(bytes, dataKey: oldKey)
            }
            try SafeFile.makePrivateDirectory(backupsDirectory)
            try SafeFile.replaceAtomically(nextKeyringFile, bytes: try Keyring.seal(newKey, to: recipients))
            let (_, beforeImage) = try SealedFile.openImage(try SealedFile.seal(before, generation: generation, dataKey: newKey), dataKey: newKey)
            try SafeFile.replaceAtomically(backupFile(generation), bytes: try Self.resealRenaming(beforeImage, generation: generation, names, key: newKey))
            try SafeFile.replaceAtomically(nextStoreFile, bytes: try SealedFile.seal(loaded.image, generation: generation + 1, dataKey: newKey))
            try completeRotation(old: oldKey, new: newKey)
            onCommit?(generation + 1)
        }
    }

    /// Finishes (or undoes) a rotation a kill interrupted; `identity` opens the keyrings.
    func recoverRotation(identity: any AgeIdentity) throws {
        try exclusively {
            guard let next = try SafeFile.read(nextKeyringFile) else { return }
            let storeKeyID = try SafeFile.read(storeFile, limit: SealedFile.headerSize + AEAD.tagSize + 8)
                .flatMap { try? SealedFile.header(of: $0).keyID }
            if !FileManager.default.fileExists(atPath: nextStoreFile.path), storeKeyID == dataKey.id {
                // Before the commit point: undo. Only the keyring and a backup were written under the new key.
                for url in try backupFiles() {
                    if let bytes = try SafeFile.read(url, limit: SealedFile.headerSize + AEAD.tagSize + 8),
                       let header = try? SealedFile.header(of: bytes), header.keyID != dataKey.id
                    {
                        unlink(url.path)
                    }
                }
                unlink(nextKeyringFile.path)
                try SafeFile.syncDirectory(directory)
                return
            }
            // After it: a remaining member completes; a removed one cannot open the new keyring.
            guard let newKey = try? Keyring.open(next, identity: identity) else { return }
            try completeRotation(old: dataKey, new: newKey)
        }
    }

    /// Step 4, each part idempotent.
    private func completeRotation(old: DataKey, new: DataKey) throws {
        let newState = FileManager.default.fileExists(atPath: nextStoreFile.path) ? nextStoreFile : storeFile
        guard let (_, image, _) = try SealedFile.openImage(at: newState, dataKey: new) else {
            throw EmbargoError(.verification, "the key rotation's new state is missing", hint: "restore the store directory from a copy")
        }
        let queue = try Self.makeQueue(image)
        let (naming, renames) = try queue.read { db in
            (try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'blob_naming_key'"),
             try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'blob_renames'"))
        }
        let names = try renames.map(Self.decodeRenames) ?? [:]
        for name in blobNames() {
            guard let bytes = try SafeFile.read(blobFile(name)), bytes.count >= Self.blobHeaderSize,
                  Array(bytes[8..<24]) == old.id
            else { continue }
            let plaintext = try openBlob(bytes, name: name, dataKey: old)
            let renamed = naming.map { Self.blobName(namingKey: $0, plaintext) } ?? name
            if renamed != name || !FileManager.default.fileExists(atPath: blobFile(renamed).path) {
                try SafeFile.replaceAtomically(blobFile(renamed), bytes: try sealBlob(plaintext, name: renamed, dataKey: new))
            }
            if renamed != name { unlink(blobFile(name).path) }
        }
        for url in try backupFiles() {
            guard let bytes = try SafeFile.read(url), let header = try? SealedFile.header(of: bytes), header.keyID == old.id else { continue }
            let (_, backup) = try SealedFile.openImage(bytes, dataKey: old)
            try SafeFile.replaceAtomically(url, bytes: try Self.resealRenaming(backup, generation: header.generation, names, key: new))
        }
        if FileManager.default.fileExists(atPath: nextStoreFile.path) {
            guard rename(nextStoreFile.path, storeFile.path) == 0 else {
                throw EmbargoError(.failure, "cannot install the rotated store: \(String(cString: strerror(errno)))", hint: "run any command again to finish")
            }
            try SafeFile.syncDirectory(directory)
        }
        guard rename(nextKeyringFile.path, keyringFile.path) == 0 else {
            throw EmbargoError(.failure, "cannot install the new keyring: \(String(cString: strerror(errno)))", hint: "run any command again to finish")
        }
        try SafeFile.syncDirectory(directory)
        dataKey = new
        cached = nil
        // The journal's entries, sealed under the old key, are older than the new store file.
        if let bytes = try SafeFile.read(storeFile, limit: SealedFile.headerSize + AEAD.tagSize + 8) {
            removeJournal(upTo: try SealedFile.header(of: bytes).generation)
        }
        try pruneBackups()
    }

    static func renameBlobReferences(_ db: Database, _ names: [String: String]) throws {
        for (table, column) in blobReferences where try db.tableExists(table) {
            for (old, new) in names where old != new {
                try db.execute(sql: "UPDATE \(table) SET \(column) = ? WHERE \(column) = ?", arguments: [new, old])
            }
        }
    }

    /// A backup's database with its blob references renamed, sealed under `key`.
    static func resealRenaming(_ image: DatabaseImage, generation: UInt64, _ names: [String: String], key: DataKey) throws -> [UInt8] {
        if !names.isEmpty {
            let queue = try makeQueue(image)
            try queue.write { db in try renameBlobReferences(db, names) }
        }
        return try SealedFile.seal(image, generation: generation, dataKey: key)
    }

    static func encodeRenames(_ names: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(names), as: UTF8.self)
    }

    static func decodeRenames(_ text: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }
}
