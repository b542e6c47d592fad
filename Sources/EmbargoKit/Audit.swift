import EmbargoCrypto
import EmbargoStore
import Foundation
import GRDB

/// One entry of the audit trail: who did what to which object, chained to the
/// previous entry by its hash and signed with the member's Ed25519 key.
public struct AuditEntry: Codable, Sendable, Equatable, FetchableRecord {
    public var seq: Int64
    public var at: String
    public var member: String
    public var signingKey: String
    public var action: String
    public var object: String
    public var detail: String
    public var prevHash: String
    public var hash: String
    public var signature: String

    enum CodingKeys: String, CodingKey {
        case seq, at, member, action, object, detail, hash, signature
        case signingKey = "signing_key"
        case prevHash = "prev_hash"
    }

    static let genesis = String(repeating: "0", count: 64)

    /// The bytes the hash covers: every field but the hash and signature, one per line.
    public var canonical: [UInt8] {
        let fields = ["embargo-audit-v1", String(seq), at, member, signingKey, action, object, detail, prevHash]
        // Newlines inside fields are escaped so that no two entries share a canonical form.
        return Array(fields.map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n") }
            .joined(separator: "\n").utf8)
    }

    public var computedHash: String { Digest.sha256(canonical).map { String(format: "%02x", $0) }.joined() }
}

/// The audit trail: appending (inside every store write) and verification.
public enum AuditTrail {
    /// Appends a signed entry in the transaction `db`.
    static func append(_ db: Database, identity: EmbargoIdentity, member: String, at: String,
                       action: String, object: String, detail: String = "") throws
    {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        var entry = AuditEntry(
            seq: (last?["seq"] as Int64? ?? 0) + 1, at: at, member: member, signingKey: identity.signingKey,
            action: action, object: object, detail: detail, prevHash: last?["hash"] ?? AuditEntry.genesis,
            hash: "", signature: "")
        entry.hash = entry.computedHash
        entry.signature = Data(try identity.signing.signingKey.signature(for: Array(entry.hash.utf8))).base64EncodedString()
        try db.execute(
            sql: """
                INSERT INTO audit_log (seq, at, member, signing_key, action, object, detail, prev_hash, hash, signature)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [entry.seq, entry.at, entry.member, entry.signingKey, entry.action, entry.object, entry.detail,
                        entry.prevHash, entry.hash, entry.signature])
    }

    public static func entries(_ db: Database, object: String? = nil) throws -> [AuditEntry] {
        if let object {
            return try AuditEntry.fetchAll(db, sql: "SELECT * FROM audit_log WHERE object = ? ORDER BY seq", arguments: [object])
        }
        return try AuditEntry.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY seq")
    }

    /// The hash of the newest entry (the audit head), or nil for an empty trail.
    public static func head(_ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    }

    public struct Report: Sendable, Codable, Equatable {
        public var entries: Int
        public var head: String?
    }

    /// Checks the chain and every signature. Throws a verification error
    /// (exit 4) naming the first broken entry.
    public static func verify(_ db: Database) throws -> Report {
        var keys: [String: Set<String>] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT name, signing_key FROM members UNION ALL SELECT name, signing_key FROM former_members") {
            keys[row["name"], default: []].insert(row["signing_key"])
        }
        let all = try entries(db)
        var previous = AuditEntry.genesis
        for (index, entry) in all.enumerated() {
            func broken(_ why: String) -> EmbargoError {
                EmbargoError(.verification, "audit entry \(entry.seq) (\(entry.action) \(entry.object)) is broken: \(why)",
                             hint: "the store was altered outside embargo; restore a backup and compare with 'embargo audit'")
            }
            if entry.seq != Int64(index + 1) {
                throw EmbargoError(.verification, "audit entry \(index + 1) is missing (the next entry is \(entry.seq))",
                                   hint: "the store was altered outside embargo; restore a backup and compare with 'embargo audit'")
            }
            guard entry.prevHash == previous else { throw broken("it does not follow entry \(entry.seq - 1)") }
            guard entry.hash == entry.computedHash else { throw broken("its content does not match its hash") }
            guard let key = try? MinisignPublicKey(base64: entry.signingKey),
                  let signature = Data(base64Encoded: entry.signature),
                  Ed25519.isValidSignature([UInt8](signature), for: Array(entry.hash.utf8), publicKey: key.publicKey)
            else { throw broken("its signature is invalid") }
            guard keys[entry.member]?.contains(entry.signingKey) == true else {
                throw broken("it is signed with a key that never belonged to member \(entry.member)")
            }
            previous = entry.hash
        }
        return Report(entries: all.count, head: all.last?.hash)
    }
}

extension Workspace {
    /// Runs `body` in a store write and appends a signed audit entry to the same commit.
    @discardableResult
    func audited<T>(_ action: String, _ object: String, detail: String = "", _ body: (Database) throws -> T) throws -> T {
        let stamp = now
        return try store.write { db in
            let result = try body(db)
            try AuditTrail.append(db, identity: identity, member: member.name, at: stamp, action: action, object: object, detail: detail)
            return result
        }
    }

    func appendAudit(_ db: Database, _ action: String, _ object: String, detail: String = "") throws {
        try AuditTrail.append(db, identity: identity, member: member.name, at: now, action: action, object: object, detail: detail)
    }

    public func auditEntries(object: String? = nil) throws -> [AuditEntry] {
        try store.read { db in try AuditTrail.entries(db, object: object) }
    }

    public func verifyAudit() throws -> AuditTrail.Report {
        try store.read { db in try AuditTrail.verify(db) }
    }

    /// Restores the store from a backup file and records that on the audit trail.
    public func restore(from url: URL) throws -> (restored: UInt64, generation: UInt64) {
        try Permissions.require(.maintainStore, by: member)
        let result = try store.restore(from: url)
        try audited("store.restore", "store", detail: "generation \(result.restored) restored as \(result.generation)") { _ in }
        return result
    }
}
