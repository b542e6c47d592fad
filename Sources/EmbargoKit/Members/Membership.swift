import EmbargoCrypto
import EmbargoStore
import Foundation
import GRDB

/// The facts an audit entry carries, as `key value` pairs joined by "; ".
/// Membership entries carry the keys and role they grant, approvals the
/// manifest they bind, so that the signed entry alone says what it did.
struct AuditFacts: Equatable {
    private(set) var pairs: [(key: String, value: String)] = []

    init(_ pairs: [(String, String)] = []) {
        self.pairs = pairs.map { (key: $0.0, value: $0.1) }
    }

    /// Reads a detail written by `text`; keys are known words, values run to the next "; ".
    init(parsing detail: String) {
        for part in detail.components(separatedBy: "; ") {
            guard let space = Self.keys.first(where: { part.hasPrefix($0 + " ") }) else { continue }
            pairs.append((key: space, value: String(part.dropFirst(space.count + 1))))
        }
    }

    static let keys = ["member", "role", "recipient", "signing key", "pre-release", "manifest", "by", "external", "evidence",
                       "signature", "bundle"]

    subscript(key: String) -> String? { pairs.first { $0.key == key }?.value }

    var text: String { pairs.map { "\($0.key) \($0.value)" }.joined(separator: "; ") }

    static func == (lhs: AuditFacts, rhs: AuditFacts) -> Bool { lhs.text == rhs.text }

    /// The facts of a membership grant.
    static func grant(_ member: Member, includeName: Bool) -> AuditFacts {
        var facts: [(String, String)] = includeName ? [("member", member.name)] : []
        facts += [("role", member.role.rawValue), ("recipient", member.recipient ?? "none (external approver)"),
                  ("signing key", member.signingKey)]
        return AuditFacts(facts)
    }
}

/// Who was a member, with which keys and role, at each point of the audit
/// trail: replayed from the signed entries alone, never from the editable
/// `members` table. The first entry (`store.init`) names the founding admin,
/// whose key every machine pins; every later membership change must be
/// signed by an admin of that moment.
struct MembershipChain {
    struct Former: Equatable {
        var member: Member
        var removedAt: String
        var removedBy: String
    }

    private(set) var members: [String: Member] = [:]
    private(set) var former: [Former] = []
    /// The founding admin's signing key (entry 1's signer).
    private(set) var founderKey: String?

    /// Applies one entry whose hash and signature were checked by the caller.
    /// Throws (a reason, no more) when the signer was not a member with that
    /// key at this point or their role did not allow the action.
    mutating func apply(_ entry: AuditEntry) throws(ChainViolation) {
        if entry.seq == 1 || founderKey == nil {
            try found(entry)
            return
        }
        guard let signer = members[entry.member] else {
            throw ChainViolation("it is signed in the name of \(entry.member), who was not a member at that point")
        }
        guard signer.signingKey == entry.signingKey else {
            throw ChainViolation("it is signed with a key that was not member \(entry.member)'s at that point")
        }
        guard let needed = Permissions.needed(forAudit: entry.action, detail: entry.detail) else {
            throw ChainViolation("its action \(entry.action) is unknown")
        }
        guard needed.contains(where: { Permissions.allows(signer.role, $0) }) else {
            throw ChainViolation("\(entry.member) had role \(signer.role.rawValue) then, which may not \(entry.action)")
        }
        let facts = AuditFacts(parsing: entry.detail)
        switch entry.action {
        case "member.add":
            guard members[entry.object] == nil else { throw ChainViolation("it adds \(entry.object), who is a member already") }
            guard let roleText = facts["role"], let role = Role(rawValue: roleText), let key = facts["signing key"],
                  let recipient = facts["recipient"]
            else { throw ChainViolation("it does not name the new member's role and keys") }
            let external = recipient.hasPrefix("none")
            if members.values.contains(where: { $0.signingKey == key || (!external && $0.recipient == recipient) }) {
                throw ChainViolation("it gives \(entry.object) keys that belong to another member")
            }
            members[entry.object] = Member(name: entry.object, recipient: external ? nil : recipient, signingKey: key, role: role,
                                           addedAt: entry.at, addedBy: entry.member, external: external)
        case "member.role":
            guard var target = members[entry.object] else { throw ChainViolation("it changes \(entry.object), who is not a member") }
            guard let roleText = facts["role"], let role = Role(rawValue: roleText) else {
                throw ChainViolation("it does not name the new role")
            }
            if target.external, role != .security { throw ChainViolation("an external approver can only have the security role") }
            target.role = role
            members[entry.object] = target
        case "member.remove":
            guard let target = members.removeValue(forKey: entry.object) else {
                throw ChainViolation("it removes \(entry.object), who is not a member")
            }
            former.append(Former(member: target, removedAt: entry.at, removedBy: entry.member))
        default:
            break
        }
        if !members.values.contains(where: { $0.role == .admin }) {
            throw ChainViolation("it leaves the store without an admin")
        }
    }

