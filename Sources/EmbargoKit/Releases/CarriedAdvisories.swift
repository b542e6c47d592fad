import EmbargoStore
import Foundation
import GRDB

/// A security release that carries several advisories releases them
/// together, as one Wednesday often does: one pre-release holds all their
/// fixes, each advisory is approved on it by its own reviewers, one push
/// makes them public, and each is published with it. A release that carries
/// one advisory is the ordinary case of the same rules.
extension Workspace {
    /// The advisories released with `id` (itself included, in id order): those
    /// of its security release, or only itself.
    func releasedTogether(_ id: String) throws -> [Advisory] {
        let advisory = try advisory(id)
        guard let release = try releaseOf(advisory: advisory.id) else { return [advisory] }
        let ids = try store.read { db in
            try String.fetchAll(db, sql: "SELECT advisory FROM release_advisories WHERE release = ? ORDER BY advisory", arguments: [release])
        }
        guard ids.count > 1 else { return [advisory] }
        return try ids.map { try $0 == advisory.id ? advisory : self.advisory($0) }
    }

    /// The patches of every advisory in `together`, each advisory's series
    /// after the one before it on a branch they share.
    func releasePatches(_ together: [Advisory]) throws -> [PatchRecord] {
        try together.flatMap { try patches($0.id) }
    }

    /// The branches a release of `together` touches, in the order the
    /// advisories name them.
    static func releaseBranches(_ together: [Advisory]) -> [String] {
        var branches: [String] = []
        for advisory in together { branches += advisory.branches.filter { !branches.contains($0) } }
        return branches
    }

    /// Advisories released together are disclosed at one time; nil when they
    /// agree, else the line that says which differ and how to settle it.
    static func disclosureDisagreement(_ together: [Advisory]) -> EmbargoError? {
        let times = Set(together.map { $0.disclosureAt ?? "" })
        guard times.count > 1, let first = together.first else { return nil }
        let list = together.map { "\($0.id) at \($0.disclosureAt ?? "no time")" }.joined(separator: ", ")
        return EmbargoError(.refused, "the advisories released together are disclosed at different times (\(list)); one release is public at one moment",
                            hint: "schedule them alike, e.g. 'embargo schedule ADV-ID --at \(first.disclosureAt ?? "TIME")' for each")
    }

    /// What keeps the pre-release `prerelease` of `advisory` from counting as
    /// approved for every advisory it carries, one error each; empty when
    /// each carried advisory's current pre-release is this one, with an
    /// approval that still counts (or it is published already), and every
    /// advisory the release carries now is in it.
    func approvalGaps(of prerelease: PrereleaseRecord, for advisory: String) throws -> [EmbargoError] {
        var gaps: [EmbargoError] = []
        let rebuild = "build one pre-release for the advisories released together: 'embargo prerelease \(advisory) --out DIR'"
        let carried = prerelease.manifest.carried
        if let missing = try releasedTogether(advisory).map(\.id).first(where: { !carried.contains($0) }) {
            gaps.append(EmbargoError(.refused, "pre-release \(prerelease.number) of \(advisory) does not hold the fix of \(missing), which its release carries now",
                                     hint: rebuild))
        }
        for id in carried where id != advisory {
            guard let current = try currentPrerelease(id), current.manifestHash == prerelease.manifestHash else {
                gaps.append(EmbargoError(.refused, "\(id) has another pre-release than \(advisory) now; advisories released together share one", hint: rebuild))
                continue
            }
            let status = try self.advisory(id).status
            if status != .published, try status != .approved || validApprovals(id).isEmpty {
                gaps.append(EmbargoError(.refused, "\(id), released with \(advisory), has no approval of the pre-release they share",
                                         hint: "the security team runs 'embargo approve \(id) --bundle BUNDLE'"))
            }
        }
        return gaps
    }
}
