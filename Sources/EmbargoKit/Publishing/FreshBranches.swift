import EmbargoStore
import Foundation

extension Workspace {
    /// Fetches the project's remote into its repository (branches and the tags
    /// on them), so that a verification, a pre-release or a publication works
    /// on the branches as the team sees them, not on a clone's old copy.
    /// `offline` skips it: the branches are used as they were last fetched.
    func fetchProject(_ project: Project, remote: String? = nil, offline: Bool) throws {
        guard !offline else { return }
        let remote = remote ?? project.remote
        let git = environment.git(URL(fileURLWithPath: project.repoPath))
        let result = try git.run(["fetch", "--quiet", "--no-write-fetch-head", "--", remote])
        guard result.status == 0 else {
            throw EmbargoError(.failure, "cannot fetch \(remote) into \(project.repoPath): \(firstLine(result.stderrText))",
                               hint: "check the network and your access to the remote, or pass --offline to use the branches as last fetched")
        }
    }

    /// After a publication: each local release branch that is behind its
    /// remote branch moves forward to it, when it can without touching work
    /// (a fast forward; the checked-out branch only with a clean work tree).
    /// Returns what it did and what it left, one line each.
    func fastForwardReleaseBranches(_ project: Project, branches: [String]) throws -> [String] {
        let git = environment.git(URL(fileURLWithPath: project.repoPath))
        let current = try? git.output(["symbolic-ref", "--quiet", "--short", "HEAD"])
        var lines: [String] = []
        for branch in branches {
            guard let local = try? git.output(["rev-parse", "--verify", "--quiet", "refs/heads/\(branch)"]), !local.isEmpty,
                  let remote = try? git.output(["rev-parse", "--verify", "--quiet", "refs/remotes/\(project.remote)/\(branch)"]), !remote.isEmpty,
                  local != remote
            else { continue }
            guard try git.run(["merge-base", "--is-ancestor", local, remote]).status == 0 else {
                lines.append("left local branch \(branch) as it is: it has commits that \(project.remote)/\(branch) has not")
                continue
            }
            if branch == current {
                guard try git.output(["status", "--porcelain", "--untracked-files=no"]).isEmpty,
                      try git.run(["merge", "--quiet", "--ff-only", remote]).status == 0
                else {
                    lines.append("left local branch \(branch) behind \(project.remote)/\(branch): it is checked out with changes; run 'git merge --ff-only \(project.remote)/\(branch)' there")
                    continue
                }
            } else {
                _ = try git.output(["update-ref", "refs/heads/\(branch)", remote, local])
            }
            lines.append("moved local branch \(branch) forward to \(project.remote)/\(branch)")
        }
        return lines
    }
}
