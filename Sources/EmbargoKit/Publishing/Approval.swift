import EmbargoCrypto
import EmbargoStore
import Foundation
import GRDB

/// An approval of one pre-release, by a member of the security team or
/// recorded for an external security team with its evidence.
public struct Approval: Encodable, Sendable, Equatable {
    public var seq: Int64
    /// The approved pre-release's number among the advisory's own (1, 2, ...).
    public var prerelease: Int
    /// The approved pre-release's row in the store.
    public var prereleaseSeq: Int64
    public var manifestHash: String
    public var approvedAt: String
    public var approvedBy: String
    public var external: String?
    public var evidence: String?
    public var void: Bool

    enum CodingKeys: String, CodingKey {
        case seq, prerelease, external, evidence, void
        case manifestHash = "manifest_hash"
        case approvedAt = "approved_at"
        case approvedBy = "approved_by"
    }
}

/// What an approver says they approve, and on whose behalf.
public struct ApprovalRequest: Sendable {
    /// The SHA-256 of the manifest the approver reviewed (from `--sha256`, or
    /// read from the bundle they opened). Required unless `signature` covers it.
    public var manifestSHA256: String?
    /// An external team's name (with `evidence`), or a registered external
    /// approver member (with `signature`).
    public var external: String?
    /// An http(s) URL where the external team's approval can be read.
    public var evidence: String?
    /// A minisign signature (the `.minisig` text) over `manifest.json` by a
    /// registered external approver.
    public var signature: String?

    public init(manifestSHA256: String? = nil, external: String? = nil, evidence: String? = nil, signature: String? = nil) {
        self.manifestSHA256 = manifestSHA256
        self.external = external
        self.evidence = evidence
        self.signature = signature
    }
}

extension Workspace {
    /// The manifest hash of an advisory's current pre-release, for an approver to confirm.
    public func currentManifestHash(_ id: String) throws -> (prerelease: Int, sha256: String)? {
        try currentPrerelease(id).map { ($0.number, $0.manifestHash) }
    }

    /// Approves the current pre-release, bound to its manifest hash. Four
    /// eyes: whoever built a pre-release of the advisory or added, replaced or removed its patches
    /// cannot approve it, nor record an outside team's approval without that
    /// team's signature. Three ways:
    /// - a member with the security role approves what they reviewed;
    /// - a registered external approver's minisign signature over the
    ///   manifest is recorded (by any member who may approve, publish or
    ///   build pre-releases);
    /// - an outside team's approval with only a URL as evidence is recorded
    ///   by a second member who may approve or publish.
    ///
    /// Approving again what one approved already records nothing: the result
    /// says so (`alreadyRecorded`) and carries the approval that stands.
    @discardableResult
    public func approve(_ id: String, _ request: ApprovalRequest) throws -> (approval: Approval, alreadyRecorded: Bool) {
        let externalMember = try request.external.flatMap { name in
            try store.read { db in try Member.filter(Column("name") == name && Column("external") == true).fetchOne(db) }
        }
        if request.signature != nil {
            try Permissions.require(anyOf: Permissions.recordSignedExternalApproval, by: member)
            guard externalMember != nil else {
                throw EmbargoError(.refused, "\(request.external ?? "--external") is not a registered external approver",
                                   hint: "an admin registers them with 'embargo member add NAME --role security --external --signing-key RW...'")
            }
        } else if let external = request.external {
            try Permissions.require(anyOf: Permissions.recordExternalApproval, by: member)
            if externalMember != nil {
                throw EmbargoError(.usage, "\(external) is a registered external approver: record their approval with their signature",
                                   hint: "they run 'minisign -Sm manifest.json'; then 'embargo approve \(id) --external \(external) --signature manifest.json.minisig'")
            }
            guard !external.contains(";"), !external.contains("\n"), !external.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw EmbargoError(.usage, "the external team's name must be one line without ';'")
            }
            guard let evidence = request.evidence, !evidence.contains(" "), let url = URL(string: evidence),
                  ["http", "https"].contains(url.scheme ?? ""), url.host != nil
            else {
                throw EmbargoError(.usage, "an external approval needs its evidence as an http(s) URL", hint: "pass --ref URL")
            }
        } else {
            try Permissions.require(.approve, by: member)
        }
        let (advisory, _) = try advisoryAndProject(id)
        guard let current = try currentPrerelease(advisory.id) else {
            throw EmbargoError(.refused, "advisory \(advisory.id) has no pre-release to approve", hint: "run 'embargo prerelease \(advisory.id) --out DIR'")
        }
        guard [.prereleased, .approved].contains(advisory.status) else {
            throw EmbargoError(.refused, "advisory \(advisory.id) is \(advisory.status.rawValue); only a pre-released advisory can be approved")
        }
        // Approval rests on the trail: check all of it before adding to it.
        _ = try verifyAudit()

