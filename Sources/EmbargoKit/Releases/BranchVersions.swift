import EmbargoStore
import Foundation

extension Git {
    /// Tag names reachable from a commit.
    public func tags(mergedInto commit: String) throws -> [String] {
        try output(["tag", "--list", "--merged", commit]).split(whereSeparator: \.isNewline).map(String.init)
    }
}

extension Workspace {
    /// For each affected branch: last release and next security release, from the project's tags.
    /// Once a pre-release exists, its manifest fixes the versions (after
    /// publication the tags would otherwise suggest the next release);
    /// `plans` (a pre-release being built) take the place of the manifest's.
    public func releases(for id: String, plans given: [ReleasePlan]? = nil) throws -> [BranchReleases] {
        let advisory = try advisory(id)
        let project = try project(named: advisory.project).project
        let git = environment.git(URL(fileURLWithPath: project.repoPath))
        let plans = try given ?? currentPrerelease(advisory.id)?.manifest.branches.map(\.plan)
        let heads = try git.branchCommits(advisory.branches, remote: project.remote)
        return try advisory.branches.map { branch in
            guard let head = heads[branch] else {
                throw EmbargoError(.failure, "branch \(branch) not found in \(git.repository.path)",
                                   hint: "fetch it, or remove it from the project with 'embargo project set \(project.name) --remove-branch \(branch)'")
            }
            let tags = try git.tags(mergedInto: head)
            var releases = try BranchReleases.compute(branch: branch, tags: tags)
            if let plan = plans?.first(where: { $0.branch == branch }) {
                releases.nextRelease = plan.version
                releases.lastRelease = plan.previousVersion
                let before = tags.compactMap(ReleaseVersion.init).filter { ReleaseBranch(branch)?.contains($0) == true }
                    .filter { $0 < (ReleaseVersion(plan.version) ?? $0) }.sorted()
                releases.firstRelease = before.first?.description
            }
            return releases
        }
    }
}
