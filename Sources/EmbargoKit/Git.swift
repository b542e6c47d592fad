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
        let result = try run(arguments)
        guard result.status == 0 else {
            throw EmbargoError(.failure, "git \(arguments.first ?? "") failed in \(repository.path): \(firstLine(result.stderrText))")
        }
        return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func isRepository() -> Bool {
        guard FileManager.default.fileExists(atPath: repository.path) else { return false }
        guard let result = try? run(["rev-parse", "--git-dir"]) else { return false }
        return result.status == 0
    }

    /// The commit a branch points to: the local branch, else `remote/branch`.
    public func branchCommit(_ branch: String, remote: String?) throws -> String? {
        var candidates = ["refs/heads/\(branch)"]
        if let remote { candidates.append("refs/remotes/\(remote)/\(branch)") }
        for ref in candidates {
            let result = try run(["rev-parse", "--verify", "--quiet", "--end-of-options", "\(ref)^{commit}"])
            if result.status == 0 { return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        return nil
    }

    public func hasRemote(_ name: String) throws -> Bool {
        try run(["remote", "get-url", "--", name]).status == 0
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