        var facts: [(String, String)] = [("pre-release", String(current.seq)), ("manifest", current.manifestHash)]
        let approver: String
        if let signature = request.signature, let externalMember {
            let manifest = try store.read { db in
                try String.fetchOne(db, sql: "SELECT manifest FROM prereleases WHERE seq = ?", arguments: [current.seq]) ?? ""
            }
            let encoded = Data(signature.utf8).base64EncodedString()
            guard ApprovalLedger.isValid(signature: encoded, manifest: manifest, key: externalMember.signingKey) else {
                throw EmbargoError(.verification, "the signature is not \(externalMember.name)'s signature over the manifest of pre-release \(current.number)",
                                   hint: "they sign manifest.json of the current bundle: 'minisign -Sm manifest.json'")
            }
            approver = externalMember.name
            facts += [("by", approver), ("external", approver), ("signature", encoded)]
        } else {
            guard let claimed = request.manifestSHA256?.lowercased() else {
                throw EmbargoError(.usage, "say which pre-release you approve: pass --bundle FILE or --sha256 HASH of its manifest.json")
            }
            guard claimed == current.manifestHash else {
                throw EmbargoError(.refused, "the manifest you name (\(claimed.prefix(12))...) is not the current pre-release \(current.number) of \(advisory.id)",
                                   hint: "review the newest bundle, or ask for a new pre-release; 'embargo prerelease verify BUNDLE' shows its manifest")
            }
            let builders = try store.read { db in
                try String.fetchAll(db, sql: """
                    SELECT DISTINCT member FROM audit_log WHERE object = ? AND action IN ('patch.add', 'patch.replace', 'patch.remove', 'advisory.prerelease')
                    """, arguments: [advisory.id])
            }
            if builders.contains(member.name) {
                throw EmbargoError(.refused, "\(member.name) built a pre-release of \(advisory.id) or changed its patches, so cannot approve it (four eyes)",
                                   hint: "a member of the security team who did not prepare it approves: 'embargo approve \(advisory.id) --sha256 HASH'")
            }
            approver = member.name
            facts.append(("by", approver))
            if let external = request.external, let evidence = request.evidence {
                facts += [("external", external), ("evidence", evidence)]
            }
        }
        let detail = AuditFacts(facts)
        if let existing = try validApprovals(advisory.id).first(where: { $0.approvedBy == approver && $0.external == detail["external"] }) {
            return (existing, true)
        }
        let stamp = now
        let who = detail["external"].map { "external: \($0)" } ?? approver
        try audited("advisory.approve", advisory.id, detail: detail.text) { db in
            try db.execute(
                sql: """
                    INSERT INTO approvals (advisory, prerelease, manifest_hash, approved_at, approved_by, external, evidence)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [advisory.id, current.seq, current.manifestHash, stamp, approver, detail["external"],
                            detail["evidence"] ?? (request.signature == nil ? nil : "minisign signature over the manifest")])
            try Self.record(db, advisory.id, at: stamp, actor: member.name, kind: "approved",
                            summary: "pre-release \(current.manifest.versions.joined(separator: ", ")) approved by \(who)"
                                + (detail["evidence"].map { " (\($0))" } ?? ""), detail: current.manifestHash)
            if advisory.status == .prereleased {
                _ = try transition(advisory.id, to: .approved, kind: "status", note: "approved", in: db)
            }
        }
        return (try approvals(advisory.id).last!, false)
    }

    public func approvals(_ id: String) throws -> [Approval] {
        try store.read { db in
            let advisory = try Self.fetchAdvisory(db, id)
            let numbers = try Int64.fetchAll(db, sql: "SELECT seq FROM prereleases WHERE advisory = ? ORDER BY seq", arguments: [advisory.id])
            return try Row.fetchAll(db, sql: "SELECT * FROM approvals WHERE advisory = ? ORDER BY seq", arguments: [advisory.id]).map {
                let prerelease: Int64 = $0["prerelease"]
                return Approval(seq: $0["seq"], prerelease: (numbers.firstIndex(of: prerelease) ?? -1) + 1, prereleaseSeq: prerelease,
                                manifestHash: $0["manifest_hash"], approvedAt: $0["approved_at"], approvedBy: $0["approved_by"],
                                external: $0["external"], evidence: $0["evidence"], void: ($0["void"] as Int) != 0)
            }
        }
    }

    /// The approvals that still count: of the current pre-release, not voided.
    public func validApprovals(_ id: String) throws -> [Approval] {
        guard let current = try currentPrerelease(id) else { return [] }
        return try approvals(id).filter { !$0.void && $0.prereleaseSeq == current.seq && $0.manifestHash == current.manifestHash }
    }
}

/// The approvals the signed audit trail records, checked as the trail is
/// replayed: four eyes (whoever built a pre-release of the advisory or added
/// its patches cannot approve it), external approvals backed by a registered
/// approver's signature over the manifest or recorded by a second member, and
/// which later entries voided them. `checkRows` then holds the editable
/// `approvals` table to exactly that.
struct ApprovalLedger {
    struct Signed {
        var advisory: String
        var facts: AuditFacts
        var seq: Int64
    }

    /// Per advisory: who built a pre-release or added a patch.
    private(set) var builders: [String: Set<String>] = [:]
    private var signed: [Signed] = []
    /// Per advisory: the entries after which earlier approvals no longer count.
    private var voids: [String: [Int64]] = [:]

    mutating func apply(_ entry: AuditEntry, chain: MembershipChain, manifest: (String) throws -> String?) throws {
        let advisory = entry.object
        switch entry.action {
        case "patch.add", "patch.replace", "patch.remove":
            // Whoever changed the fix is one of its authors: not a reviewer of it.
            builders[advisory, default: []].insert(entry.member)
        case "advisory.prerelease":
            builders[advisory, default: []].insert(entry.member)
            voids[advisory, default: []].append(entry.seq)
        case "advisory.revert":
            voids[advisory, default: []].append(entry.seq)
        case "advisory.edit" where entry.detail.contains(ApprovalLedger.voidedByEdit):
            voids[advisory, default: []].append(entry.seq)
        case "advisory.approve":
            let facts = AuditFacts(parsing: entry.detail)
            guard let hash = facts["manifest"], facts["pre-release"] != nil, let approver = facts["by"] else {
                throw ChainViolation("the approval does not name the manifest it binds")
            }
            let recorder = chain.members[entry.member]
            if let signature = facts["signature"] {
                guard let external = chain.members[approver], external.external, external.role == .security else {
                    throw ChainViolation("\(approver) is not a registered external approver")
                }
                guard let text = try manifest(hash), hex(Digest.sha256(Array(text.utf8))) == hash else {
                    throw ChainViolation("the approved manifest \(hash.prefix(12)) is not in the store")
                }
                guard Self.isValid(signature: signature, manifest: text, key: external.signingKey) else {
                    throw ChainViolation("\(approver)'s signature does not cover the approved manifest")
                }
            } else if facts["external"] != nil {
                guard approver == entry.member, let recorder,
                      Permissions.recordExternalApproval.contains(where: { Permissions.allows(recorder.role, $0) })
                else { throw ChainViolation("an external approval without a signature must be recorded by a member who may approve or publish") }
                if builders[advisory, default: []].contains(approver) {
                    throw ChainViolation("\(approver) recorded an external approval of a pre-release they prepared")
                }
            } else {
                guard approver == entry.member, let recorder, Permissions.allows(recorder.role, .approve) else {
                    throw ChainViolation("\(approver) may not approve")
                }
                if builders[advisory, default: []].contains(approver) {
                    throw ChainViolation("\(approver) approved a pre-release they prepared")
                }
            }
            signed.append(Signed(advisory: advisory, facts: facts, seq: entry.seq))
        default:
            break
        }
    }

    /// Every approval row must be one a signed entry made, and a row that still
    /// counts must not have been voided by a later entry.
    func checkRows(_ db: Database) throws {
        var unused = signed
        for row in try Row.fetchAll(db, sql: "SELECT * FROM approvals ORDER BY seq") {
            let advisory: String = row["advisory"]
            let prerelease: Int64 = row["prerelease"]
            let hash: String = row["manifest_hash"]
            let by: String = row["approved_by"]
            let external: String? = row["external"]
            guard let index = unused.firstIndex(where: {
                $0.advisory == advisory && $0.facts["pre-release"] == String(prerelease) && $0.facts["manifest"] == hash
                    && $0.facts["by"] == by && $0.facts["external"] == external
            }) else {
                throw AuditTrail.damaged("the approval of \(advisory) by \(by) has no signed entry that made it")
            }
            let entry = unused.remove(at: index)
            if (row["void"] as Int) == 0, voids[advisory, default: []].contains(where: { $0 > entry.seq }) {
                throw AuditTrail.damaged("the approval of \(advisory) by \(by) was voided by a later entry but counts again in the approvals table")
            }
        }
    }

    /// Marks an `advisory.edit` entry that voided the advisory's approvals.
    static let voidedByEdit = "approval voided"

    static func isValid(signature: String, manifest: String, key: String) -> Bool {
        guard let data = Data(base64Encoded: signature), let text = String(data: data, encoding: .utf8),
              let parsed = try? MinisignSignature(parsing: text), let publicKey = try? MinisignPublicKey(base64: key)
        else { return false }
        return (try? publicKey.verify(parsed, for: Array(manifest.utf8))) != nil
    }
}
