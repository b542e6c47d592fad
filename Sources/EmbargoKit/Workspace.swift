import EmbargoCrypto
import EmbargoStore
import Foundation
import GRDB

/// A clock, injected so that tests and rehearsals are deterministic.
public protocol Clock: Sendable {
    func now() -> Date
}

public struct SystemClock: Clock {
    public init() {}
    public func now() -> Date { Date() }
}

/// Side effects the domain needs, supplied by the CLI (or a test).
public struct Environment: Sendable {
    public var clock: Clock
    public var runner: ProcessRunner
    /// Environment for child processes such as git; nil inherits the caller's.
    public var childEnvironment: [String: String]?
    /// When the store's commits go to its journal.
    public var journalPolicy: JournalPolicy
    /// Where this machine remembers what it saw of each store (rollback
    /// detection, the founder's pinned key); nil remembers nothing.
    public var stateDirectory: URL?
    /// Where this member's own settings live (their clone of each project):
    /// `$XDG_CONFIG_HOME/embargo`; nil keeps none.
    public var configDirectory: URL?
    /// After how many team log entries an admin's sync adds a snapshot of
    /// the store, so that a new clone starts near the end of the log.
    public var teamSnapshotInterval: UInt64 = 500
    /// The clone of the project's repository given with `--repo` for one
    /// command: over this member's local setting and the store's path.
    public var repositoryOverride: URL?

    public init(clock: Clock = SystemClock(), runner: ProcessRunner = SystemProcessRunner(),
                childEnvironment: [String: String]? = nil, journalPolicy: JournalPolicy = .standard, stateDirectory: URL? = nil)
    {
        self.clock = clock
        self.runner = runner
        self.childEnvironment = childEnvironment
        self.journalPolicy = journalPolicy
        self.stateDirectory = stateDirectory
    }

    var memory: MachineMemory? { stateDirectory.map(MachineMemory.init) }

    public func git(_ repository: URL) -> Git {
        Git(repository: repository, runner: runner, environment: childEnvironment)
    }
}

/// An open store together with the member acting on it (the holder of the
/// identity in use). Every domain operation goes through here.
// Not Sendable: it owns a Store, which is used from one thread.
public final class Workspace {
    public let store: Store
    public let identity: EmbargoIdentity
    public private(set) var member: Member
    public let environment: Environment
    /// Called by `publish` once its first step is recorded and before it
    /// pushes anything: the CLI sends the step to the team remote there.
    public var onClaim: ((String) throws -> Void)?

    init(store: Store, identity: EmbargoIdentity, member: Member, environment: Environment) {
        self.store = store
        self.identity = identity
        self.member = member
        self.environment = environment
        if let memory = environment.memory {
            let directory = store.directory
            let clock = environment.clock
            store.onCommit = { generation in
                try? memory.update(forStore: directory) { seen in
                    if generation > seen.generation {
                        seen.generation = generation
                        seen.seenAt = Timestamp.string(clock.now())
                    }
                }
            }
        }
    }

    /// Creates a store whose first member (role admin) holds `identity`.
    public static func initialize(
        at directory: URL, identity: EmbargoIdentity, memberName: String, environment: Environment
    ) throws -> Workspace {
        try Validate.memberName(memberName)
        let now = Timestamp.string(environment.clock.now())
        let member = Member(name: memberName, recipient: identity.recipient, signingKey: identity.signingKey,
                            role: .admin, addedAt: now, addedBy: nil)
        let store = try Store.create(at: directory, recipients: [identity.age.recipient]) { db in
            try db.execute(sql: "INSERT INTO store_meta (key, value) VALUES ('created_at', ?), ('store_id', ?)",
                           arguments: [now, UUID().uuidString.lowercased()])
            try member.insert(db)
            try AuditTrail.append(db, identity: identity, member: memberName, at: now, action: "store.init", object: "store",
                                  detail: AuditFacts.grant(member, includeName: true).text)
        }
        store.journalPolicy = environment.journalPolicy
        try reconcileMemory(store, environment, founderKey: identity.signingKey)
        return Workspace(store: store, identity: identity, member: member, environment: environment)
    }

