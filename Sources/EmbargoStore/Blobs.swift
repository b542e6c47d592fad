import EmbargoCrypto
import Foundation
import GRDB

/// Large payloads (patches, bundles) live beside the database as encrypted,
/// content-addressed blobs, so that a commit rewrites only the metadata.
///
/// A blob file is `magic "EMBBLOB1" | key id (16) | nonce (12) | AES-256-GCM
/// ciphertext | tag`, with the header and the blob's name as associated data
/// (a blob cannot be swapped for another). Names are HMAC-SHA256 of the
/// content under a naming key kept inside the sealed database, so they say
/// nothing about the content to someone without the store.
extension Store {
    static let blobMagic = Array("EMBBLOB1".utf8)
    static let blobHeaderSize = 8 + 16 + 12

    public var blobsDirectory: URL { directory.appendingPathComponent("blobs") }

    func blobFile(_ name: String) -> URL { blobsDirectory.appendingPathComponent(name) }

    /// Stores `bytes` and returns the blob's name. Call inside a write: the
    /// blob is on disk before the database that refers to it commits.
    public func putBlob(_ bytes: [UInt8], in db: Database) throws -> String {
        let name = try blobName(for: bytes, in: db)
        let url = blobFile(name)
        if FileManager.default.fileExists(atPath: url.path) { return name }
        try SafeFile.makePrivateDirectory(blobsDirectory)
        try SafeFile.replaceAtomically(url, bytes: try sealBlob(bytes, name: name, dataKey: dataKey))
        return name
    }

    /// Reads and authenticates a blob.
    public func blob(_ name: String) throws -> [UInt8] {
        guard Self.isBlobName(name), let bytes = try SafeFile.read(blobFile(name)) else {
            throw EmbargoError(.verification, "blob \(name.prefix(12)) is missing from the store",
                               hint: "restore the store directory from a copy")
        }
        return try openBlob(bytes, name: name, dataKey: dataKey)
    }

    /// Deletes blobs no row refers to any more; `referenced` lists the names in use.
    public func removeUnreferencedBlobs(keeping referenced: Set<String>) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: blobsDirectory.path)) ?? []
        where Self.isBlobName(name) && !referenced.contains(name) {
            unlink(blobFile(name).path)
        }
    }

    /// Every blob file's name.
    public func blobNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: blobsDirectory.path)) ?? []).filter(Self.isBlobName).sorted()
    }

    static func isBlobName(_ name: String) -> Bool {
        name.count == 64 && name.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    private func blobName(for bytes: [UInt8], in db: Database) throws -> String {
        Self.blobName(namingKey: try ensureBlobNamingKey(db), bytes)
    }

    /// The blob naming key, made the first time it is needed.
    @discardableResult
    public func ensureBlobNamingKey(_ db: Database) throws -> String {
        if let key = try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'blob_naming_key'") { return key }
        let fresh = try Self.freshNamingKey()
        try db.execute(sql: "INSERT INTO store_meta (key, value) VALUES ('blob_naming_key', ?)", arguments: [fresh])
        return fresh
    }

    /// A new blob naming key (256 random bits, hex).
    static func freshNamingKey() throws -> String {
        try Random.bytes(32).map { String(format: "%02x", $0) }.joined()
    }

    /// A blob's name: HMAC-SHA256 of its content under the store's naming key.
    static func blobName(namingKey: String, _ bytes: [UInt8]) -> String {
        HMAC.sha256(key: Array(namingKey.utf8), data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    func sealBlob(_ bytes: [UInt8], name: String, dataKey: DataKey) throws -> [UInt8] {
        var header = Self.blobMagic + dataKey.id
        header += try Random.bytes(AEAD.nonceSize)
        let nonce = Array(header.suffix(AEAD.nonceSize))
        return header + (try AEAD.seal(.aes256gcm, key: dataKey.key, nonce: nonce, plaintext: bytes, aad: header + Array(name.utf8)))
    }

    func openBlob(_ bytes: [UInt8], name: String, dataKey: DataKey) throws -> [UInt8] {
        guard bytes.count >= Self.blobHeaderSize + AEAD.tagSize, Array(bytes[0..<8]) == Self.blobMagic else {
            throw EmbargoError(.verification, "blob \(name.prefix(12)) is damaged", hint: "restore the store directory from a copy")
        }
        guard constantTimeEqual(Array(bytes[8..<24]), dataKey.id) else {
            throw EmbargoError(.verification, "blob \(name.prefix(12)) was sealed with a different data key")
        }
        let header = Array(bytes[0..<Self.blobHeaderSize])
        do {
            return try AEAD.open(.aes256gcm, key: dataKey.key, nonce: Array(header.suffix(AEAD.nonceSize)),
                                 ciphertext: bytes[Self.blobHeaderSize...], aad: header + Array(name.utf8))
        } catch {
            throw EmbargoError(.verification, "blob \(name.prefix(12)) failed authentication: it was modified or damaged",
                               hint: "restore the store directory from a copy")
        }
    }


}
