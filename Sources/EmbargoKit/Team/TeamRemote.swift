import EmbargoStore
import Foundation

/// Where a store keeps what it knows of its team remote: `<store>/team/`.
struct TeamFiles {
    let directory: URL

    init(store: URL) {
        directory = store.appendingPathComponent("team")
    }

    /// The remote's address and the last entry synced (`TeamConfig`).
    var config: URL { directory.appendingPathComponent("state.json") }
    /// The state as of that entry, sealed: what this machine's changes are compared with.
    var base: URL { directory.appendingPathComponent("base.embargo") }
    /// The next base, sealed while a sync pushes and put in place once the push is in.
    var nextBase: URL { directory.appendingPathComponent("base.embargo.next") }
    /// This machine's clone of the remote (`TeamRemote`).
    var clone: URL { directory.appendingPathComponent("remote") }
    /// Held by the one sync at a time on this machine; not empty while a sync
    /// holds it (found so when the lock is taken, the last sync was killed).
    var lock: URL { directory.appendingPathComponent("sync.lock") }
    /// What a sync that could not reach the remote prepared to push (`PreparedPush`).
    var outbox: URL { directory.appendingPathComponent("outbox.json") }

    /// Takes the sync lock. When the last holder was killed, the git it ran
    /// in the clone may still be at work, or have left its lock files behind
    /// (a git killed too): it waits for those processes, up to `patience`
    /// seconds, and then removes what they left, since no other sync can be
    /// using the clone now.
    func lockForSync(patience: Double = 30) throws -> SyncLock {
        let lock = try FileLock(self.lock)
        if lock.isMarked {
            Self.waitForProcesses(workingIn: clone, patience: patience)
            Self.removeGitLocks(in: clone.appendingPathComponent(".git"))
        }
        lock.mark(true)
        return SyncLock(lock: lock)
    }

    private static func waitForProcesses(workingIn directory: URL, patience: Double) {
        guard let root = realpath(directory.path, nil) else { return }
        let prefix = String(cString: root)
        free(root)
        let me = getpid()
        let deadline = Date().addingTimeInterval(patience)
        while Date() < deadline {
            let busy = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).contains { name in
                guard let pid = Int32(name), pid != me,
                      let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(name)/cwd") else { return false }
                return cwd == prefix || cwd.hasPrefix(prefix + "/")
            }
            if !busy { return }
            usleep(20_000)
        }
    }

    /// Removes git's lock files (`index.lock`, `HEAD.lock`, `refs/…/*.lock`, …) below `gitDirectory`.
    private static func removeGitLocks(in gitDirectory: URL) {
        guard let names = FileManager.default.enumerator(atPath: gitDirectory.path) else { return }
        for case let name as String in names {
            // Objects take no lock files, and a clone holds many of them.
            if name == "objects" { names.skipDescendants() }
            if name.hasSuffix(".lock") { unlink(gitDirectory.appendingPathComponent(name).path) }
        }
    }
}

/// The sync lock and its mark of a sync at work (`TeamFiles.lockForSync`).
final class SyncLock: @unchecked Sendable {
    private let lock: FileLock

    init(lock: FileLock) {
        self.lock = lock
    }

    private var held = true

    func unlock() {
        guard held else { return }
        held = false
        lock.mark(false)
        lock.unlock()
    }

    deinit { unlock() }
}

/// The team's private git repository, as this machine sees it: a clone in
/// `<store>/team/remote` whose branch `main` holds only sealed files:
///
///     keyring.age            the data key, wrapped for every member (age)
///     log/NNNNNNNNNNNN.*     the team log (see `TeamLogEntry`)
///     blobs/<name>           patches, sealed as in the store
///
/// Git is the transport and the compare-and-swap: a push that is not a fast
/// forward is rejected, and sync fetches and tries again. Commits name the
/// member and the number of changes, nothing else.
struct TeamRemote: Sendable {
    let directory: URL
    let git: Git
    /// Child environment for git: the commit's author is the member, at a
    /// neutral address, so no name or address of the machine leaks.
    let environment: [String: String]

