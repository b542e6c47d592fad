import EmbargoStore
import Foundation
import GRDB

/// What one member keeps for themselves, outside the shared store: where
/// their own clone of a project is and how its tests run there. A team store
/// travels between machines; these paths do not.
public struct LocalProjectSettings: Codable, Sendable, Equatable {
    public var repo: String?
    public var testCommand: String?

    public init(repo: String? = nil, testCommand: String? = nil) {
        self.repo = repo
        self.testCommand = testCommand
    }

    enum CodingKeys: String, CodingKey {
        case repo
        case testCommand = "test_command"
    }
}

/// `$XDG_CONFIG_HOME/embargo/projects.json`: settings by store id, then by project.
struct LocalSettingsFile: Codable {
    var stores: [String: [String: LocalProjectSettings]] = [:]

    static func url(in directory: URL) -> URL { directory.appendingPathComponent("projects.json") }

    static func load(from directory: URL) throws -> LocalSettingsFile {
        guard let bytes = try SafeFile.read(url(in: directory), limit: 1 << 20) else { return LocalSettingsFile() }
        guard let file = try? JSONDecoder().decode(LocalSettingsFile.self, from: Data(bytes)) else {
            throw EmbargoError(.failure, "\(url(in: directory).path) cannot be read",
                               hint: "fix it or remove it, then set this machine's settings again with 'embargo project local NAME --repo PATH'")
        }
        return file
    }

    func save(to directory: URL) throws {
        try SafeFile.makePrivateDirectory(directory)
        try SafeFile.replaceAtomically(Self.url(in: directory), bytes: Array(try JSONEncoder.document().encode(self)))
    }
}

extension Workspace {
    private func storeID() throws -> String {
        try store.read { db in try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'store_id'") } ?? store.directory.path
    }

    /// This machine's settings for `project`, if any.
    public func localSettings(project: String) throws -> LocalProjectSettings? {
        guard let directory = environment.configDirectory else { return nil }
        return try LocalSettingsFile.load(from: directory).stores[try storeID()]?[project]
    }

    /// Sets (or with `clear`, forgets) where this machine's clone of `project`
    /// is and how its tests run here. Any member may: it changes nothing shared.
    @discardableResult
    public func setLocalSettings(project name: String, repo: String?, testCommand: String?, clear: Bool) throws -> LocalProjectSettings? {
        guard let directory = environment.configDirectory else {
            throw EmbargoError(.failure, "no configuration directory", hint: "set XDG_CONFIG_HOME or HOME")
        }
        let shared = try store.read { db in
            guard let project = try Project.fetchOne(db, key: name) else { throw Self.unknownProject(name) }
            return project
        }
        var file = try LocalSettingsFile.load(from: directory)
        let id = try storeID()
        var settings = clear ? LocalProjectSettings() : (file.stores[id]?[name] ?? LocalProjectSettings())
        if let repo {
            let url = URL(fileURLWithPath: repo).standardizedFileURL
            let git = environment.git(url)
            guard git.isRepository() else {
                throw EmbargoError(.failure, "\(url.path) is not a git repository", hint: "pass the path of your clone of \(name)")
            }
            guard try git.hasRemote(shared.remote) else {
                throw EmbargoError(.failure, "your clone has no remote named \(shared.remote)",
                                   hint: "add it: git -C \(url.path) remote add \(shared.remote) URL")
            }
            settings.repo = url.path
        }
        if let testCommand { settings.testCommand = testCommand.isEmpty ? nil : testCommand }
        file.stores[id, default: [:]][name] = settings == LocalProjectSettings() ? nil : settings
        try file.save(to: directory)
        return file.stores[id]?[name]
    }

    /// A project with this machine's settings in place of the shared ones.
    func applyingLocalSettings(_ details: ProjectDetails) throws -> ProjectDetails {
        var details = details
        if let local = try localSettings(project: details.project.name) {
            if let repo = local.repo { details.project.repoPath = repo }
            if let command = local.testCommand {
                // This machine's own command runs on every branch.
                details.project.testCommand = command
                details.branchTestCommands = [:]
            }
            details.local = local
        }
        if let clone = environment.repositoryOverride { details.project.repoPath = clone.path }
        return details
    }
}
