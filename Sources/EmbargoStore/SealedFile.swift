import EmbargoCrypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The store's symmetric key with its public identifier. The id lets a file
/// say which key sealed it without revealing anything about the key.
public struct DataKey: Sendable {
    public let key: SecureBytes
    public let id: [UInt8]

    public init(_ key: SecureBytes) throws {
        guard key.count == 32 else { throw EmbargoError(.verification, "data key has the wrong length") }
        self.key = key
        self.id = Array(HMAC.sha256(key: key, data: Array("embargo/v1/store-key-id".utf8)).prefix(16))
    }

    public static func generate() throws -> DataKey {
        try DataKey(SecureBytes.random(count: 32))
    }

    public var idHex: String { id.map { String(format: "%02x", $0) }.joined() }
}

/// The on-disk format of a sealed database:
///
///     magic "EMBSTORE" (8) | format version u16 BE | generation u64 BE |
///     key id (16) | nonce (12) | AES-256-GCM(ciphertext) | tag (16)
///
/// The whole header is the associated data, so no byte of the file can change
/// unnoticed. The plaintext is `length u64 BE | database | zero padding` up to
/// a multiple of `paddingQuantum`, so the file size says little about content.
public struct SealedFile: Sendable {
    public static let magic = Array("EMBSTORE".utf8)
    public static let formatVersion: UInt16 = 1
    public static let headerSize = 8 + 2 + 8 + 16 + 12
    static let paddingQuantum = 16 * 1024

    public var generation: UInt64
    public var keyID: [UInt8]
    /// The file's random nonce: it tells one sealed state from every other, and
    /// the journal's first entry names it as its predecessor.
    public var nonce: [UInt8]

    /// Seals `plaintext` under `dataKey` as generation `generation`.
    public static func seal(_ plaintext: SecureBytes, generation: UInt64, dataKey: DataKey) throws -> [UInt8] {
        try plaintext.withUnsafeBytes { try seal(database: $0, generation: generation, dataKey: dataKey) }
    }

    /// Seals the database held in `image`, without copying it first.
    static func seal(_ image: DatabaseImage, generation: UInt64, dataKey: DataKey) throws -> [UInt8] {
        try image.withBytes { try seal(database: $0, generation: generation, dataKey: dataKey) }
    }

    /// `header | AES-256-GCM(length u64 | database | zero padding) | tag`, the parts sealed in place.
    private static func seal(database: UnsafeRawBufferPointer, generation: UInt64, dataKey: DataKey) throws -> [UInt8] {
        var header = magic
        header.append(contentsOf: bigEndianBytes(UInt64(formatVersion)).suffix(2))
        header.append(contentsOf: bigEndianBytes(generation))
        header.append(contentsOf: dataKey.id)
        header.append(contentsOf: try Random.bytes(AEAD.nonceSize))
        let padded = paddedLength(database.count)
        let length = bigEndianBytes(UInt64(database.count))
        let zeros = [UInt8](repeating: 0, count: padded - 8 - database.count)
        return try length.withUnsafeBytes { lengthBytes in
            try zeros.withUnsafeBytes { zeroBytes in
                try sealed(header: header, parts: [lengthBytes, database, zeroBytes], dataKey: dataKey)
            }
        }
    }

    /// `header | AES-256-GCM(parts) | tag`, the parts sealed straight into the
    /// result: the header is the associated data and ends with the nonce.
    static func sealed(header: [UInt8], parts: [UnsafeRawBufferPointer], dataKey: DataKey) throws -> [UInt8] {
        let nonce = Array(header.suffix(AEAD.nonceSize))
        let count = header.count + parts.reduce(0) { $0 + $1.count } + AEAD.tagSize
        return try [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            let raw = UnsafeMutableRawBufferPointer(out)
            raw.copyBytes(from: header)
            try AEAD.seal(.aes256gcm, key: dataKey.key, nonce: nonce, parts: parts, aad: header,
                          into: UnsafeMutableRawBufferPointer(rebasing: raw[header.count...]))
            initialized = count
        }
    }

