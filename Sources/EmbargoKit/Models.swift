import Foundation
import GRDB

/// A person who may open the store.
public struct Member: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "members"

    public var name: String
    /// The age recipient the data key is wrapped for; nil for an external
    /// approver, who may approve with their signing key and can decrypt nothing.
    public var recipient: String?
    public var signingKey: String
    public var role: Role
    public var addedAt: String
    public var addedBy: String?
    public var external: Bool

    public init(name: String, recipient: String?, signingKey: String, role: Role, addedAt: String, addedBy: String?,
                external: Bool = false)
    {
        self.name = name
        self.recipient = recipient
        self.signingKey = signingKey
        self.role = role
        self.addedAt = addedAt
        self.addedBy = addedBy
        self.external = external
    }

    enum CodingKeys: String, CodingKey {
        case name, recipient, role, external
        case signingKey = "signing_key"
        case addedAt = "added_at"
        case addedBy = "added_by"
    }
}

/// A software project whose releases the store prepares.
public struct Project: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "projects"

    public var name: String
    public var repoPath: String
    public var remote: String
    public var packageName: String
    public var policy: String
    public var testCommand: String?
    public var buildCommand: String?
    public var createdAt: String
    /// The name people know it by, shown as the SA's Project (nil: its name).
    public var title: String? = nil

    /// What the SA and other public texts call it.
    public var displayName: String { title ?? name }

    enum CodingKeys: String, CodingKey {
        case name, remote, policy, title
        case repoPath = "repo_path"
        case packageName = "package_name"
        case testCommand = "test_command"
        case buildCommand = "build_command"
        case createdAt = "created_at"
    }
}

/// A project with its release branches, as commands show it.
public struct ProjectDetails: Codable, Sendable, Equatable {
    public var project: Project
    public var branches: [String]
    /// Paths the build command must produce (committed for the tag only).
    public var requiredPaths: [String] = []
    /// `Name <email>` of release commits and tags (default: embargo's own).
    public var committer: String?
    /// Test commands of particular branches, over the project's.
    public var branchTestCommands: [String: String] = [:]
    /// Days the project releases nothing, in order.
    public var blackouts: [Blackout] = []

    /// The command that tests `branch`: its own, else the project's.
    public func testCommand(for branch: String) -> String? { branchTestCommands[branch] ?? project.testCommand }
    /// This machine's own settings, already in `project` (see `project local`).
    public var local: LocalProjectSettings?
}
