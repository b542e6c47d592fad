import Foundation
import GRDB

/// A person who may open the store.
public struct Member: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "members"

    public var name: String
    public var recipient: String
    public var signingKey: String
    public var role: Role
    public var addedAt: String
    public var addedBy: String?

    enum CodingKeys: String, CodingKey {
        case name, recipient, role
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

    enum CodingKeys: String, CodingKey {
        case name, remote, policy
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
}
