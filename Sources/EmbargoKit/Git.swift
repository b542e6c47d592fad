import EmbargoStore
import Foundation

/// The one place that starts `git`. Arguments are arrays; user-supplied refs
/// come after `--` or are fully qualified, so they can never become options.
public struct Git: Sendable {
    public let repository: URL
    let runner: ProcessRunner
    let environment: [String: String]?

    public init(repository: URL, runner: ProcessRunner, environment: [String: String]? = nil) {
        self.repository = repository
        self.runner = runner
        self.environment = environment
    }

    @discardableResult
    public func run(_ arguments: [String], input: [UInt8]? = nil) throws -> ProcessResult {
        try runner.run("git", ["-C", repository.path] + arguments, environment: environment, directory: nil, input: input)
    }

    /// Output of a git command that must succeed.
    public func output(_ arguments: [String]) throws -> String {
        try output(of: try run(arguments), arguments)
    }

    /// The output of `result`, a run of git with `arguments` that must have succeeded.
    func output(of result: ProcessResult, _ arguments: [String]) throws -> String {
        guard result.status == 0 else { throw failure(arguments.first ?? "", result) }
        return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The error of a git command that failed: a missing clone, or one that is
    /// no git repository, is named as such, with where to point embargo.
    func failure(_ command: String, _ result: ProcessResult) -> EmbargoError {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: repository.path, isDirectory: &isDirectory)
        if !exists || !isDirectory.boolValue || result.stderrText.contains("not a git repository") {
            return EmbargoError(.failure, "\(repository.path) is \(exists ? (isDirectory.boolValue ? "not a git repository" : "not a directory") : "missing"), so git \(command) cannot run there",
                                hint: "point embargo to the project's clone: 'embargo project local PROJECT --repo PATH' (or pass --repo PATH)")
        }
        return EmbargoError(.failure, "git \(command) failed in \(repository.path): \(firstLine(result.stderrText))")
    }

    public func isRepository() -> Bool {
        guard FileManager.default.fileExists(atPath: repository.path) else { return false }
        guard let result = try? run(["rev-parse", "--git-dir"]) else { return false }
        return result.status == 0
    }

    /// The commit a branch points to: `remote/branch`, else the local branch.
    public func branchCommit(_ branch: String, remote: String?) throws -> String? {
        try branchCommits([branch], remote: remote)[branch]
    }

    /// The commit each branch points to (`remote/branch`, as last fetched, else
    /// the local branch: a release is built on what the team sees, not on
    /// commits of this clone alone), from one `git cat-file`; a branch found in
    /// neither place is absent.
    public func branchCommits(_ branches: [String], remote: String?) throws -> [String: String] {
        var candidates: [(branch: String, ref: String)] = []
        for branch in branches {
            if let remote { candidates.append((branch, "refs/remotes/\(remote)/\(branch)")) }
            candidates.append((branch, "refs/heads/\(branch)"))
        }
        guard !candidates.isEmpty else { return [:] }
        // The names go on standard input, one a line, each peeled to its commit as
        // `rev-parse REF^{commit}` would; the answers come back in the same order.
        let input = candidates.map { "\($0.ref)^{commit}\n" }.joined()
        let result = try run(["cat-file", "--batch-check=%(objectname) %(objecttype)"], input: Array(input.utf8))
        guard result.status == 0 else { throw failure("cat-file", result) }
        let answers = result.stdoutText.split(separator: "\n", omittingEmptySubsequences: false)
        var commits: [String: String] = [:]
        for (candidate, answer) in zip(candidates, answers) where commits[candidate.branch] == nil {
            let fields = answer.split(separator: " ")
            if fields.count == 2, fields[1] == "commit" { commits[candidate.branch] = String(fields[0]) }
        }
        return commits
    }

    public func hasRemote(_ name: String) throws -> Bool {
        try run(["remote", "get-url", "--", name]).status == 0
    }

    /// The URL of the remote `name`, usable from any directory: a relative
    /// local path (`git remote add origin ../project.git`) is made absolute
    /// against this repository, as git itself reads it here. Nil when there
    /// is no such remote.
    /// The URL of the remote `name`; an error naming it when the repository has none.
    public func requiredRemoteURL(_ name: String) throws -> String {
        guard let url = try remoteURL(name) else { throw EmbargoError(.failure, "the repository has no remote named \(name)") }
        return url
    }

    public func remoteURL(_ name: String) throws -> String? {
        guard !name.hasPrefix("-") else { return nil }
        let result = try run(["remote", "get-url", "--", name])
        guard result.status == 0 else { return nil }
        let url = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        return Self.isRelativeLocalPath(url) ? repository.appendingPathComponent(url).standardizedFileURL.path : url
    }

    /// Whether a remote URL is a local path relative to the repository: not
    /// `scheme://…`, not `file:`, not absolute, and not scp-like `host:path`
    /// (git reads a colon before any slash as a host).
    static func isRelativeLocalPath(_ url: String) -> Bool {
        guard !url.isEmpty, !url.hasPrefix("/"), !url.hasPrefix("~"), !url.contains("://"), !url.hasPrefix("file:") else { return false }
        if let colon = url.firstIndex(of: ":") {
            let slash = url.firstIndex(of: "/")
            if slash == nil || colon < slash! { return false }
        }
        return true
    }

    /// Checks that a name is acceptable as a branch name (`git check-ref-format`).
    public func isValidBranchName(_ name: String) throws -> Bool {
        guard !name.hasPrefix("-") else { return false }
        return try run(["check-ref-format", "--branch", name]).status == 0
    }
}

func firstLine(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
}