    static let branch = "refs/heads/main"
    static let tracking = "refs/remotes/origin/main"

    init(directory: URL, base: [String: String]?, member: String) {
        self.directory = directory
        var environment = base ?? ProcessInfo.processInfo.environment
        for key in ["GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"] { environment[key] = member }
        for key in ["GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"] { environment[key] = "\(member)@embargo.invalid" }
        environment["GIT_TERMINAL_PROMPT"] = "0"
        // No housekeeping after each fetch and commit: the clone holds small sealed files, and
        // the child processes `git maintenance` starts would slow down every sync.
        // Settings the caller passed this way (GIT_CONFIG_COUNT) are kept.
        var count = environment["GIT_CONFIG_COUNT"].flatMap { Int($0) } ?? 0
        for (key, value) in [("maintenance.auto", "false"), ("gc.auto", "0")] {
            environment["GIT_CONFIG_KEY_\(count)"] = key
            environment["GIT_CONFIG_VALUE_\(count)"] = value
            count += 1
        }
        environment["GIT_CONFIG_COUNT"] = String(count)
        self.environment = environment
        git = Git(repository: directory, runner: SystemProcessRunner(), environment: environment)
    }

    enum Fetched: Equatable {
        case ok
        /// The remote answered but has no `main` yet.
        case empty
        case unreachable(String)
    }

    enum Pushed: Equatable {
        case pushed
        /// Someone pushed first: fetch and try again.
        case rejected
        case unreachable(String)
    }

