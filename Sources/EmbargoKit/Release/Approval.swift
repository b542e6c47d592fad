import EmbargoStore
import Foundation
import GRDB

/// An approval of one pre-release, by a member of the security team or
/// recorded for an external security team with its evidence.
public struct Approval: Codable, Sendable, Equatable {
    public var seq: Int64
    public var prerelease: Int64
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

extension Workspace {
    /// Approves the current pre-release. The acting member must have the
    /// security role; with `external`, records an outside team's approval
    /// (any member who may publish or approve can record it, with evidence).
    @discardableResult
    public func approve(_ id: String, external: String? = nil, evidence: String? = nil) throws -> Approval {
        if external == nil {
            try Permissions.require(.approve, by: member)
        } else {
            guard Permissions.allows(member.role, .approve) || Permissions.allows(member.role, .publish) else {
                try Permissions.require(.approve, by: member)
                fatalError("unreachable: require throws")
            }
            guard let evidence, let url = URL(string: evidence), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw EmbargoError(.usage, "an external approval needs its evidence as an http(s) URL", hint: "pass --ref URL")
            }
        }
        let (advisory, _) = try advisoryAndProject(id)
        guard let current = try currentPrerelease(advisory.id) else {
            throw EmbargoError(.refused, "advisory \(advisory.id) has no pre-release to approve", hint: "run 'embargo prerelease \(advisory.id) --out DIR'")
        }
        guard [.prereleased, .approved].contains(advisory.status) else {
            throw EmbargoError(.refused, "advisory \(advisory.id) is \(advisory.status.rawValue); only a pre-released advisory can be approved")
        }
        let stamp = now
        let who = external.map { "external: \($0)" } ?? member.name
        try audited("advisory.approve", advisory.id, detail: "pre-release \(current.seq) by \(who)") { db in
            try db.execute(
                sql: """
                    INSERT INTO approvals (advisory, prerelease, manifest_hash, approved_at, approved_by, external, evidence)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [advisory.id, current.seq, current.manifestHash, stamp, member.name, external, evidence])
            try Self.record(db, advisory.id, at: stamp, actor: member.name, kind: "approved",
                            summary: "pre-release \(current.manifest.versions.joined(separator: ", ")) approved by \(who)"
                                + (evidence.map { " (\($0))" } ?? ""), detail: current.manifestHash)
            if advisory.status == .prereleased {
                _ = try transition(advisory.id, to: .approved, kind: "status", note: "approved", in: db)
            }
        }
        return try approvals(advisory.id).last!
    }

    public func approvals(_ id: String) throws -> [Approval] {
        try store.read { db in
            let advisory = try Self.fetchAdvisory(db, id)
            return try Row.fetchAll(db, sql: "SELECT * FROM approvals WHERE advisory = ? ORDER BY seq", arguments: [advisory.id]).map {
                Approval(seq: $0["seq"], prerelease: $0["prerelease"], manifestHash: $0["manifest_hash"], approvedAt: $0["approved_at"],
                         approvedBy: $0["approved_by"], external: $0["external"], evidence: $0["evidence"], void: ($0["void"] as Int) != 0)
            }
        }
    }

    /// The approvals that still count: of the current pre-release, not voided.
    public func validApprovals(_ id: String) throws -> [Approval] {
        guard let current = try currentPrerelease(id) else { return [] }
        return try approvals(id).filter { !$0.void && $0.prerelease == current.seq && $0.manifestHash == current.manifestHash }
    }
}
