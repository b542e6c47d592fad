import EmbargoStore

/// A member's role in the release process (DOMAIN.md).
public enum Role: String, CaseIterable, Codable, Sendable {
    case admin, preparer, qa, publisher, security
}

/// Something a member may or may not do. Checked in one place: `Permissions.require`.
public enum Action: String, CaseIterable, Codable, Sendable {
    case read
    case manageMembers = "manage-members"
    case manageProjects = "manage-projects"
    case maintainStore = "maintain-store"
    case createAdvisory = "create-advisory"
    case editAdvisory = "edit-advisory"
    case patch
    case prerelease
    case approve
    case publish
    case revert
    case recordQA = "record-qa"
    case planRelease = "plan-release"

    public var summary: String {
        switch self {
        case .read: return "read the store"
        case .manageMembers: return "add, remove members and change roles"
        case .manageProjects: return "add projects, change their settings and the people credited in release notes"
        case .maintainStore: return "restore the store from a backup"
        case .createAdvisory: return "register advisories and import them"
        case .editAdvisory: return "edit advisories, change their status, schedule them, add notes"
        case .patch: return "add, check out and remove private patches"
        case .prerelease: return "build the pre-release bundle for the security team"
        case .approve: return "approve a pre-release for publication"
        case .publish: return "publish an approved security release"
        case .revert: return "revert a release that is not yet published"
        case .recordQA: return "record QA results on an advisory or a release"
        case .planRelease: return "plan, tag and revert releases"
        }
    }
}

/// The permission table: which roles may take each action.
public enum Permissions {
    public static func roles(for action: Action) -> [Role] {
        switch action {
        case .read: return Role.allCases
        case .manageMembers, .maintainStore: return [.admin]
        case .manageProjects: return [.admin, .preparer]
        case .createAdvisory, .editAdvisory: return [.admin, .preparer, .security]
        case .patch, .prerelease, .revert, .planRelease: return [.admin, .preparer]
        case .approve: return [.security]
        // Preparers publish security releases themselves, because of timing (DOMAIN.md).
        case .publish: return [.admin, .preparer, .publisher]
        case .recordQA: return [.admin, .preparer, .qa]
        }
    }

    public static func allows(_ role: Role, _ action: Action) -> Bool {
        roles(for: action).contains(role)
    }

    /// Throws a policy refusal (exit 3) naming the roles the action needs.
    public static func require(_ action: Action, by member: Member) throws {
        try require(anyOf: [action], by: member)
    }

    /// Throws unless the member's role allows one of `actions`; the message
    /// names the first action and every role that would do.
    public static func require(anyOf actions: [Action], by member: Member) throws {
        guard !actions.contains(where: { allows(member.role, $0) }), let first = actions.first else { return }
        let needed = Role.allCases.filter { role in actions.contains { allows(role, $0) } }.map(\.rawValue).joined(separator: " or ")
        throw EmbargoError(.refused, "member \(member.name) has role \(member.role.rawValue); \(first.summary) needs role \(needed)",
                           hint: "ask an admin to run 'embargo member role \(member.name) ROLE' or to do it")
    }

    /// Who may record an outside team's approval backed by its registered
    /// approver's signature (the signature is the evidence), and who may
    /// record one backed only by a URL (a second member vouches for it).
    static let recordSignedExternalApproval: [Action] = [.approve, .publish, .prerelease]
    static let recordExternalApproval: [Action] = [.approve, .publish]
    /// Who may accept a lint finding on an advisory (or revoke the acceptance):
    /// whoever edits it, builds its pre-release or publishes it.
    public static let acceptFinding: [Action] = [.editAdvisory, .prerelease, .publish]
}