    private mutating func found(_ entry: AuditEntry) throws(ChainViolation) {
        guard entry.seq == 1, entry.action == "store.init" else {
            throw ChainViolation("the trail does not begin with the store's creation")
        }
        let facts = AuditFacts(parsing: entry.detail)
        guard let name = facts["member"], name == entry.member, facts["role"] == Role.admin.rawValue,
              let recipient = facts["recipient"], facts["signing key"] == entry.signingKey
        else {
            throw ChainViolation("the store's creation does not name its founding admin and their keys (a store made before membership was signed cannot be verified)")
        }
        founderKey = entry.signingKey
        members[name] = Member(name: name, recipient: recipient, signingKey: entry.signingKey, role: .admin,
                               addedAt: entry.at, addedBy: nil)
    }

    /// The member holding `signingKey` at this point, if any.
    func member(signingKey: String) -> Member? {
        members.values.first { $0.signingKey == signingKey }
    }
}

/// Why an audit entry does not fit the membership chain.
struct ChainViolation: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

extension Permissions {
    /// The actions, any one of which the signer of an audit entry needed. Nil
    /// for an action embargo never writes.
    static func needed(forAudit action: String, detail: String) -> [Action]? {
        switch action {
        case "store.init": return [.manageMembers]
        case "member.add", "member.role", "member.remove": return [.manageMembers]
        case "store.restore": return [.maintainStore]
        case "store.remote": return [.manageMembers]
        case "project.add", "project.set", "people.import", "people.set": return [.manageProjects]
        case "advisory.create", "advisory.import": return [.createAdvisory]
        case "advisory.edit", "advisory.note", "advisory.schedule", "advisory.amend", "advisory.broken", "advisory.announce",
             "cve.request", "cve.publish":
            return [.editAdvisory]
        case "patch.add", "patch.replace", "patch.remove", "patch.verify", "patch.checkout", "guard.install": return [.patch]
        case "advisory.prerelease": return [.prerelease]
        // An external team's approval is recorded by a member; the approval checks say which.
        case "advisory.approve": return recordSignedExternalApproval
        case "advisory.publish": return [.publish]
        case "advisory.revert": return [.revert]
        case "advisory.export": return [.read]
        case "lint.accept": return acceptFinding
        case "release.plan", "release.drop", "release.tag", "release.revert": return [.planRelease]
        case "release.qa": return [.recordQA]
        case "release.published", "release.verify": return [.publish]
        case "advisory.status":
            // The steps move an advisory to the statuses they produce.
            if detail.hasSuffix("-> prereleased") { return [.prerelease] }
            if detail.hasSuffix("-> approved") { return recordSignedExternalApproval }
            if detail.hasSuffix("-> published") { return [.publish] }
            return [.editAdvisory, .patch, .revert]
        default:
            if action.hasPrefix("publish."), PublicationStep(rawValue: String(action.dropFirst("publish.".count))) != nil {
                return [.publish]
            }
            return nil
        }
    }
}
