import EmbargoCrypto
import EmbargoStore
import Foundation

/// One entry of the team log: what one member changed in one sync, or a
/// whole state (a snapshot), sealed under the store's data key and signed by
/// that member. Entries are numbered 1, 2, ... and each names the digest of
/// the one before it, so none can be left out, reordered or replaced.
///
///     magic "EMBTEAM1" (8) | sequence u64 BE | key id (16) |
///     previous entry's SHA-256 (32) | nonce (12) | AES-256-GCM(body) | tag (16)
///
/// The header is the associated data. The body is the author's Ed25519
/// signature (64 bytes) over SHA-256(header | content), then the content:
/// JSON with the author, their signing key, the time, and the row changes
/// (or the SQLite database of a snapshot). The remote sees the sequence,
/// the size and the file name (`log/000000000042.changes` or `.snapshot`).
struct TeamLogEntry {
    static let magic = Array("EMBTEAM1".utf8)
    static let headerSize = 8 + 8 + 16 + 32 + 12
    static let keyIDOffset = 16
    static let directory = "log"

    enum Kind: String, Codable, Sendable {
        case changes, snapshot
    }

    struct Content: Codable {
        var author: String
        var signingKey: String
        var at: String
        var kind: Kind
        var changes: [RowChange]
        /// The SQLite database of a snapshot, base64.
        var snapshot: String?
        /// The store schema (newest migration) of the embargo that wrote it:
        /// rows only apply to a store of the same schema.
        var schema: String? = Store.schema

        enum CodingKeys: String, CodingKey {
            case author, at, kind, changes, snapshot, schema
            case signingKey = "signing_key"
        }
    }

    var sequence: UInt64
    var previous: [UInt8]
    var content: Content
    var signature: [UInt8]
    var signedDigest: [UInt8]
    /// SHA-256 of the whole file: what the next entry names.
    var digest: [UInt8]

    static func path(_ sequence: UInt64, _ kind: Kind) -> String {
        String(format: "\(directory)/%012llu.\(kind.rawValue)", sequence)
    }

    /// The sequence and kind a file name in `log/` stands for.
    static func parse(fileName: String) -> (sequence: UInt64, kind: Kind)? {
        let parts = fileName.split(separator: ".")
        guard parts.count == 2, parts[0].count == 12, parts[0].allSatisfy(\.isASCII), let sequence = UInt64(parts[0]),
              let kind = Kind(rawValue: String(parts[1]))
        else { return nil }
        return (sequence, kind)
    }

    static let genesis = [UInt8](repeating: 0, count: 32)

    /// Seals and signs `content` as entry `sequence` after the entry whose digest is `previous`.
    static func seal(_ content: Content, sequence: UInt64, previous: [UInt8], identity: EmbargoIdentity, store: Store) throws -> (bytes: [UInt8], digest: [UInt8]) {
        var header = magic
        header += bigEndianBytes(sequence)
        header += store.dataKeyID
        header += previous
        header += try Random.bytes(AEAD.nonceSize)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = Array(try encoder.encode(content))
        let signed = Digest.sha256(header + json)
        let signature = try identity.signing.signingKey.signature(for: signed)
        let bytes = try store.sealTeamFile(header: header, body: signature + json)
        return (bytes, Digest.sha256(bytes))
    }

    /// Authenticates and reads entry `sequence`; the signature is checked by
    /// the caller, who knows the members.
    static func open(_ bytes: [UInt8], sequence: UInt64, store: Store) throws -> TeamLogEntry {
        let what = "team log entry \(sequence)"
        guard bytes.count >= headerSize, Array(bytes[0..<8]) == magic else {
            throw EmbargoError(.verification, "\(what) in the remote is not an embargo team log entry",
                               hint: "the team remote was damaged or tampered with; ask an admin to check it")
        }
        let body = try store.openTeamFile(bytes, headerSize: headerSize, keyIDOffset: keyIDOffset, what: what)
        let stated = bytes.withUnsafeBytes { raw in (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64(raw[8 + $1]) } }
        guard stated == sequence else {
            throw EmbargoError(.verification, "\(what) in the remote says it is entry \(stated)",
                               hint: "the team remote was tampered with; ask an admin to check it")
        }
        guard body.count > 64, let content = try? JSONDecoder().decode(Content.self, from: Data(body[64...])) else {
            throw EmbargoError(.verification, "\(what) in the remote cannot be read", hint: "the team remote was damaged; ask an admin to check it")
        }
        return TeamLogEntry(sequence: sequence, previous: Array(bytes[32..<64]), content: content,
                            signature: Array(body[0..<64]), signedDigest: Digest.sha256(Array(bytes[0..<headerSize]) + Array(body[64...])),
                            digest: Digest.sha256(bytes))
    }

    /// Whether the author's key made the signature.
    func isSigned(by signingKey: String) -> Bool {
        guard let key = try? MinisignPublicKey(base64: signingKey) else { return false }
        return Ed25519.isValidSignature(signature, for: signedDigest, publicKey: key.publicKey)
    }
}
