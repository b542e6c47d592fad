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

    public var computedHash: String { lowercaseHex(Digest.sha256(canonical)) }

    /// Sets the hash and `identity`'s signature over it, and inserts the entry in `db`.
    public mutating func signAndInsert(into db: Database, identity: EmbargoIdentity) throws {
        hash = computedHash
        signature = Data(try identity.signing.signingKey.signature(for: Array(hash.utf8))).base64EncodedString()
        try db.execute(
            sql: """
                INSERT INTO audit_log (seq, at, member, signing_key, action, object, detail, prev_hash, hash, signature)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [seq, at, member, signingKey, action, object, detail, prevHash, hash, signature])
    }
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
        try entry.signAndInsert(into: db, identity: identity)
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
        /// The founding admin's signing key, which every machine pins.
        public var founderKey: String?
        /// Current members, as the signed membership chain has them.
        public var members: Int

        enum CodingKeys: String, CodingKey {
            case entries, head, members
            case founderKey = "founder_key"
        }
    }

    static func damaged(_ message: String) -> EmbargoError {
        EmbargoError(.verification, message,
                     hint: "the store was altered outside embargo; restore a backup with 'embargo store restore FILE' and compare with 'embargo audit'")
    }

    /// Checks the chain, every signature, and that each entry's signer was a
    /// member with that key and a role allowing the action at that point of
    /// the signed membership chain (see `MembershipChain`); then that the rows
    /// which matter (members, former members, approvals, publication steps)
    /// are exactly what signed entries created. Throws a verification error
    /// (exit 4) naming the first problem. `founderKey`, when this machine has
    /// pinned one, must be the key that founded the store. Entries up to
    /// `trustedThrough` were verified before in this very state (a sync's
    /// last synced state, sealed on this machine): their hashes and
    /// signatures are not computed again, only their links.
    public static func verify(_ db: Database, founderKey: String? = nil, trustedThrough: Int64 = 0) throws -> Report {
        let all = try entries(db)
        var chain = MembershipChain()
        var approvals = ApprovalLedger()
        var previous = AuditEntry.genesis
        for (index, entry) in all.enumerated() {
            func broken(_ why: String) -> EmbargoError {
                damaged("audit entry \(entry.seq) (\(entry.action) \(entry.object)) is broken: \(why)")
            }
            if entry.seq != Int64(index + 1) {
                throw damaged("audit entry \(index + 1) is missing (the next entry is \(entry.seq))")
            }
            guard entry.prevHash == previous else { throw broken("it does not follow entry \(entry.seq - 1)") }
            // The trusted part was checked when this state was made; its chain of hashes still is.
            if entry.seq > trustedThrough {
                guard entry.hash == entry.computedHash else { throw broken("its content does not match its hash") }
                guard entry.hasValidSignature else { throw broken("its signature is invalid") }
            }
            do {
                try chain.apply(entry)
                try approvals.apply(entry, chain: chain, manifest: { hash in
                    try String.fetchOne(db, sql: "SELECT manifest FROM prereleases WHERE manifest_hash = ? LIMIT 1", arguments: [hash])
                })
            } catch let violation as ChainViolation {
                throw broken(violation.reason)
            }
            previous = entry.hash
        }
        if let founderKey, let found = chain.founderKey, found != founderKey {
            throw EmbargoError(.verification, "the store was founded by another key than the one this machine pinned (\(founderKey.prefix(12))...)",
                               hint: "this is not the store you used before, or its whole history was rewritten; restore a backup or clone the team's store again")
        }
        try checkMembers(db, chain)
        try approvals.checkRows(db)
        try checkPrereleaseManifests(db)
        try checkPublicationSteps(db, all)
        return Report(entries: all.count, head: all.last?.hash, founderKey: chain.founderKey, members: chain.members.count)
    }

    /// Every pre-release's manifest must be the one its hash names: approvals
    /// bind the hash, and publication rebuilds from the manifest's text.
    static func checkPrereleaseManifests(_ db: Database) throws {
        for row in try Row.fetchAll(db, sql: "SELECT advisory, seq, manifest, manifest_hash FROM prereleases ORDER BY seq") {
            if let problem = PrereleaseRecord.manifestProblem(row["manifest"], hash: row["manifest_hash"], advisory: row["advisory"]) {
                throw damaged(problem)
            }
        }
    }

    /// Replays the membership entries alone (a few, whatever the size of the
    /// trail) and checks the members tables against them: what every command
    /// does on open, so that a role raised by hand in the database is refused
    /// at once. The hash chain itself is left to `verify`.
    static func membership(_ db: Database, until time: String? = nil) throws -> MembershipChain {
        let rows = try AuditEntry.fetchAll(db, sql: """
            SELECT * FROM audit_log WHERE (seq = 1 OR action IN ('member.add', 'member.role', 'member.remove')) AND (?1 IS NULL OR seq = 1 OR at <= ?1)
            ORDER BY seq
            """, arguments: [time])
        var chain = MembershipChain()
        for entry in rows {
            guard entry.hash == entry.computedHash, entry.hasValidSignature else {
                throw damaged("audit entry \(entry.seq) (\(entry.action) \(entry.object)) is broken: its content does not match its signature")
            }
            do {
                try chain.apply(entry)
            } catch {
                throw damaged("audit entry \(entry.seq) (\(entry.action) \(entry.object)) is broken: \(error.reason)")
            }
        }
        if time == nil { try checkMembers(db, chain) }
        return chain
    }

    private static func checkMembers(_ db: Database, _ chain: MembershipChain) throws {
        let rows = try Member.fetchAll(db)
        for row in rows {
            guard let signed = chain.members[row.name] else {
                throw damaged("member \(row.name) is in the members table but no signed entry added them")
            }
            guard signed.signingKey == row.signingKey, signed.recipient == row.recipient, signed.external == row.external else {
                throw damaged("member \(row.name)'s keys differ from the ones their signed entry gave them")
            }
            guard signed.role == row.role else {
                throw damaged("member \(row.name) has role \(row.role.rawValue) in the members table but \(signed.role.rawValue) in the signed membership chain")
            }
        }
        for name in chain.members.keys where !rows.contains(where: { $0.name == name }) {
            throw damaged("member \(name) is missing from the members table")
        }
        var former = chain.former.map { "\($0.member.name) \($0.member.signingKey)" }
        for row in try Row.fetchAll(db, sql: "SELECT name, signing_key FROM former_members") {
            let key = "\(row["name"] as String) \(row["signing_key"] as String)"
            guard let index = former.firstIndex(of: key) else {
                throw damaged("former member \(row["name"] as String) was never removed by a signed entry with that key")
            }
            former.remove(at: index)
        }
        if let missing = former.first {
            throw damaged("former member \(missing.split(separator: " ").first ?? "") is missing from the former members table")
        }
    }

    private static func checkPublicationSteps(_ db: Database, _ entries: [AuditEntry]) throws {
        let signed = Set(entries.compactMap { entry -> String? in
            if entry.action == "advisory.publish" { return "\(entry.object) \(PublicationStep.marked.rawValue)" }
            guard entry.action.hasPrefix("publish.") else { return nil }
            return "\(entry.object) \(entry.action.dropFirst("publish.".count))"
        })
        for row in try Row.fetchAll(db, sql: "SELECT advisory, step FROM publication_steps") {
            let key = "\(row["advisory"] as String) \(row["step"] as String)"
            guard signed.contains(key) else {
                throw damaged("publication step \(row["step"] as String) of \(row["advisory"] as String) has no signed entry")
            }
        }
    }
}

extension AuditEntry {
    var hasValidSignature: Bool {
        guard let key = try? MinisignPublicKey(base64: signingKey), let signature = Data(base64Encoded: self.signature) else { return false }
        return Ed25519.isValidSignature([UInt8](signature), for: Array(hash.utf8), publicKey: key.publicKey)
    }
}

extension Workspace {
    /// Runs `body` in a store write and appends a signed audit entry to the same commit.
    @discardableResult
    func audited<T>(_ action: String, _ object: String, detail: String = "", _ body: (Database) throws -> T) throws -> T {
        let stamp = now
        return try signedWrite { db in
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

    /// `Store.verify` with every blob the database refers to.
    public func verifyStore() throws -> Store.Verification {
        try store.verify { db in Set(try String.fetchAll(db, sql: "SELECT blob FROM patches")) }
    }

    public func verifyAudit() throws -> AuditTrail.Report {
        let founder = try pinnedFounder()
        return try store.read { db in try AuditTrail.verify(db, founderKey: founder) }
    }

    /// Restores the store from a backup file and records that on the audit trail.
    /// A restore: the generation restored, the one it became, and what was
    /// done so that the team is the one it was before the restore.
    public struct Restored: Sendable {
        public var restored: UInt64
        public var generation: UInt64
        public var membership: [String] = []
    }

    /// Restores the store from a backup file and records that on the audit
    /// trail. Who is on the team is not restored: a member removed since the
    /// backup is removed again (the key rotated again), a member added since
    /// is added again, and roles are set back, each on the audit trail.
    public func restore(from url: URL) throws -> Restored {
        try Permissions.require(.maintainStore, by: member)
        guard try store.isSealedWithCurrentKey(url) else {
            let rotations = try store.read { db in
                try AuditEntry.fetchAll(db, sql: "SELECT * FROM audit_log WHERE action = 'member.remove' ORDER BY seq")
            }
            throw Self.retiredKey(url, store: store, rotations: rotations.map { "\($0.object) was removed on \($0.at.prefix(10))" })
        }
        let team = try members()
        let result = try store.restore(from: url)
        try audited("store.restore", "store", detail: "generation \(result.restored) restored as \(result.generation)") { _ in }
        try Self.reconcileMemory(store, environment, founderKey: nil)
        return Restored(restored: result.restored, generation: result.generation, membership: try keepTeam(team))
    }

    /// Makes the membership `team` again after a restore.
    private func keepTeam(_ team: [Member]) throws -> [String] {
        var lines: [String] = []
        for restored in try members() where !team.contains(where: { $0.signingKey == restored.signingKey }) {
            try removeMember(name: restored.name)
            lines.append("removed \(restored.name) again: they left the team after the backup was written (the data key was rotated again)")
        }
        for member in team {
            guard let restored = try members().first(where: { $0.signingKey == member.signingKey }) else {
                try addMember(name: member.name, recipient: member.recipient, signingKey: member.signingKey, role: member.role)
                lines.append("added \(member.name) (\(member.role.rawValue)) again: they joined the team after the backup was written")
                continue
            }
            if restored.role != member.role {
                try setRole(name: restored.name, role: member.role)
                lines.append("set \(member.name)'s role back to \(member.role.rawValue)")
            }
        }
        return lines
    }

    /// Why a backup sealed under a retired data key cannot be restored, and
    /// what can: the store's own backups, which every rotation re-sealed.
    static func retiredKey(_ url: URL, store: Store, rotations: [String]) -> EmbargoError {
        let own = (try? store.backupFiles()) ?? []
        let when = rotations.isEmpty ? "" : " (the last rotation: \(rotations.last!))"
        return EmbargoError(.verification,
                            "\(url.lastPathComponent) was sealed under a data key that a key rotation retired\(when); a member's removal makes such copies unreadable on purpose, so that the removed member's key opens nothing newer",
                            hint: own.isEmpty
                                ? "restore a backup written after the last rotation ('embargo store backup --out FILE' writes one under the current key)"
                                : "restore one of the store's own backups, which each rotation re-sealed under the current key: 'embargo store restore \(own.last!.path)' (all of them are in \(own.last!.deletingLastPathComponent().path))")
    }

    /// Restores a backup into a store directory whose store file is missing.
    /// The identity must be an admin in the backup's own signed membership.
    public static func restoreMissingStore(at directory: URL, identity: EmbargoIdentity, environment: Environment,
                                           from url: URL) throws -> Restored
    {
        let store = try Store.open(at: directory, identity: identity.age, forRestore: true)
        guard !Store.exists(at: directory) else {
            return try open(at: directory, identity: identity, environment: environment).restore(from: url)
        }
        guard try store.isSealedWithCurrentKey(url) else { throw retiredKey(url, store: store, rotations: []) }
        let admin = try store.readBackup(url) { db -> Bool in
            let chain = try AuditTrail.membership(db)
            return chain.members.values.contains { $0.signingKey == identity.signingKey && Permissions.allows($0.role, .maintainStore) }
        }
        guard admin else {
            throw EmbargoError(.refused, "only an admin of the store may restore it", hint: "ask an admin to run 'embargo store restore \(url.path)'")
        }
        let result = try store.restore(from: url)
        let workspace = try open(at: directory, identity: identity, environment: environment)
        try workspace.audited("store.restore", "store", detail: "generation \(result.restored) restored as \(result.generation) (the store file was missing)") { _ in }
        try reconcileMemory(workspace.store, environment, founderKey: nil)
        return Restored(restored: result.restored, generation: result.generation)
    }
}
