import EmbargoStore
import Foundation

/// A throwaway clone of a project's repository in a 0700 temporary directory.
/// It borrows the repository's objects (`--shared`), so nothing is copied and
/// nothing is ever written back: new commits exist only in the clone, which is
/// removed with the directory.
public final class PrivateClone {
    public let root: URL
    public let worktree: URL
    public let git: Git
    public let environment: [String: String]
    let runner: ProcessRunner

    public init(repository: URL, runner: ProcessRunner) throws {
        root = try TemporaryDirectory.create(prefix: "embargo-clone")
        worktree = root.appendingPathComponent("work")
        self.runner = runner
        environment = Self.isolatedEnvironment(home: root)
        git = Git(repository: worktree, runner: runner, environment: environment)
        do {
            let top = Git(repository: root, runner: runner, environment: environment)
            let result = try top.run(["clone", "--quiet", "--shared", "--no-checkout", "--", repository.path, worktree.path])
            guard result.status == 0 else {
                throw EmbargoError(.failure, "cannot clone \(repository.path): \(firstLine(result.stderrText))")
            }
        } catch {
            remove()
            throw error
        }
    }

    deinit { remove() }

    public func remove() {
        TemporaryDirectory.remove(root)
    }

    /// Git without the user's configuration, hooks or credentials, with a fixed identity.
    static func isolatedEnvironment(home: URL) -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") && !$0.key.hasPrefix("EMBARGO_") }
        env["HOME"] = home.path
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        env["GIT_TERMINAL_PROMPT"] = "0"
        env["GIT_COMMITTER_NAME"] = "embargo"
        env["GIT_COMMITTER_EMAIL"] = "embargo@localhost"
        return env
    }

    public enum ApplyResult: Sendable, Equatable {
        case applied
        case conflict(files: [String], message: String)
    }

    /// Checks out `commit` (detached) and applies the mbox with `git am --3way`.
    public func apply(series: String, onto commit: String, environment extra: [String: String] = [:]) throws -> ApplyResult {
        let checkout = try git.run(["checkout", "--quiet", "--force", "--detach", commit])
        guard checkout.status == 0 else {
            throw EmbargoError(.failure, "cannot check out \(commit.prefix(12)) in the private clone: \(firstLine(checkout.stderrText))")
        }
        let amGit = Git(repository: worktree, runner: runner, environment: environment.merging(extra) { $1 })
        let am = try amGit.run(["-c", "core.hooksPath=/dev/null", "am", "--3way", "--quiet", "--keep-cr"], input: Array(series.utf8))
        if am.status == 0 { return .applied }
        let unmerged = (try? git.output(["diff", "--name-only", "--diff-filter=U"]))?
            .split(whereSeparator: \.isNewline).map(String.init) ?? []
        var files = unmerged
        if files.isEmpty, let failed = try? git.run(["am", "--show-current-patch=diff"]), failed.status == 0 {
            // No three-way merge was possible (e.g. a plain diff without blob ids):
            // let git say which files the failed patch does not fit.
            let check = try git.run(["apply", "--check", "-"], input: failed.stdout)
            for line in check.stderrText.split(whereSeparator: \.isNewline) {
                let match = line.firstMatch(of: /^error: patch failed: (.+):[0-9]+$/)?.1
                    ?? line.firstMatch(of: /^error: (.+): (?:does not exist in index|patch does not apply|already exists in (?:index|working directory)|No such file or directory)$/)?.1
                if let file = match.map(String.init), !files.contains(file) { files.append(file) }
            }
        }
        let failedAt = (am.stdoutText + am.stderrText).split(whereSeparator: \.isNewline)
            .first { $0.hasPrefix("Patch failed at") }.map(String.init) ?? firstLine(am.stderrText)
        _ = try? git.run(["am", "--abort"])
        return .conflict(files: files, message: failedAt)
    }

    /// Runs the project's test command in the clone's work tree.
    public func runTests(_ command: String) throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("EMBARGO_") }
        env["HOME"] = root.path
        return try runner.run("sh", ["-c", command], environment: env, directory: worktree, input: nil)
    }
}
