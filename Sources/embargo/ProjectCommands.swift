import ArgumentParser
import EmbargoKit
import Foundation

extension Embargo {
    struct ProjectCommands: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "project",
            abstract: "Register the projects whose security releases the store prepares.",
            subcommands: [Add.self, List.self, Show.self, Set.self, Local.self]
        )
    }
}

extension Embargo.ProjectCommands {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a project: its clone, public remote and release branches.",
            discussion: """
                Example:
                  embargo project add ai --repo ~/src/ai --remote origin \\
                    --branch 1.1.x --branch 1.2.x
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The project's name.") var name: String
        @Option(help: ArgumentHelp("Path of the project's git clone.", valueName: "path")) var repo: String
        @Option(help: ArgumentHelp("The remote that publication pushes to.", valueName: "name")) var remote: String
        @Option(name: .customLong("branch"), help: ArgumentHelp("A release branch (repeat for several).", valueName: "branch"))
        var branches: [String] = []
        @Option(help: ArgumentHelp("Package name used in archives (default: the project name).", valueName: "name"))
        var packageName: String?
        @Option(help: ArgumentHelp("Release policy profile.", valueName: "name")) var policy = "drupal"
        @Option(help: ArgumentHelp("The name people know it by, the SA's Project (default: the project name).", valueName: "text"))
        var title: String?

        func validate() throws {
            if branches.isEmpty { throw ValidationError("at least one --branch is required") }
        }

        func run() throws {
            let details = try location.workspace().addProject(
                name: name, repository: repo, remote: remote, branches: branches, packageName: packageName, policy: policy, title: title)
            if output.json {
                try Terminal.printJSON(ProjectReport(details))
            } else {
                Terminal.say("added project \(details.project.name) with branches \(details.branches.joined(separator: ", "))")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the projects.",
            discussion: """
                Example:
                  embargo project list --json
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let projects = try location.workspace().projects()
            if output.json {
                try Terminal.printJSON(["projects": projects.map(ProjectReport.init)])
            } else {
                Terminal.printTable(["NAME", "BRANCHES", "REMOTE", "REPOSITORY"], projects.map {
                    [$0.project.name, $0.branches.joined(separator: ","), $0.project.remote, $0.project.repoPath]
                })
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a project's settings.",
            discussion: """
                Example:
                  embargo project show ai
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The project's name.") var name: String

        func run() throws {
            let details = try location.workspace().project(named: name)
            if output.json {
                try Terminal.printJSON(["project": ProjectReport(details)])
            } else {
                let p = details.project
                Terminal.printTable(["FIELD", "VALUE"], [
                    ["name", p.name], ["title", p.title ?? "-"], ["repository", p.repoPath + (details.local?.repo != nil ? " (this machine)" : "")], ["remote", p.remote],
                    ["branches", details.branches.joined(separator: ", ")], ["package", p.packageName],
                    ["policy", p.policy], ["test command", (p.testCommand ?? "-") + (details.local?.testCommand != nil ? " (this machine)" : "")],
                ] + details.branches.compactMap { branch in
                    details.branchTestCommands[branch].map { ["test command (\(branch))", $0] }
                } + [
                    ["build command", p.buildCommand ?? "-"],
                    ["required paths", details.requiredPaths.isEmpty ? "-" : details.requiredPaths.joined(separator: ", ")],
                    ["committer", details.committer ?? "-"],
                    ["blackouts", details.blackouts.isEmpty ? "-" : details.blackouts.map(\.description).joined(separator: ", ")],
                    ["created", p.createdAt],
                ])
            }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Change a project's settings.",
            discussion: """
                An empty command string removes the command.

                A blackout is a day or a range of days (UTC, both included) on which the
                project releases nothing: schedule and --next-window keep every release and
                disclosure out of it (a critical release only gets a warning). --blackout adds
                one, --remove-blackout removes one exactly as shown by 'project show', and
                --clear-blackouts removes them all (with --blackout: replaces them).

                Example:
                  embargo project set ai --test-command "vendor/bin/phpunit" --add-branch 2.0.x
                  embargo project set ai --branch 8.x-1.x --test-command "php7.4 run-tests"
                  embargo project set ai --blackout 2026-12-24..2027-01-02
                  embargo project set ai --remove-blackout 2027-04-14
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The project's name.") var name: String
        @Option(help: ArgumentHelp("Path of the project's git clone.", valueName: "path")) var repo: String?
        @Option(help: ArgumentHelp("The remote that publication pushes to.", valueName: "name")) var remote: String?
        @Option(help: ArgumentHelp("Package name used in archives.", valueName: "name")) var packageName: String?
        @Option(help: ArgumentHelp("The name people know it by, the SA's Project ('' clears it).", valueName: "text")) var title: String?
        @Option(help: ArgumentHelp("Release policy profile.", valueName: "name")) var policy: String?
        @Option(help: ArgumentHelp("Command that runs the project's tests in a patched clone.", valueName: "cmd")) var testCommand: String?
        @Option(help: ArgumentHelp("The release branch --test-command is for (default: every branch without one of its own).", valueName: "branch"))
        var branch: String?
        @Option(help: ArgumentHelp("Command that builds assets for the tagged commit.", valueName: "cmd")) var buildCommand: String?
        @Option(name: .customLong("add-branch"), help: ArgumentHelp("Add a release branch.", valueName: "branch")) var addBranches: [String] = []
        @Option(name: .customLong("remove-branch"), help: ArgumentHelp("Remove a release branch.", valueName: "branch")) var removeBranches: [String] = []
        @Option(name: .customLong("required-path"), help: ArgumentHelp("A path the build command must produce (repeat; replaces the list).", valueName: "path"))
        var requiredPaths: [String] = []
        @Flag(help: "Clear the list of required paths.") var clearRequiredPaths = false
        @Option(help: ArgumentHelp("'Name <email>' of release commits and tags (empty: embargo's default).", valueName: "identity")) var committer: String?
        @Option(name: .customLong("blackout"), help: ArgumentHelp("Add days without releases: DAY or FIRST..LAST (repeat).", valueName: "days"))
        var blackouts: [String] = []
        @Option(name: .customLong("remove-blackout"), help: ArgumentHelp("Remove a blackout, as 'project show' lists it.", valueName: "days"))
        var removeBlackouts: [String] = []
        @Flag(help: "Remove all blackouts (with --blackout: replace them).") var clearBlackouts = false

        func run() throws {
            var changes = Workspace.ProjectChanges()
            changes.repository = repo
            changes.remote = remote
            changes.packageName = packageName
            changes.title = title
            changes.policy = policy
            changes.testCommand = testCommand
            changes.testCommandBranch = branch
            changes.buildCommand = buildCommand
            changes.addBranches = addBranches
            changes.removeBranches = removeBranches
            changes.requiredPaths = clearRequiredPaths ? [] : (requiredPaths.isEmpty ? nil : requiredPaths)
            changes.committer = committer
            changes.addBlackouts = try blackouts.map(Blackout.parse)
            changes.removeBlackouts = try removeBlackouts.map(Blackout.parse)
            changes.clearBlackouts = clearBlackouts
            let details = try location.workspace().setProject(name: name, changes: changes)
            if output.json {
                try Terminal.printJSON(["project": ProjectReport(details)])
            } else {
                Terminal.say("updated project \(details.project.name)")
            }
        }
    }
}

