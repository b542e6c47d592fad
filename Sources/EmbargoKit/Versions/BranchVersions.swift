import EmbargoStore
import Foundation

extension Git {
    /// Tag names reachable from a branch (the local branch, else `remote/branch`).
    public func tags(reachableFrom branch: String, remote: String?) throws -> [String] {
        guard let commit = try branchCommit(branch, remote: remote) else {
            throw EmbargoError(.failure, "branch \(branch) not found in \(repository.path)",
                               hint: "fetch it, or remove it from the project with 'embargo project set --remove-branch'")
        }
        return try output(["tag", "--list", "--merged", commit]).split(whereSeparator: \.isNewline).map(String.init)
    }
}

extension Workspace {
    /// For each affected branch: last release and next security release, from the project's tags.
    public func releases(for id: String) throws -> [BranchReleases] {
        let advisory = try advisory(id)
        let project = try project(named: advisory.project).project
        let git = environment.git(URL(fileURLWithPath: project.repoPath))
        return try advisory.branches.map { branch in
            try BranchReleases.compute(branch: branch, tags: git.tags(reachableFrom: branch, remote: project.remote))
        }
    }
}
