import EmbargoStore
import Foundation

/// The version a release of each kind gets on a branch, from the project's
/// tags (DOMAIN.md, versioning): patch, critical and security releases bump
/// the patch number (1.2.3 -> 1.2.4, 8.x-1.5 -> 8.x-1.6); a minor release is
/// the next minor (on a new branch 1.3.x when the project branches per
/// minor); a major release the next major (on a new branch); `-alphaN`,
/// `-betaN` and `-rcN` count on from the tags of the same version.
public enum PlannedVersions {
    public struct Plan: Sendable, Equatable {
        public var version: ReleaseVersion
        public var previous: ReleaseVersion?
        /// The branch the release starts, when it does not exist yet.
        public var newBranch: String?
        /// The branch it is made from: the given one, or an existing branch of the new version.
        public var branch: String
    }

    public enum Stability: String, CaseIterable, Sendable {
        case alpha, beta, rc

        func make(_ n: Int) -> ReleaseVersion.Stability {
            switch self {
            case .alpha: return .alpha(n)
            case .beta: return .beta(n)
            case .rc: return .rc(n)
            }
        }
    }

    /// - Parameters:
    ///   - tags: every tag of the repository.
    ///   - branchTags: the tags merged into `branch`'s head.
    ///   - branches: the repository's branch names (a release branch that exists is used, not started again).
    public static func plan(kind: ReleaseKind, branch: String, stability: Stability?, tags: [String], branchTags: [String],
                            branches: Set<String>) throws -> Plan
    {
        guard let parsed = ReleaseBranch(branch) else {
            throw EmbargoError(.failure, "branch \(branch) is not a release branch name", hint: "release branches look like 1.2.x, 2.x or 8.x-1.x")
        }
        let onBranch = branchTags.compactMap(ReleaseVersion.init).filter(parsed.contains).sorted()
        let all = tags.compactMap(ReleaseVersion.init)
        let lastStable = onBranch.last { $0.stability == .stable }
        switch kind {
        case .patch, .critical, .security:
            if let stability {
                throw EmbargoError(.usage, "a \(kind.rawValue) release has no stability suffix (--stability \(stability.rawValue))",
                                   hint: "alpha, beta and rc releases are minor or major releases: pass --kind minor or --kind major")
            }
            let releases = try BranchReleases.compute(branch: branch, tags: branchTags)
            return Plan(version: ReleaseVersion(releases.nextRelease)!, previous: releases.lastRelease.flatMap(ReleaseVersion.init),
                        newBranch: nil, branch: branch)
        case .minor:
            var target: ReleaseVersion
            var newBranch: String?
            if parsed.core != nil {
                // Legacy 8.x-1.x has no minor number: the next 8.x-1.N is its minor release.
                target = (lastStable ?? parsed.firstVersion).nextSecurityRelease
                if lastStable == nil { target = parsed.firstVersion }
            } else if parsed.minor == nil {
                // 1.x: the minors are released from the branch itself.
                target = ReleaseVersion("\(parsed.major).\(lastStable.map { $0.minor + 1 } ?? 0).0")!
            } else {
                // 1.2.x: one branch per minor; the next minor starts its own branch.
                let stableMinors = all.filter { $0.core == nil && $0.major == parsed.major && $0.stability == .stable }.map(\.minor)
                let minor = max(parsed.minor!, stableMinors.max() ?? parsed.minor!) + 1
                target = ReleaseVersion("\(parsed.major).\(minor).0")!
                newBranch = "\(parsed.major).\(minor).x"
            }
            return try finish(target, stability: stability, newBranch: newBranch, from: branch, previous: onBranch.last { $0.stability == .stable },
                              all: all, branches: branches)
        case .major:
            let major = (all.filter { $0.core == parsed.core }.map(\.major) + [parsed.major]).max()! + 1
            let target: ReleaseVersion
            let newBranch: String
            if let core = parsed.core {
                target = ReleaseVersion("\(core).x-\(major).0")!
                newBranch = "\(core).x-\(major).x"
            } else if parsed.minor == nil {
                target = ReleaseVersion("\(major).0.0")!
                newBranch = "\(major).x"
            } else {
                target = ReleaseVersion("\(major).0.0")!
                newBranch = "\(major).0.x"
            }
            return try finish(target, stability: stability, newBranch: newBranch, from: branch, previous: onBranch.last { $0.stability == .stable },
                              all: all, branches: branches)
        }
    }

    /// The stability suffix counted on from the tags of the same version, and
    /// the branch: an existing branch of the new version is released from.
    private static func finish(_ target: ReleaseVersion, stability: Stability?, newBranch: String?, from branch: String,
                               previous: ReleaseVersion?, all: [ReleaseVersion], branches: Set<String>) throws -> Plan
    {
        var version = target
        let same = all.filter { $0.core == target.core && $0.numbers == target.numbers }
        if same.contains(where: { $0.stability == .stable }) {
            throw EmbargoError(.failure, "\(target) is released already", hint: "see 'git tag --list' in the project's repository")
        }
        let newest = same.max()
        if let stability {
            let counted = same.compactMap { version -> Int? in
                switch (stability, version.stability) {
                case (.alpha, .alpha(let n)), (.beta, .beta(let n)), (.rc, .rc(let n)): return n
                default: return nil
                }
            }
            version.stability = stability.make((counted.max() ?? 0) + 1)
            if let newest, version < newest {
                throw EmbargoError(.failure, "\(newest) is tagged already; a \(stability.rawValue) of \(target) would come before it",
                                   hint: "plan the next stability (alpha, beta, rc) or the release itself, without --stability")
            }
        }
        // A pre-release follows the one before it; the release itself follows the last
        // stable one, so that its notes cover the whole cycle of its alphas, betas and rcs.
        let after = stability == nil ? previous ?? newest : newest ?? previous
        if let newBranch, branches.contains(newBranch) {
            // Started by an earlier alpha, beta or rc: the release is made from that branch.
            return Plan(version: version, previous: after, newBranch: nil, branch: newBranch)
        }
        return Plan(version: version, previous: after, newBranch: newBranch, branch: branch)
    }
}
