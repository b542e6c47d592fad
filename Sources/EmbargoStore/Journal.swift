import EmbargoCrypto
import Foundation

/// One commit of a large store, sealed on its own: the 4 KiB chunks of the
/// database that the commit wrote, and the database's new size. A store's
/// state is `store.embargo` (a whole database, generation G) followed by the
/// entries G+1, G+2, ... in `journal/`, each naming the nonce of the file it
/// follows, so that none can be left out, reordered or taken from elsewhere.
///
///     magic "EMBJRNL1" (8) | generation u64 BE | key id (16) |
///     previous nonce (12) | nonce (12) | AES-256-GCM(ciphertext) | tag (16)
///
/// The header is the associated data. The plaintext is
/// `database size u64 | chunk count u32 | chunk index u32 ... | chunk bytes`,
/// every chunk 4 KiB except one that ends the database.
public struct JournalEntry: Sendable, Equatable {
    public static let magic = Array("EMBJRNL1".utf8)
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

    /// Seals the chunks of `image` written since the state sealed with `previousNonce`.
    static func seal(_ image: DatabaseImage, generation: UInt64, previousNonce: [UInt8], dataKey: DataKey) throws -> [UInt8] {
        var header = magic
        header += bigEndianBytes(generation)
        header += dataKey.id
        header += previousNonce
        header += try Random.bytes(AEAD.nonceSize)
        let chunks = image.writtenChunks()
        var index = bigEndianBytes(UInt64(image.size)) + bigEndianBytes(UInt32(chunks.count))
        index.reserveCapacity(12 + 4 * chunks.count)
        for chunk in chunks { index += bigEndianBytes(chunk) }
        return try image.withBytes { database in
            let parts = chunks.map { chunk in
                let start = Int(chunk) * DatabaseImage.chunkSize
                return UnsafeRawBufferPointer(rebasing: database[start..<min(start + DatabaseImage.chunkSize, database.count)])
            }
            return try index.withUnsafeBytes { indexBytes in
                try SealedFile.sealed(header: header, parts: [indexBytes] + parts, dataKey: dataKey)
            }
        }
    }

    /// Reads the header without decrypting.
    static func header(of bytes: [UInt8], file: String) throws -> JournalEntry {
        guard bytes.count >= headerSize + AEAD.tagSize, Array(bytes[0..<magic.count]) == magic else {
            throw damaged(file, "is not a store journal entry or is truncated")
        }
        let generation = bytes.withUnsafeBytes { readBigEndian($0, at: 8, count: 8) }
        return JournalEntry(generation: generation, keyID: Array(bytes[16..<32]), previousNonce: Array(bytes[32..<44]),
                            nonce: Array(bytes[44..<headerSize]))
    }

    /// Authenticates the entry in `bytes`, checks that it is generation
    /// `generation` following the file whose nonce is `previousNonce`, and
    /// writes its chunks into `image`.
    static func apply(_ bytes: [UInt8], file: String, generation: UInt64, previousNonce: [UInt8], dataKey: DataKey,
                      to image: DatabaseImage) throws -> JournalEntry
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
        var plaintext: [UInt8]
        do {
            plaintext = try AEAD.open(.aes256gcm, key: dataKey.key, nonce: entry.nonce, ciphertext: bytes[headerSize...],
                                      aad: Array(bytes[0..<headerSize]))
        } catch {
            throw damaged(file, "failed authentication: it was modified or damaged")
        }
        defer { wipe(&plaintext) }
        try plaintext.withUnsafeBytes { body in
            guard body.count >= 12 else { throw damaged(file, "is malformed") }
            let size = readBigEndian(body, at: 0, count: 8)
            let count = Int(readBigEndian(body, at: 8, count: 4))
            guard size <= UInt64(Int.max), count <= (body.count - 12) / 4 else { throw damaged(file, "is malformed") }
            // A database grows only by chunks written (SQLite writes every new page):
            // past its old size, the new size ends within the last chunk.
            let last = count > 0 ? readBigEndian(body, at: 12 + 4 * (count - 1), count: 4) : nil
            let written = last.map { ($0 + 1) * UInt64(DatabaseImage.chunkSize) } ?? 0
            guard size <= max(UInt64(image.size), written) else { throw damaged(file, "is malformed") }
            var offset = 12 + 4 * count
            var previous: UInt64?
            for i in 0..<count {
                let chunk = readBigEndian(body, at: 12 + 4 * i, count: 4)
                let start = chunk * UInt64(DatabaseImage.chunkSize)
                guard previous.map({ chunk > $0 }) ?? true, start < size else { throw damaged(file, "is malformed") }
                previous = chunk
                let length = Int(min(UInt64(DatabaseImage.chunkSize), size - start))
                guard offset + length <= body.count else { throw damaged(file, "is malformed") }
                try image.put(UnsafeRawBufferPointer(rebasing: body[offset..<(offset + length)]), at: Int(start))
                offset += length
            }
            guard offset == body.count else { throw damaged(file, "is malformed") }
            try image.setSize(Int(size))
        }
        return entry
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
        _ = try apply(bytes, file: "entry", generation: generation, previousNonce: previousNonce, dataKey: dataKey, to: image)
        return image.snapshot()
    }
}