    /// Opens a store as the member holding `identity`.
    public static func open(at directory: URL, identity: EmbargoIdentity, environment: Environment) throws -> Workspace {
        let store = try Store.open(at: directory, identity: identity.age)
        store.journalPolicy = environment.journalPolicy
        // Who is a member, with which role, comes from the signed membership
        // chain; a members table that disagrees with it is damage.
        let (member, founder) = try store.read { db -> (Member?, String?) in
            let chain = try AuditTrail.membership(db)
            return (chain.members.values.first { $0.recipient == identity.recipient && $0.signingKey == identity.signingKey },
                    chain.founderKey)
        }
        try reconcileMemory(store, environment, founderKey: founder)
        guard let member else {
            throw EmbargoError(.accessDenied, "this identity is not a member of the store",
                               hint: "ask a store admin to add you with 'embargo member add NAME --recipient age1... --signing-key RW... --role ROLE' (your keys: 'embargo identity show')")
        }
        return Workspace(store: store, identity: identity, member: member, environment: environment)
    }

    var now: String { Timestamp.string(environment.clock.now()) }

    // MARK: Members

    public func members() throws -> [Member] {
        try store.read { db in try Member.order(Column("name")).fetchAll(db) }
    }

    /// Adds a member. With `recipient` nil the member is an external
    /// approver: role security, the data key is not wrapped for them, and
    /// their signing key only serves to check their approvals.
    @discardableResult
    public func addMember(name: String, recipient: String?, signingKey: String, role: Role) throws -> Member {
        try Permissions.require(.manageMembers, by: member)
        try Validate.memberName(name)
        if recipient == nil, role != .security {
            throw EmbargoError(.usage, "an external approver has the security role", hint: "pass --role security with --external")
        }
        let ageRecipient: AgeX25519Recipient?
        do {
            ageRecipient = try recipient.map { try AgeX25519Recipient(parsing: $0) }
        } catch {
            throw EmbargoError(.failure, "'\((recipient ?? "").prefix(80))' is not an age X25519 recipient",
                               hint: "pass the \"recipient\" (age1...) printed by 'embargo identity show --json'")
        }
        let minisignKey: MinisignPublicKey
        do {
            minisignKey = try MinisignPublicKey(base64: signingKey)
        } catch {
            throw EmbargoError(.failure, "'\(signingKey.prefix(80))' is not a minisign public key",
                               hint: "pass the \"signing_key\" (RW...) printed by 'embargo identity show --json'")
        }
        let added = Member(name: name, recipient: ageRecipient?.encoded, signingKey: minisignKey.base64, role: role,
                           addedAt: now, addedBy: member.name, external: ageRecipient == nil)
        try store.writeUpdatingKeyring { db in
            if try Member.fetchOne(db, key: name) != nil {
                throw EmbargoError(.failure, "member \(name) already exists", hint: "run 'embargo member list'")
            }
            if try Member.filter((added.recipient != nil && Column("recipient") == added.recipient) || Column("signing_key") == added.signingKey)
                .fetchOne(db) != nil
            {
                throw EmbargoError(.failure, "these keys already belong to another member", hint: "run 'embargo member list'")
            }
            try added.insert(db)
            try appendAudit(db, "member.add", name, detail: AuditFacts.grant(added, includeName: false).text)
            return try Self.recipients(db)
        }
        return added
    }

    @discardableResult
    public func setRole(name: String, role: Role) throws -> Member {
        try Permissions.require(.manageMembers, by: member)
        let updated = try audited("member.role", name, detail: "role \(role.rawValue)") { db -> Member in
            guard var target = try Member.fetchOne(db, key: name) else { throw Self.unknownMember(name) }
            if target.external, role != .security {
                throw EmbargoError(.refused, "\(name) is an external approver and keeps the security role",
                                   hint: "remove them and add them as a member with a recipient instead")
            }
            if target.role == .admin, role != .admin, try Self.adminCount(db) == 1 {
                throw EmbargoError(.refused, "member \(name) is the last admin",
                                   hint: "make another member admin first")
            }
            target.role = role
            try target.update(db)
            return target
        }
        if updated.name == member.name { member = updated }
        return updated
    }

