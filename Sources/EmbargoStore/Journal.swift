import CStoreImage
import EmbargoCrypto
import Foundation
import GRDB
import GRDBSQLite

/// One commit of a large store, sealed on its own: the SQLite patchset of
/// the rows the commit inserted, changed and deleted (by primary key, with
/// the new values), recorded by SQLite's session extension. A store's state is `store.embargo`
/// (a whole database, generation G) followed by the entries G+1, G+2, ... in
/// `journal/`, each naming the nonce of the file it follows, so that none can
/// be left out, reordered or taken from elsewhere.
///
///     magic "EMBJRNL2" (8) | generation u64 BE | key id (16) |
///     previous nonce (12) | nonce (12) | AES-256-GCM(patchset) | tag (16)
///
/// The header is the associated data. Replaying applies the patchsets
/// exactly: a row that is not as the entry expects it stops the load.
public struct JournalEntry: Sendable, Equatable {
    public static let magic = Array("EMBJRNL2".utf8)
    /// Entries of 4 KiB database chunks, which development versions wrote.
    static let chunkMagic = Array("EMBJRNL1".utf8)
    public static let headerSize = 8 + 8 + 16 + 12 + 12

    var generation: UInt64
    var keyID: [UInt8]
    var previousNonce: [UInt8]
    var nonce: [UInt8]

    static func fileName(_ generation: UInt64) -> String {
        String(format: "entry.%012llu.embargo", generation)
    }

    static func generation(ofFile name: String) -> UInt64? {
        guard name.hasPrefix("entry."), name.hasSuffix(".embargo") else { return nil }
        let digits = name.dropFirst("entry.".count).dropLast(".embargo".count)
        guard digits.count == 12, digits.allSatisfy(\.isASCII) else { return nil }
        return UInt64(digits)
    }

    /// Seals `patchset` as entry `generation`, following the state sealed with `previousNonce`.
    static func seal(_ patchset: SecureBytes, generation: UInt64, previousNonce: [UInt8], dataKey: DataKey) throws -> [UInt8] {
        var header = magic
        header += bigEndianBytes(generation)
        header += dataKey.id
        header += previousNonce
        header += try Random.bytes(AEAD.nonceSize)
        return try patchset.withUnsafeBytes { bytes in
            try SealedFile.sealed(header: header, parts: [bytes], dataKey: dataKey)
        }
    }

    /// Reads the header without decrypting.
    static func header(of bytes: [UInt8], file: String) throws -> JournalEntry {
        if bytes.count >= chunkMagic.count, Array(bytes[0..<chunkMagic.count]) == chunkMagic {
            throw EmbargoError(.failure, "the store journal entry \(file) was written by a development version of embargo that kept 4 KiB chunks",
                               hint: "open the store with that version and run 'embargo store backup --out FILE', then 'embargo store restore FILE' with this one")
        }
        guard bytes.count >= headerSize + AEAD.tagSize, Array(bytes[0..<magic.count]) == magic else {
            throw damaged(file, "is not a store journal entry or is truncated")
        }
        let generation = bytes.withUnsafeBytes { readBigEndian($0, at: 8, count: 8) }
        return JournalEntry(generation: generation, keyID: Array(bytes[16..<32]), previousNonce: Array(bytes[32..<44]),
                            nonce: Array(bytes[44..<headerSize]))
    }

    /// Authenticates the entry in `bytes`, checks that it is generation
    /// `generation` following the file whose nonce is `previousNonce` and that
    /// its plaintext is a patchset; returns the patchset (the caller wipes it).
    static func open(_ bytes: [UInt8], file: String, generation: UInt64, previousNonce: [UInt8], dataKey: DataKey) throws
        -> (entry: JournalEntry, patchset: [UInt8])
    {
        let entry = try header(of: bytes, file: file)
        guard entry.generation == generation else {
            throw damaged(file, "holds generation \(entry.generation), not \(generation)")
        }
        guard constantTimeEqual(entry.keyID, dataKey.id) else {
            throw damaged(file, "was sealed with a different data key than the store")
        }
        guard entry.previousNonce == previousNonce else {
            throw damaged(file, "does not follow the state before it")
        }
        var patchset: [UInt8]
        do {
            patchset = try AEAD.open(.aes256gcm, key: dataKey.key, nonce: entry.nonce, ciphertext: bytes[headerSize...],
                                     aad: Array(bytes[0..<headerSize]))
        } catch {
            throw damaged(file, "failed authentication: it was modified or damaged")
        }
        guard patchset.count <= Int(Int32.max), patchset.withUnsafeBufferPointer({ emb_patchset_well_formed($0.baseAddress, $0.count) }) == 1 else {
            wipe(&patchset)
            throw damaged(file, "is malformed")
        }
        return (entry, patchset)
    }