    var exists: Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent(".git").path) }

    /// git in the clone. A full disk is this machine's trouble, not the
    /// remote's: it is an error of its own rather than "unreachable".
    private func run(_ arguments: [String], input: [UInt8]? = nil) throws -> ProcessResult {
        let result = try git.run(arguments, input: input)
        if result.status != 0, result.stderrText.contains("No space left on device") {
            throw EmbargoError(.failure, "this machine's disk is full: the team sync could not write its copy of the remote (\(firstLine(result.stderrText).prefix(120)))",
                               hint: "free disk space and run 'embargo store sync' again; nothing was lost")
        }
        return result
    }

    private func output(_ arguments: [String]) throws -> String {
        try git.output(of: try run(arguments), arguments)
    }

    /// A new clone of `url` (nothing fetched yet).
    func create(url: String) throws {
        try SafeFile.makePrivateDirectory(directory.deletingLastPathComponent())
        try SafeFile.makePrivateDirectory(directory)
        for arguments in [["init", "--quiet"], ["symbolic-ref", "HEAD", Self.branch], ["remote", "add", "origin", "--", url]] {
            _ = try output(arguments)
        }
        // Sealed files do not compress and never need a diff or a merge.
        _ = try output(["config", "core.compression", "0"])
        _ = try output(["config", "gc.auto", "0"])
    }

    func url() throws -> String {
        try output(["remote", "get-url", "origin"])
    }

    /// Fetches `main`, then makes the working tree exactly the remote's.
    func fetch() throws -> Fetched {
        let result = try run(["fetch", "--quiet", "--no-tags", "origin", "+\(Self.branch):\(Self.tracking)"])
        if result.status != 0 {
            let message = firstLine(result.stderrText)
            if result.stderrText.contains("couldn't find remote ref") {
                try resetToRemote(hasBranch: false)
                return .empty
            }
            return .unreachable(message.isEmpty ? "git fetch failed" : message)
        }
        // Most syncs find the remote where this machine's last push left it, and a clean
        // working tree: nothing to check out. A sync stopped while it wrote left the mark.
        let heads = try run(["rev-parse", "HEAD", Self.tracking]).stdoutText.split(separator: "\n")
        if heads.count != 2 || heads[0] != heads[1] || FileManager.default.fileExists(atPath: writingMark.path) {
            try resetToRemote(hasBranch: true)
        }
        return .ok
    }

    /// Present while this machine writes into the working tree and until its push is done.
    private var writingMark: URL { directory.appendingPathComponent(".git/embargo-writing") }

    /// Drops what this machine wrote and did not push.
    func resetToRemote(hasBranch: Bool) throws {
        if hasBranch {
            _ = try output(["checkout", "--quiet", "--force", "-B", "main", Self.tracking])
        } else {
            _ = try run(["update-ref", "-d", Self.branch])
            _ = try run(["read-tree", "--empty"])
        }
        _ = try output(["clean", "--quiet", "-d", "--force", "-x"])
        unlink(writingMark.path)
    }

    /// The log entries the working tree holds, by sequence.
    func logEntries() throws -> [(sequence: UInt64, kind: TeamLogEntry.Kind)] {
        let folder = directory.appendingPathComponent(TeamLogEntry.directory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var entries: [(UInt64, TeamLogEntry.Kind)] = []
        for name in names {
            guard let parsed = TeamLogEntry.parse(fileName: name) else {
                throw EmbargoError(.verification, "the team remote holds a file log/\(name.prefix(40)) that is not a log entry",
                                   hint: "the remote was tampered with; ask an admin to check it")
            }
            entries.append(parsed)
        }
        entries.sort { $0.0 < $1.0 }
        for (index, entry) in entries.enumerated() where entry.0 != UInt64(index + 1) {
            throw EmbargoError(.verification, "the team log in the remote is missing entry \(index + 1)",
                               hint: "the remote's history was rewritten; ask an admin to restore it")
        }
        return entries
    }

    /// The newest log entry the remote's head held when last fetched (0 for none).
    func trackedLogHead() throws -> UInt64 {
        let listed = try run(["ls-tree", "--name-only", Self.tracking, TeamLogEntry.directory + "/"])
        guard listed.status == 0 else { return 0 }
        return listed.stdoutText.split(separator: "\n").compactMap { path in
            path.split(separator: "/").last.flatMap { TeamLogEntry.parse(fileName: String($0))?.sequence }
        }.max() ?? 0
    }

    func read(_ path: String, limit: Int = 1 << 30) throws -> [UInt8]? {
        try SafeFile.read(directory.appendingPathComponent(path), limit: limit)
    }

    /// A file of the clone and its bytes, as a commit writes it.
    typealias File = (path: String, bytes: [UInt8])

    /// Writes a file into the working tree, to be committed with the rest of it by `commitAllAndPush`.
    func write(_ path: String, _ bytes: [UInt8]) throws {
        if !FileManager.default.fileExists(atPath: writingMark.path) {
            try SafeFile.replaceAtomically(writingMark, bytes: [])
        }
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try SafeFile.replaceAtomically(url, bytes: bytes)
    }

    func has(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path)
    }

    /// Writes `files` into the working tree, commits exactly them on top of
    /// `main` and pushes them as a fast forward.
    func commitAndPush(_ files: [File], message: String) throws -> Pushed {
        for file in files { try write(file.path, file.bytes) }
        try commit(files, message: message)
        return try push()
    }

    /// Commits everything in the working tree (a new team log) and pushes it.
    func commitAllAndPush(message: String) throws -> Pushed {
        _ = try output(["add", "--all"])
        _ = try output(["commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", message])
        return try push()
    }

    /// Commits `files` on the remote's head as this machine last saw it, without
    /// pushing: what a sync that cannot reach the remote prepares, so that the
    /// next one only pushes it. Returns the commit and its parent.
    func commitOnTracking(_ files: [File], message: String) throws -> (commit: String, parent: String) {
        for file in files { try write(file.path, file.bytes) }
        try commit(files, message: message, onto: Self.tracking)
        let heads = try output(["rev-parse", Self.branch, Self.tracking]).split(separator: "\n").map(String.init)
        guard heads.count == 2 else { throw EmbargoError(.failure, "git rev-parse did not name the prepared commit") }
        return (heads[0], heads[1])
    }

    /// Pushes `commit` if the remote still is at `parent` (git's lease: the
    /// compare-and-swap without a fetch); rejected when anyone pushed meanwhile.
    func pushPrepared(commit: String, parent: String) throws -> Pushed {
        try push(["--force-with-lease=\(Self.branch):\(parent)", "origin", "\(commit):\(Self.branch)"])
    }

    private func push(_ arguments: [String] = ["origin", "HEAD:\(Self.branch)"]) throws -> Pushed {
        let result = try run(["push", "--quiet", "--porcelain"] + arguments)
        // A successful push also moves refs/remotes/origin/main (the remote's fetch refspec covers it).
        if result.status == 0 {
            unlink(writingMark.path)
            return .pushed
        }
        let text = result.stdoutText + result.stderrText
        if text.contains("[rejected]") || text.contains("non-fast-forward") || text.contains("fetch first") || text.contains("[remote rejected]") && text.contains("cannot lock ref") {
            return .rejected
        }
        let message = firstLine(result.stderrText)
        return .unreachable(message.isEmpty ? "git push failed" : message)
    }

    /// Commits `files` on top of `parent` (`main` unless said) in one `git fast-import`: only these,
    /// with no look at the index or the rest of the clone (the working tree
    /// holds them already; a reset rewrites the index).
    private func commit(_ files: [File], message: String, onto parent: String = Self.branch) throws {
        func line(_ text: String) -> [UInt8] { Array(text.utf8) + [0x0A] }
        func data(_ bytes: [UInt8]) -> [UInt8] { line("data \(bytes.count)") + bytes + [0x0A] }
        let name = (environment["GIT_COMMITTER_NAME"] ?? "embargo").filter { !"<>\n".contains($0) }
        let email = (environment["GIT_COMMITTER_EMAIL"] ?? "embargo@embargo.invalid").filter { !"<>\n".contains($0) }
        var stream = line("commit \(Self.branch)") + line("committer \(name) <\(email)> now") + data(Array(message.utf8))
        stream += line("from \(parent)^0")
        for file in files {
            stream += line("M 100644 inline \(file.path)") + data(file.bytes)
        }
        stream += line("done")
        // On the remote's head, `main` may hold a commit prepared earlier, which this one replaces.
        let arguments = ["fast-import", "--quiet", "--done", "--date-format=now"] + (parent == Self.branch ? [] : ["--force"])
        _ = try git.output(of: try run(arguments, input: stream), arguments)
    }

    /// Starts `fetch()` beside the caller's own work (opening the store and the
    /// last synced state take about as long as a fetch).
    func fetchInBackground() -> Background<Fetched> {
        Background { try self.fetch() }
    }
}