struct ProjectReport: Encodable {
    let name: String
    let repository: String
    let remote: String
    let branches: [String]
    let packageName: String
    let title: String?
    let policy: String
    let testCommand: String?
    let buildCommand: String?
    let createdAt: String
    let requiredPaths: [String]
    let committer: String?
    let branchTestCommands: [String: String]
    let blackouts: [Blackout]

    init(_ details: ProjectDetails) {
        name = details.project.name
        repository = details.project.repoPath
        remote = details.project.remote
        branches = details.branches
        packageName = details.project.packageName
        title = details.project.title
        policy = details.project.policy
        testCommand = details.project.testCommand
        buildCommand = details.project.buildCommand
        createdAt = details.project.createdAt
        requiredPaths = details.requiredPaths
        committer = details.committer
        branchTestCommands = details.branchTestCommands
        blackouts = details.blackouts
    }

    enum CodingKeys: String, CodingKey {
        case name, repository, remote, branches, policy, title
        case packageName = "package_name"
        case testCommand = "test_command"
        case branchTestCommands = "branch_test_commands"
        case buildCommand = "build_command"
        case createdAt = "created_at"
        case requiredPaths = "required_paths"
        case committer, blackouts
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(repository, forKey: .repository)
        try c.encode(remote, forKey: .remote)
        try c.encode(branches, forKey: .branches)
        try c.encode(packageName, forKey: .packageName)
        try c.encodeIfPresent(title, forKey: .title)
        try c.encode(policy, forKey: .policy)
        try c.encode(testCommand, forKey: .testCommand)
        try c.encode(branchTestCommands, forKey: .branchTestCommands)
        try c.encode(buildCommand, forKey: .buildCommand)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(requiredPaths, forKey: .requiredPaths)
        try c.encode(committer, forKey: .committer)
        // Each blackout as {"first": "2026-12-24", "last": "2027-01-02"}; a single day has first == last.
        try c.encode(blackouts, forKey: .blackouts)
    }
}

extension Embargo.ProjectCommands {
    struct Local: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "local",
            abstract: "Set where your own clone of a project is (and its test command), on this machine only.",
            discussion: """
                A team store is shared by every member's machine; the path of each member's
                clone is not. These settings live in $XDG_CONFIG_HOME/embargo/projects.json, by
                store and project, and every command that uses the repository takes them. Any
                member may set them.

                Examples:
                  embargo project local ai --repo ~/src/ai
                  embargo project local ai --test-command "vendor/bin/phpunit" 
                  embargo project local ai --clear
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The project's name.") var name: String
        @Option(help: ArgumentHelp("Your clone of the project's repository.", valueName: "path")) var repo: String?
        @Option(name: .customLong("test-command"), help: ArgumentHelp("The test command on this machine ('' for the shared one).", valueName: "command"))
        var testCommand: String?
        @Flag(help: "Forget this machine's settings for the project.") var clear = false

        func run() throws {
            let workspace = try location.workspace()
            let settings = repo == nil && testCommand == nil && !clear
                ? try workspace.localSettings(project: name)
                : try workspace.setLocalSettings(project: name, repo: repo, testCommand: testCommand, clear: clear)
            if output.json {
                try Terminal.printJSON(["local": settings ?? LocalProjectSettings()])
            } else {
                Terminal.say("\(name) on this machine: repository \(settings?.repo ?? "(the shared one)"), test command \(settings?.testCommand ?? "(the shared one)")")
            }
        }
    }
}