    /// Applies the patchsets `open` returned for the entries `files`, in order, as one to `db`.
    static func apply(_ patchsets: [[UInt8]], files: [String], to db: Database) throws {
        var joined = patchsets.flatMap { $0 }
        defer { wipe(&joined) }
        let sizes = patchsets.map { Int32($0.count) }
        let result = joined.withUnsafeBufferPointer { bytes in
            emb_patchsets_apply(UnsafeMutableRawPointer(db.sqliteConnection), bytes.baseAddress, sizes, Int32(sizes.count))
        }
        guard result == SQLITE_OK else {
            let what = files.count == 1 ? files[0] : "\(files.first ?? "") to \(files.last ?? "")"
            throw damaged(what, "does not apply to the state before it (SQLite code \(result))")
        }
    }

    private static func damaged(_ file: String, _ problem: String) -> EmbargoError {
        EmbargoError(.verification, "the store journal entry \(file) \(problem)",
                     hint: "run 'embargo store verify' and restore a backup with 'embargo store restore FILE'")
    }
}

extension JournalEntry {
    /// The database that the entry `bytes` (generation `generation`, following
    /// the state sealed with `previousNonce`) makes of `database`: for tools
    /// and fuzzing. Throws a verification error for anything but a valid entry.
    public static func replay(_ bytes: [UInt8], onto database: [UInt8], generation: UInt64, previousNonce: [UInt8],
                              dataKey: DataKey) throws -> SecureBytes
    {
        let image = try DatabaseImage(copying: database)
        let queue = try Store.makeQueue(image)
        var (_, patchset) = try open(bytes, file: "entry", generation: generation, previousNonce: previousNonce, dataKey: dataKey)
        defer { wipe(&patchset) }
        try Store.replaying(queue) { db in try apply([patchset], files: ["entry"], to: db) }
        return image.snapshot()
    }
}

/// The row changes one transaction makes, recorded by SQLite's session
/// extension on the connection: every table of the main database, each
/// named by its primary key (a table without one is not recorded, so every
/// table of the store has one).
// Not Sendable: it belongs to the connection it records, used from one thread.
final class ChangeRecording {
    private var handle: UnsafeMutableRawPointer?
    private let schemaVersion: Int

    init(_ db: Database) throws {
        schemaVersion = try Int.fetchOne(db, sql: "PRAGMA schema_version") ?? 0
        let result = emb_recording_start(UnsafeMutableRawPointer(db.sqliteConnection), &handle)
        guard result == SQLITE_OK else {
            throw EmbargoError(.failure, "cannot record the store's changes (SQLite code \(result))")
        }
    }

    deinit { emb_recording_end(handle) }

    /// The patchset so far; nil when the schema changed (a patchset holds
    /// rows only, so such a commit must be sealed whole).
    func patchset(_ db: Database) throws -> SecureBytes? {
        guard try Int.fetchOne(db, sql: "PRAGMA schema_version") == schemaVersion else { return nil }
        var bytes: UnsafeMutableRawPointer?
        var size: Int32 = 0
        let result = emb_recording_patchset(handle, &bytes, &size)
        let count = bytes == nil ? 0 : Int(size)
        defer {
            if let bytes { memset(bytes, 0, count) }
            emb_patchset_free(bytes)
        }
        guard result == SQLITE_OK else {
            throw EmbargoError(.failure, "cannot record the store's changes (SQLite code \(result))")
        }
        return SecureBytes(count: count) { target in
            if count > 0 { target.copyMemory(from: UnsafeRawBufferPointer(start: bytes, count: count)) }
        }
    }
}