/// Work running on a thread of its own while the caller goes on.
final class Background<Value>: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private var result: Result<Value, Error>?

    init(_ body: @escaping () throws -> Value) {
        let box = UncheckedBox(body)
        Thread.detachNewThread { [self] in
            result = Result { try box.value() }
            finished.signal()
        }
    }

    /// The result, once the work is done (it may be asked again).
    func wait() throws -> Value {
        finished.wait()
        finished.signal()
        return try result!.get()
    }
}

/// A value handed to another thread whose owner does not touch it meanwhile.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A team sync's fetch, started before the store is opened (decrypting the
/// store and unlocking the identity take about as long as a fetch): it holds
/// the sync lock from the start, and `Workspace.sync` goes on with it.
public final class TeamFetch: @unchecked Sendable {
    let lock: SyncLock
    let fetching: Background<TeamRemote.Fetched>

    /// Nil when the store has no team remote (or no clone of it yet).
    public static func start(storeDirectory: URL, environment: Environment) throws -> TeamFetch? {
        let files = TeamFiles(store: storeDirectory)
        // Fetching commits nothing: the member's name is not needed yet.
        let clone = TeamRemote(directory: files.clone, base: environment.childEnvironment, member: "embargo")
        guard FileManager.default.fileExists(atPath: files.config.path), clone.exists else { return nil }
        return TeamFetch(lock: try files.lockForSync(), fetching: clone.fetchInBackground())
    }

    private init(lock: SyncLock, fetching: Background<TeamRemote.Fetched>) {
        self.lock = lock
        self.fetching = fetching
    }

    // Unused (the store did not open): the fetch finishes before the lock goes.
    deinit { _ = try? fetching.wait() }
}