    /// Removes a member and rotates the data key: the removed identity can open
    /// neither the store nor any of its backups afterwards.
    public func removeMember(name: String) throws {
        try Permissions.require(.manageMembers, by: member)
        try store.writeRotatingKey { db in
            guard let target = try Member.fetchOne(db, key: name) else { throw Self.unknownMember(name) }
            if target.role == .admin, try Self.adminCount(db) == 1 {
                throw EmbargoError(.refused, "member \(name) is the last admin", hint: "make another member admin first")
            }
            try target.delete(db)
            try db.execute(
                sql: """
                    INSERT INTO former_members (name, recipient, signing_key, role, removed_at, removed_by, external)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [target.name, target.recipient, target.signingKey, target.role.rawValue, now, member.name, target.external])
            try appendAudit(db, "member.remove", name, detail: "data key rotated")
            return try Self.recipients(db)
        }
    }

    static func recipients(_ db: Database) throws -> [AgeX25519Recipient] {
        try String.fetchAll(db, sql: "SELECT recipient FROM members WHERE recipient IS NOT NULL ORDER BY name")
            .map { try AgeX25519Recipient(parsing: $0) }
    }

    static func adminCount(_ db: Database) throws -> Int {
        try Member.filter(Column("role") == Role.admin.rawValue).fetchCount(db)
    }

    static func unknownMember(_ name: String) -> EmbargoError {
        EmbargoError(.failure, "member \(EmbargoError.quoted(name)) not found", hint: "run 'embargo member list' to see members")
    }

    // MARK: Projects

    @discardableResult
    public func addProject(
        name: String, repository: String, remote: String, branches: [String], packageName: String?, policy: String, title: String? = nil
    ) throws -> ProjectDetails {
        try Permissions.require(.manageProjects, by: member)
        try Validate.projectName(name)
        let repoURL = URL(fileURLWithPath: repository).standardizedFileURL
        try checkRepository(repoURL, remote: remote, branches: branches)
        let profiles = try PolicyProfile.parseList(policy).map(\.rawValue).joined(separator: ",")
        let project = Project(name: name, repoPath: repoURL.path, remote: remote, packageName: packageName ?? name,
                              policy: profiles, testCommand: nil, buildCommand: nil, createdAt: now, title: try title.flatMap(Validate.projectTitle))
        try Validate.packageName(project.packageName)
        try audited("project.add", name, detail: "branches \(branches.joined(separator: ", "))") { db in
            if try Project.fetchOne(db, key: name) != nil {
                throw EmbargoError(.failure, "project \(name) already exists", hint: "run 'embargo project show \(name)'")
            }
            try project.insert(db)
            try Self.saveBranches(db, project: name, branches: branches)
        }
        return ProjectDetails(project: project, branches: branches)
    }

    public func projects() throws -> [ProjectDetails] {
        try store.read { db in
            try Project.order(Column("name")).fetchAll(db).map { try Self.details(db, $0) }
        }
    }

    /// The project as this machine uses it: the shared settings, with this
    /// member's own clone and test command in their place when set.
    public func project(named name: String) throws -> ProjectDetails {
        try applyingLocalSettings(try sharedProject(named: name))
    }

    /// The project as the shared store has it (what `project set` changes).
    func sharedProject(named name: String) throws -> ProjectDetails {
        try store.read { db in
            guard let project = try Project.fetchOne(db, key: name) else { throw Self.unknownProject(name) }
            return try Self.details(db, project)
        }
    }

    /// Changes to a project's settings; nil leaves a field as it is.
    public struct ProjectChanges: Sendable {
        public var repository: String?
        public var remote: String?
        public var packageName: String?
        /// The name people know it by ("" clears it).
        public var title: String?
        public var policy: String?
        public var testCommand: String?
        public var buildCommand: String?
        public var addBranches: [String] = []
        public var removeBranches: [String] = []
        public var requiredPaths: [String]?
        public var committer: String?
        /// The branch `testCommand` is for (nil: the project's own).
        public var testCommandBranch: String?
        /// Blackouts to add; to remove (each must be one the project has);
        /// whether to remove them all first (then `addBlackouts` replaces them).
        public var addBlackouts: [Blackout] = []
        public var removeBlackouts: [Blackout] = []
        public var clearBlackouts = false

        public init() {}

        public var isEmpty: Bool {
            repository == nil && remote == nil && packageName == nil && title == nil && policy == nil && testCommand == nil
                && buildCommand == nil && addBranches.isEmpty && removeBranches.isEmpty && requiredPaths == nil && committer == nil
                && testCommandBranch == nil && addBlackouts.isEmpty && removeBlackouts.isEmpty && !clearBlackouts
        }
    }

    @discardableResult
    public func setProject(name: String, changes: ProjectChanges) throws -> ProjectDetails {
        try Permissions.require(.manageProjects, by: member)
        guard !changes.isEmpty else {
            throw EmbargoError(.usage, "nothing to change", hint: "pass at least one option, see 'embargo project set --help'")
        }
        // This machine's own settings must not reach the shared store.
        let details = try sharedProject(named: name)
        var project = details.project
        if let repository = changes.repository { project.repoPath = URL(fileURLWithPath: repository).standardizedFileURL.path }
        if let remote = changes.remote { project.remote = remote }
        if let packageName = changes.packageName {
            try Validate.packageName(packageName)
            project.packageName = packageName
        }
        if let title = changes.title { project.title = try Validate.projectTitle(title) }
        if let policy = changes.policy {
            project.policy = try PolicyProfile.parseList(policy).map(\.rawValue).joined(separator: ",")
        }
        if let command = changes.testCommand, changes.testCommandBranch == nil { project.testCommand = command.isEmpty ? nil : command }
        if let command = changes.buildCommand { project.buildCommand = command.isEmpty ? nil : command }
        for branch in changes.removeBranches where !details.branches.contains(branch) {
            throw EmbargoError(.failure, "project \(name) has no branch \(branch)", hint: "run 'embargo project show \(name)'")
        }
        var branches = details.branches.filter { !changes.removeBranches.contains($0) }
        for branch in changes.addBranches where !branches.contains(branch) { branches.append(branch) }
        guard !branches.isEmpty else {
            throw EmbargoError(.failure, "a project needs at least one release branch")
        }
        if let branch = changes.testCommandBranch {
            guard changes.testCommand != nil else {
                throw EmbargoError(.usage, "--branch names the branch a --test-command is for", hint: "pass --test-command CMD too (empty: the project's again)")
            }
            guard branches.contains(branch) else {
                throw EmbargoError(.failure, "project \(name) has no branch \(branch)", hint: "run 'embargo project show \(name)'")
            }
        }
        // The repository is checked when the change concerns it: in the clone being set, else
        // in this member's own (a committer or a test command can change anywhere).
        if changes.repository != nil || changes.remote != nil || !changes.addBranches.isEmpty || !changes.removeBranches.isEmpty {
            let clone = changes.repository != nil ? project.repoPath : try self.project(named: name).project.repoPath
            try checkRepository(URL(fileURLWithPath: clone), remote: project.remote, branches: branches)
        }
        if let committer = changes.committer, !committer.isEmpty, committer.wholeMatch(of: /[^<>\n]+ <[^<>\s]+@[^<>\s]+>/) == nil {
            throw EmbargoError(.usage, "--committer must look like 'Name <email>'")
        }
        for blackout in changes.removeBlackouts where !details.blackouts.contains(blackout) {
            throw EmbargoError(.failure, "project \(name) has no blackout \(blackout)",
                               hint: "run 'embargo project show \(name)' to see its blackouts, or pass --clear-blackouts")
        }
        let final = project
        try audited("project.set", name) { db in
            guard try Project.fetchOne(db, key: name) != nil else { throw Self.unknownProject(name) }
            try final.update(db)
            let branchCommand = changes.testCommandBranch.map { (branch: $0, command: changes.testCommand.flatMap { $0.isEmpty ? nil : $0 }) }
            try Self.saveBranches(db, project: name, branches: branches, testCommand: branchCommand)
            if let paths = changes.requiredPaths {
                try db.execute(sql: "UPDATE projects SET required_paths = ? WHERE name = ?", arguments: [try Advisory.encodeJSON(paths), name])
            }
            if let committer = changes.committer {
                try db.execute(sql: "UPDATE projects SET committer = ? WHERE name = ?", arguments: [committer.isEmpty ? nil : committer, name])
            }
            if changes.clearBlackouts {
                try db.execute(sql: "DELETE FROM project_blackouts WHERE project = ?", arguments: [name])
            }
            for blackout in changes.removeBlackouts {
                try db.execute(sql: "DELETE FROM project_blackouts WHERE project = ? AND first_day = ? AND last_day = ?",
                               arguments: [name, blackout.first, blackout.last])
            }
            for blackout in changes.addBlackouts {
                try db.execute(sql: "INSERT OR IGNORE INTO project_blackouts (project, first_day, last_day) VALUES (?, ?, ?)",
                               arguments: [name, blackout.first, blackout.last])
            }
        }
        // The guard list lives in the repository, so a new repository needs its own.
        if changes.repository != nil { try refreshGuard(project: name) }
        return try self.project(named: name)
    }

    private func checkRepository(_ repository: URL, remote: String, branches: [String]) throws {
        let git = environment.git(repository)
        guard git.isRepository() else {
            throw EmbargoError(.failure, "\(repository.path) is not a git repository",
                               hint: "pass the path of the project's clone with --repo")
        }
        guard !remote.hasPrefix("-"), try git.hasRemote(remote) else {
            throw EmbargoError(.failure, "the repository has no remote named \(remote)",
                               hint: "run 'git -C \(repository.path) remote -v' to see its remotes")
        }
        guard !branches.isEmpty else {
            throw EmbargoError(.usage, "a project needs at least one release branch", hint: "pass --branch B")
        }
        guard Set(branches).count == branches.count else {
            throw EmbargoError(.usage, "a branch is given twice")
        }
        for branch in branches {
            guard try git.isValidBranchName(branch), try git.branchCommit(branch, remote: remote) != nil else {
                throw EmbargoError(.failure, "branch \(branch) not found in \(repository.path)",
                                   hint: "run 'git -C \(repository.path) branch -a' to see its branches")
            }
        }
    }

    /// Keeps `branches` in order; a branch's own test command stays, or
    /// becomes `testCommand` (nil: none) when it is that branch's.
    static func saveBranches(_ db: Database, project: String, branches: [String],
                             testCommand: (branch: String, command: String?)? = nil) throws {
        var commands: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT branch, test_command FROM project_branches WHERE project = ? AND test_command IS NOT NULL",
                                    arguments: [project]) {
            commands[row["branch"]] = row["test_command"]
        }
        if let testCommand { commands[testCommand.branch] = testCommand.command }
        try db.execute(sql: "DELETE FROM project_branches WHERE project = ?", arguments: [project])
        for (position, branch) in branches.enumerated() {
            try db.execute(sql: "INSERT INTO project_branches (project, branch, position, test_command) VALUES (?, ?, ?, ?)",
                           arguments: [project, branch, position, commands[branch]])
        }
    }

    static func details(_ db: Database, _ project: Project) throws -> ProjectDetails {
        let branches = try String.fetchAll(
            db, sql: "SELECT branch FROM project_branches WHERE project = ? ORDER BY position", arguments: [project.name])
        let extra = try Row.fetchOne(db, sql: "SELECT required_paths, committer FROM projects WHERE name = ?", arguments: [project.name])
        var details = ProjectDetails(project: project, branches: branches,
                                     requiredPaths: try Advisory.decode(extra?["required_paths"]), committer: extra?["committer"])
        for row in try Row.fetchAll(db, sql: "SELECT branch, test_command FROM project_branches WHERE project = ? AND test_command IS NOT NULL",
                                    arguments: [project.name]) {
            details.branchTestCommands[row["branch"]] = row["test_command"]
        }
        details.blackouts = try Row.fetchAll(
            db, sql: "SELECT first_day, last_day FROM project_blackouts WHERE project = ? ORDER BY first_day, last_day", arguments: [project.name]
        ).map { Blackout(first: $0["first_day"], last: $0["last_day"]) }
        return details
    }

    static func unknownProject(_ name: String) -> EmbargoError {
        EmbargoError(.failure, "project \(EmbargoError.quoted(name)) not found", hint: "run 'embargo project list' to see known projects")
    }
}

/// Input checks shared by commands.
enum Validate {
    static func memberName(_ name: String) throws {
        guard isSimpleName(name, extra: "._@-") else {
            throw EmbargoError(.usage, "'\(EmbargoError.quoted(name, limit: 64))' is not a valid member name",
                               hint: "use 1-64 letters, digits, '.', '_', '@' or '-'")
        }
    }

    static func projectName(_ name: String) throws {
        guard isSimpleName(name, extra: "._-") else {
            throw EmbargoError(.usage, "'\(EmbargoError.quoted(name, limit: 64))' is not a valid project name",
                               hint: "use 1-64 letters, digits, '.', '_' or '-'")
        }
    }

    /// A project's title as given: one line of text; nil for "" (none).
    static func projectTitle(_ title: String) throws -> String? {
        try Limits.line(title, "the project's title", maximum: Limits.titleLength)
        return title.nilIfEmpty
    }

    static func packageName(_ name: String) throws {
        guard isSimpleName(name, extra: "._-") else {
            throw EmbargoError(.usage, "'\(EmbargoError.quoted(name, limit: 64))' is not a valid package name",
                               hint: "use 1-64 letters, digits, '.', '_' or '-'")
        }
    }

    private static func isSimpleName(_ name: String, extra: String) -> Bool {
        guard (1...64).contains(name.count), let first = name.unicodeScalars.first,
              CharacterSet.alphanumerics.contains(first), first.isASCII
        else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || extra.unicodeScalars.contains($0)) }
    }
}

// MARK: What this machine remembers

extension Workspace {
    /// Refuses (exit 4) a store older than the newest state this machine saw
    /// of it, an audit trail that lost the entry it remembers (other than by
    /// an admin's signed restore), or another founding admin than the pinned
    /// one; then remembers what is newer. The file is written only when
    /// something changed, not on every command.
    static func reconcileMemory(_ store: Store, _ environment: Environment, founderKey: String?) throws {
        guard let memory = environment.memory else { return }
        let seen = try memory.load(forStore: store.directory) ?? StoreMemory()
        let generation = try store.generation()
        if generation < seen.generation {
            throw EmbargoError(.verification, "the store is at generation \(generation), older than generation \(seen.generation) this machine saw on \(seen.seenAt): it was rolled back",
                               hint: "if nobody restored a backup on purpose, put the newest state back ('embargo store restore FILE' with the newest backup, or a copy)")
        }
        if let pinned = seen.founderKey, let founderKey, pinned != founderKey {
            throw EmbargoError(.verification, "the store was founded by another key than the one this machine pinned (\(pinned.prefix(12))...)",
                               hint: "this is not the store you used before, or its whole history was rewritten; restore a backup or copy the team's store again")
        }
        let (kept, head) = try store.read { db -> (Bool, Row?) in
            let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            guard let seq = seen.auditSeq, let hash = seen.auditHead else { return (true, head) }
            if try String.fetchOne(db, sql: "SELECT hash FROM audit_log WHERE seq = ?", arguments: [seq]) == hash { return (true, head) }
            if let seq = seen.rechainedSeq, let hash = seen.rechainedHead,
               try String.fetchOne(db, sql: "SELECT hash FROM audit_log WHERE seq = ?", arguments: [seq]) == hash {
                return (true, head)
            }
            // An admin's restore of a backup legitimately drops later entries; it is signed like every entry.
            let restores = try AuditEntry.fetchAll(db, sql: "SELECT * FROM audit_log WHERE action = 'store.restore' AND seq <= ?", arguments: [seq + 1])
            return (restores.contains { $0.hash == $0.computedHash && $0.hasValidSignature }, head)
        }
        guard kept else {
            throw EmbargoError(.verification, "the audit trail no longer holds entry \(seen.auditSeq ?? 0) this machine saw on \(seen.seenAt): its history was rolled back or rewritten",
                               hint: "restore the newest backup with 'embargo store restore FILE', or ask an admin what happened")
        }
        var newer = seen
        if let head, head["hash"] != seen.auditHead {
            newer.auditSeq = head["seq"]
            newer.auditHead = head["hash"]
        }
        newer.generation = generation
        if newer.founderKey == nil { newer.founderKey = founderKey }
        if newer != seen {
            newer.seenAt = Timestamp.string(environment.clock.now())
            try memory.save(newer, forStore: store.directory)
        }
    }

    /// The founder key this machine pinned for the store, if any.
    func pinnedFounder() throws -> String? {
        try environment.memory?.load(forStore: store.directory)?.founderKey
    }
}
