import EmbargoKit
import Foundation
import Testing

/// The directory holding the built products (the test bundle sits beside `embargo`).
let productsDirectory: URL = {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
    // swift test runs `<name>PackageTests.xctest`, a file directly in the products directory.
    while !FileManager.default.fileExists(atPath: url.appendingPathComponent("embargo").path), url.path != "/" {
        url.deleteLastPathComponent()
    }
    return url
}()

let embargoBinary = productsDirectory.appendingPathComponent("embargo")

struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A hermetic temporary home for one test: its own store, identities and git
/// configuration. Remove it with `defer { sandbox.remove() }`.
struct Sandbox {
    let root: URL
    var environment: [String: String]

    init() throws {
        let base = FileManager.default.temporaryDirectory
        root = base.appendingPathComponent("embargo-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": root.path,
            "TMPDIR": root.appendingPathComponent("tmp").path,
            "EMBARGO_STORE": root.appendingPathComponent("store").path,
            "EMBARGO_IDENTITY": root.appendingPathComponent("alice.identity").path,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
            "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org",
            "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
            "LANG": "C.UTF-8",
        ]
        try FileManager.default.createDirectory(at: root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }

    var store: URL { root.appendingPathComponent("store") }
    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// Runs the built `embargo` with `arguments`.
    @discardableResult
    func embargo(_ arguments: [String], env extra: [String: String] = [:], stdin: String? = nil) throws -> Run {
        try run(embargoBinary.path, arguments, env: extra, stdin: stdin)
    }

    /// Runs `embargo` and requires exit status 0.
    @discardableResult
    func ok(_ arguments: [String], env extra: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        let result = try embargo(arguments, env: extra)
        #expect(result.status == 0, "embargo \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    @discardableResult
    func run(_ executable: String, _ arguments: [String], env extra: [String: String] = [:], stdin: String? = nil,
             directory: URL? = nil) throws -> Run
    {
        // posix_spawn, as embargo itself: Foundation's Process.run crashes now and then
        // under the load of a test run (an over-read of /proc/self/fd).
        let result = try Spawn.run(path: executable.hasPrefix("/") ? executable : "/usr/bin/env",
                                   arguments: executable.hasPrefix("/") ? arguments : [executable] + arguments,
                                   environment: environment.merging(extra) { $1 }, directory: directory ?? root,
                                   input: stdin.map { Array($0.utf8) })
        return Run(status: result.status, stdout: String(decoding: result.stdout, as: UTF8.self),
                   stderr: String(decoding: result.stderr, as: UTF8.self))
    }

    /// Creates alice's identity and a store with alice as admin.
    func initStore() throws {
        try ok(["identity", "new"])
        try ok(["init", "--name", "alice"])
    }

    /// This machine makes an identity of its own, and `admin` (on another
    /// machine) adds it as member `name` with `role`, as a team does.
    func becomeMember(_ name: String, role: String, addedBy admin: Sandbox) throws {
        try ok(["identity", "new"])
        let keys = try json(ok(["identity", "show", "--json"]).stdout)
        try admin.ok(["member", "add", name, "--recipient", keys["recipient"] as! String,
                      "--signing-key", keys["signing_key"] as! String, "--role", role])
    }

    /// Creates a git repository with the given branches and a bare remote `origin`.
    func makeRepository(_ name: String = "repo", branches: [String] = ["1.0.x", "1.1.x"]) throws -> URL {
        let repo = root.appendingPathComponent(name)
        let remote = root.appendingPathComponent("\(name)-remote.git")
        try git(["init", "--quiet", "--bare", remote.path])
        try git(["init", "--quiet", "--initial-branch=\(branches[0])", repo.path])
        try "hello\n".write(to: repo.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        try git(["-C", repo.path, "add", "README.md"])
        try git(["-C", repo.path, "commit", "--quiet", "-m", "Initial commit"])
        for branch in branches.dropFirst() { try git(["-C", repo.path, "branch", branch]) }
        try git(["-C", repo.path, "remote", "add", "origin", remote.path])
        return repo
    }

    func git(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try run("git", arguments)
        #expect(result.status == 0, "git \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
    }

    /// Starts the built `embargo` without waiting (to kill it mid-flight); its output is dropped.
    func start(_ arguments: [String]) throws -> SpawnedProcess {
        // Whatever a command writes to its working directory stays in the sandbox.
        try SpawnedProcess(path: embargoBinary.path, arguments: arguments, environment: environment, directory: root)
    }

    /// Kills `process` with SIGKILL after `seconds` unless it finished first,
    /// and waits for it; true when it was killed mid-flight.
    func kill(_ process: SpawnedProcess, after seconds: Double) -> Bool {
        usleep(UInt32(seconds * 1_000_000))
        let running = process.isRunning
        if running { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return running
    }

    /// Every regular file below `directory`, recursively.
    func files(under directory: URL) -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return enumerator.compactMap { $0 as? URL }.filter {
            (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
        }
    }

    func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return object as? [String: Any] ?? [:]
    }

    /// An advisory's status, as `advisory show --json` gives it.
    func advisoryStatus(_ id: String = "ADV-2026-001") throws -> String? {
        (try json(ok(["advisory", "show", id, "--json"]).stdout)["advisory"] as? [String: Any])?["status"] as? String
    }
}

func contains(_ haystack: Data, _ needle: String) -> Bool {
    haystack.range(of: Data(needle.utf8)) != nil
}

extension Sandbox {
    /// Creates `NAME.identity` and adds it as a member with `role`.
    func addMember(_ name: String, role: String) throws {
        try ok(["identity", "new", "--out", path("\(name).identity")])
        let keys = try json(ok(["identity", "show", "--identity", path("\(name).identity"), "--json"]).stdout)
        try ok(["member", "add", name, "--recipient", keys["recipient"] as! String, "--signing-key", keys["signing_key"] as! String,
                "--role", role])
    }
}

extension Sandbox {
    /// A store with project `ai` on a repository of `branches`; `releaseBranches`
    /// (all of `branches` when nil) are the project's release branches.
    @discardableResult
    func storeWithProject(branches: [String] = ["1.0.x", "1.1.x"], releaseBranches: [String]? = nil) throws -> URL {
        try initStore()
        let repo = try makeRepository(branches: branches)
        try ok(["project", "add", "ai", "--repo", repo.path, "--remote", "origin"] + (releaseBranches ?? branches).flatMap { ["--branch", $0] })
        return repo
    }
}

extension Sandbox {
    /// Shares this sandbox's store through a new team remote with `other`,
    /// where pat, a publisher, works from a clone of the project at
    /// `projectRemote` of their own; returns the team remote.
    func shareWithPublisher(_ other: Sandbox, projectRemote: URL) throws -> URL {
        let teamRemote = root.appendingPathComponent("team.git")
        try git(["init", "--quiet", "--bare", teamRemote.path])
        try ok(["store", "remote", "set", teamRemote.path])
        try other.becomeMember("pat", role: "publisher", addedBy: self)
        try other.ok(["store", "clone", teamRemote.path])
        let clone = other.root.appendingPathComponent("sample-clone")
        try other.git(["clone", "--quiet", projectRemote.path, clone.path])
        for branch in SampleProject.branches {
            try other.git(["-C", clone.path, "branch", "--force", branch, "origin/\(branch)"])
        }
        try other.ok(["project", "local", SampleProject.name, "--repo", clone.path])
        return teamRemote
    }
}