    /// Reads the header without decrypting. Throws a verification error on a
    /// file that is not a store, is truncated, or comes from a newer version.
    public static func header(of bytes: [UInt8]) throws -> SealedFile {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw EmbargoError(.verification, "the store file is not an embargo store or its header is damaged",
                               hint: "restore a backup with 'embargo store restore FILE'")
        }
        guard bytes.count >= headerSize + AEAD.tagSize + 8 else {
            throw EmbargoError(.verification, "the store file is truncated",
                               hint: "restore a backup with 'embargo store restore FILE'")
        }
        let version = UInt16(bytes[8]) << 8 | UInt16(bytes[9])
        guard version <= formatVersion else {
            // Unauthenticated until decrypted: either a newer embargo wrote it or the header was damaged.
            throw EmbargoError(.verification, "the store file has format version \(version); this embargo reads up to version \(formatVersion)",
                               hint: "upgrade embargo; if no newer embargo wrote it, the header is damaged: restore a backup")
        }
        let generation = bytes.withUnsafeBytes { readBigEndian($0, at: 10, count: 8) }
        return SealedFile(generation: generation, keyID: Array(bytes[18..<34]), nonce: Array(bytes[34..<headerSize]))
    }

    /// Authenticates and decrypts a sealed file.
    public static func open(_ bytes: [UInt8], dataKey: DataKey) throws -> (SealedFile, SecureBytes) {
        let header = try checkedHeader(bytes, dataKey: dataKey)
        var framed: [UInt8]
        do {
            framed = try AEAD.open(.aes256gcm, key: dataKey.key, nonce: header.nonce,
                                   ciphertext: bytes[headerSize...], aad: Array(bytes[0..<headerSize]))
        } catch {
            throw forged()
        }
        defer { wipe(&framed) }
        let plaintext = try framed.withUnsafeBytes { raw in
            SecureBytes(copying: UnsafeRawBufferPointer(rebasing: raw[8..<(8 + (try databaseLength(framed: raw)))]))
        }
        return (header, plaintext)
    }

    /// Authenticates and decrypts a sealed file into a database image (one
    /// buffer: the ciphertext is decrypted in place).
    static func openImage(_ bytes: [UInt8], dataKey: DataKey) throws -> (SealedFile, DatabaseImage) {
        let buffer = try DatabaseImage.Buffer.allocate(capacity: DatabaseImage.capacity(holding: bytes.count))
        bytes.withUnsafeBytes { source in buffer.raw.copyMemory(from: source) }
        return try openImage(buffer, count: bytes.count, dataKey: dataKey)
    }

    /// Reads the sealed file at `url` straight into a database image, decrypting
    /// in place while a second thread reads; nil if it does not exist. `bytes`
    /// is the file's size.
    static func openImage(at url: URL, dataKey: DataKey) throws -> (header: SealedFile, image: DatabaseImage, bytes: Int)? {
        let fd = Glibc.open(url.path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw EmbargoError(.failure, "cannot read \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw EmbargoError(.failure, "cannot read \(url.path): \(String(cString: strerror(errno)))")
        }
        let count = Int(st.st_size)
        var first = [UInt8](repeating: 0, count: min(count, headerSize + AEAD.tagSize + 8))
        guard pread(fd, &first, first.count, 0) == first.count else {
            throw EmbargoError(.failure, "cannot read \(url.path): \(String(cString: strerror(errno)))")
        }
        let header = try checkedHeader(first, dataKey: dataKey)
        let buffer = try DatabaseImage.Buffer.allocate(capacity: DatabaseImage.capacity(holding: count))
        switch try AEAD.openFile(.aes256gcm, key: dataKey.key, nonce: header.nonce, descriptor: fd, into: buffer.raw.baseAddress!,
                                 count: count, aadCount: headerSize) {
        case .authentic:
            let opened = try image(buffer, count: count, header: header)
            return (opened.0, opened.1, count)
        case .forged:
            throw forged()
        case .unreadable(let code):
            throw EmbargoError(.failure, "cannot read \(url.path): " + (code == 0 ? "it changed while it was read" : String(cString: strerror(code))),
                               hint: "run the command again")
        }
    }

    private static func openImage(_ buffer: DatabaseImage.Buffer, count: Int, dataKey: DataKey) throws -> (SealedFile, DatabaseImage) {
        let sealed = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer.raw)[0..<count])
        let header = try checkedHeader(Array(sealed.prefix(headerSize + AEAD.tagSize + 8)), dataKey: dataKey)
        do {
            try AEAD.open(.aes256gcm, key: dataKey.key, nonce: header.nonce,
                          ciphertext: UnsafeRawBufferPointer(rebasing: sealed[headerSize...]), aad: Array(sealed[0..<headerSize]),
                          into: buffer.raw.baseAddress! + headerSize)
        } catch {
            throw forged()
        }
        return try image(buffer, count: count, header: header)
    }

    private static func checkedHeader(_ bytes: [UInt8], dataKey: DataKey) throws -> SealedFile {
        let header = try Self.header(of: bytes)
        guard constantTimeEqual(header.keyID, dataKey.id) else {
            throw EmbargoError(.verification, "the store file was sealed with a different data key than the keyring holds",
                               hint: "the file or keyring.age was replaced or damaged; restore a backup")
        }
        return header
    }

    private static func forged() -> EmbargoError {
        EmbargoError(.verification, "the store file failed authentication: it was modified or damaged",
                     hint: "run 'embargo store verify' and restore a backup with 'embargo store restore FILE'")
    }

    /// The image of a decrypted file in `buffer`: `length u64 | database | padding` after the header.
    private static func image(_ buffer: DatabaseImage.Buffer, count: Int, header: SealedFile) throws -> (SealedFile, DatabaseImage) {
        let framed = UnsafeRawBufferPointer(start: buffer.pointer + headerSize, count: count - headerSize - AEAD.tagSize)
        return (header, try DatabaseImage(adopting: buffer, offset: headerSize + 8, size: try databaseLength(framed: framed)))
    }

    /// The database's length, from the front of the decrypted `length u64 | database | padding`.
    private static func databaseLength(framed: UnsafeRawBufferPointer) throws -> Int {
        guard framed.count >= 8 else { throw EmbargoError(.verification, "the store file is malformed") }
        let length = readBigEndian(framed, at: 0, count: 8)
        guard length <= UInt64(framed.count - 8) else { throw EmbargoError(.verification, "the store file is malformed") }
        return Int(length)
    }

    static func paddedLength(_ count: Int) -> Int {
        let framed = count + 8
        return (framed + paddingQuantum - 1) / paddingQuantum * paddingQuantum
    }
}

public func bigEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}

func readBigEndian(_ bytes: UnsafeRawBufferPointer, at offset: Int, count: Int) -> UInt64 {
    (offset..<(offset + count)).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[$1]) }
}
