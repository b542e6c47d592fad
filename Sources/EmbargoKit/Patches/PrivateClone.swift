import EmbargoStore
import Foundation

/// A throwaway clone of a project's repository in a 0700 temporary directory.
/// It borrows the repository's objects (`--shared`), so nothing is copied and
/// nothing is ever written back: new commits exist only in the clone, which is
/// removed with the directory.
public final class PrivateClone {
    /// What of a commit's files the work tree holds.
    public enum WorkTree: Sendable, Equatable {
        /// Every file: for the project's own test or build command.
        case full
        /// Only the files a series touches, `CHANGELOG.md` and the `.gitattributes`
        /// files (a sparse checkout). The index still holds the whole tree, so
        /// `git am` and `git commit` make the same commits as in a full checkout.
        case sparse
    }

    public let root: URL
    public let worktree: URL
    public let git: Git
    public let environment: [String: String]
    public let workTree: WorkTree
    let runner: ProcessRunner
    /// The sparse-checkout patterns in effect, and the series they were made for,
    /// to skip reading and setting the same ones again (a fix is often the same
    /// patch on every branch).
    private var sparsePatterns: [String]?
    private var sparseSeries: String?
    /// Set when this git cannot make the sparse checkout: the work tree is then full.
    private var sparseUnavailable = false

    public init(repository: URL, runner: ProcessRunner, workTree: WorkTree = .full) throws {
        root = try TemporaryDirectory.create(prefix: "embargo-clone")
        worktree = root.appendingPathComponent("work")
        self.runner = runner
        self.workTree = workTree
        environment = Self.isolatedEnvironment(home: root)
        git = Git(repository: worktree, runner: runner, environment: environment)
        do {
            let top = Git(repository: root, runner: runner, environment: environment)
            // No automatic maintenance in a clone that lives for seconds: git would start
            // a `git maintenance` process after every commit only to find nothing to do.
            let result = try top.run(["clone", "--quiet", "--shared", "--no-checkout", "--config", "maintenance.auto=false",
                                      "--config", "gc.auto=0", "--", repository.path, worktree.path])
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
        var checkoutArguments = ["checkout", "--quiet", "--force", "--detach", commit]
        if workTree == .sparse { limitCheckout(to: series) }
        if workTree == .full || sparseUnavailable {
            // Writing 10,000s of files is the slow part of a full checkout: use every core.
            checkoutArguments = ["-c", "checkout.workers=0"] + checkoutArguments
        }
        let checkout = try git.run(checkoutArguments)
        guard checkout.status == 0 else {
            throw EmbargoError(.failure, "cannot check out \(commit.prefix(12)) in the private clone: \(firstLine(checkout.stderrText))")
        }
        // A release without a fix of its own (a regular patch release) is made on the head as it is.
        if series.isEmpty { return .applied }
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

    /// Limits the work tree to what `git am` and the changelog commit read and
    /// write: the files the series touches, `CHANGELOG.md`, and the attributes.
    private func limitCheckout(to series: String) {
        guard !sparseUnavailable, series != sparseSeries else { return }
        let paths = touchedPaths(series)
        // Patterns are lines: a path with a line break cannot be one (and never occurs in practice).
        let patterns = ["/CHANGELOG.md", ".gitattributes"]
            + paths.filter { !$0.contains(where: \.isNewline) }.map { "/" + Self.escapedPattern($0) }
        if patterns != sparsePatterns {
            let set = try? git.run(["sparse-checkout", "set", "--no-cone", "--stdin"], input: Array(patterns.map { $0 + "\n" }.joined().utf8))
            // A git without `sparse-checkout set --no-cone` (before 2.35) gets a full checkout,
            // which makes the same commits, only slower.
            guard set?.status == 0 else {
                sparseUnavailable = true
                return
            }
            sparsePatterns = patterns
        }
        sparseSeries = series
    }

    /// The paths a series touches: every file it changes, adds or deletes, and
    /// both names of renames and copies. `git apply --numstat` names each patch
    /// by its new path (the old one for a deletion), and reversed (`-R`) by its
    /// old path, so the two readings together hold both names, unquoted by git.
    /// The series goes on standard input, never on a command line.
    func touchedPaths(_ series: String) -> [String] {
        var paths: [String] = []
        // Each record is `added TAB deleted TAB path NUL`. Should git not read the
        // series, `git am` fails on it next and says why.
        for direction in [[], ["-R"]] {
            guard let numstat = try? git.run(["apply", "--numstat", "-z"] + direction, input: Array(series.utf8)), numstat.status == 0
            else { continue }
            for record in numstat.stdout.split(separator: 0) {
                let fields = record.split(separator: UInt8(ascii: "\t"), maxSplits: 2, omittingEmptySubsequences: false)
                guard fields.count == 3, !fields[2].isEmpty else { continue }
                let name = String(decoding: fields[2], as: UTF8.self)
                if !paths.contains(name) { paths.append(name) }
            }
        }
        return paths
    }

    /// A path as a sparse-checkout pattern that matches only itself (gitignore
    /// syntax: wildcards, brackets, a leading `!` or `#` and spaces are escaped).
    static func escapedPattern(_ path: String) -> String {
        var pattern = ""
        for character in path {
            if "\\*?[]!# ".contains(character) { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern
    }

    /// Runs the project's test command in the clone's work tree.
    public func runTests(_ command: String) throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("EMBARGO_") }
        env["HOME"] = root.path
        return try runner.run("sh", ["-c", command], environment: env, directory: worktree, input: nil)
    }
}
