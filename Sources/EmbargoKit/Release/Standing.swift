import EmbargoStore
import Foundation
import GRDB

/// Where an advisory stands on its way to publication: every blocker of its
/// next step (not only the first), who may take that step, and the one
/// command that moves it on, complete with its required options.
public struct AdvisoryStanding: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var status: AdvisoryStatus
    /// Set while a publication is half done: the last step of its journal
    /// (the fix is public from `pushed` on).
    public var publicationStep: String?
    public var blockers: [String]
    /// The command that moves the advisory on; nil when nothing is left to do.
    public var next: String?
    /// The roles that may run `next`.
    public var actors: [Role]
    public var disclosureAt: String?

    enum CodingKeys: String, CodingKey {
        case id, title, status, blockers, next, actors
        case publicationStep = "publication_step"
        case disclosureAt = "disclosure_at"
    }

    /// The status as people should read it: `publishing` once the fix is public
    /// and until the publication is finished.
    public var shownStatus: String { publicationStep == nil ? status.rawValue : "publishing" }
}

extension Workspace {
    /// The standing of every advisory that is neither published nor withdrawn,
    /// or of the one named.
    public func standings(_ id: String? = nil) throws -> [AdvisoryStanding] {
        if let id { return [try standing(id)] }
        let open = try advisories().filter { ![.published, .withdrawn].contains($0.status) }
        // Each project's branch heads are read once, not once an advisory.
        var heads: [String: [String: String]] = [:]
        for (name, advisories) in Dictionary(grouping: open, by: \.project) {
            let project = try project(named: name).project
            let branches = Array(Set(advisories.flatMap(\.branches))).sorted()
            heads[name] = try? environment.git(URL(fileURLWithPath: project.repoPath)).branchCommits(branches, remote: project.remote)
        }
        // So are the publication steps of all of them.
        let steps = try publicationSteps()
        return try open.map { try standing($0, heads: heads[$0.project], publicationStep: steps[$0.id]) }
    }

    /// Where the advisory `id` stands (see `AdvisoryStanding`).
    public func standing(_ id: String) throws -> AdvisoryStanding {
        let advisory = try advisory(id)
        return try standing(advisory, heads: nil, publicationStep: try publicationStep(advisory.id))
    }

    /// `standing(_:)` of an advisory already read; `heads`: its project's
    /// branch heads, when the caller read them.
    private func standing(_ advisory: Advisory, heads: [String: String]?, publicationStep: String?) throws -> AdvisoryStanding {
        var standing = AdvisoryStanding(id: advisory.id, title: advisory.privateTitle, status: advisory.status,
                                        publicationStep: publicationStep, blockers: [], next: nil, actors: [],
                                        disclosureAt: advisory.disclosureAt)
        func next(_ command: String, _ action: Action) {
            standing.next = command
            standing.actors = Permissions.roles(for: action)
        }
        switch advisory.status {
        case .published, .withdrawn:
            break
        case .draft, .confirmed, .fixing, .ready:
            let (blockers, command, action) = try fixBlockers(advisory, heads: heads)
            standing.blockers = blockers
            next(command, action)
        case .prereleased:
            if let prerelease = try currentPrerelease(advisory.id) {
                standing.blockers.append("pre-release \(prerelease.number) (\(prerelease.bundleName)) waits for the security team's approval")
                next("embargo approve \(advisory.id) --sha256 \(prerelease.manifestHash)", .approve)
            } else {
                standing.blockers.append("no current pre-release")
                next("embargo prerelease \(advisory.id) --out DIR", .prerelease)
            }
        case .approved:
            if let step = standing.publicationStep {
                if let release = try releaseOf(advisory: advisory.id), try self.release(release).status == .tagged {
                    // The tag-first order: the release is tagged; the Security Team publishes the SA.
                    standing.blockers.append("release \(release) is tagged and public; the SA is not published yet")
                    next("embargo release published \(release) --sa-url URL", .publish)
                    break
                }
                standing.blockers.append("the publication stopped after its step '\(step)': the fix is public, the advisory is not")
                next("embargo publish \(advisory.id)", .publish)
                break
            }
            if advisory.disclosureAt == nil {
                standing.blockers.append("no disclosure time is set")
                next("embargo schedule \(advisory.id) --at TIME", .editAdvisory)
                break
            }
            if let at = advisory.disclosureAt.flatMap(Timestamp.parse), at > environment.clock.now() {
                standing.blockers.append("the embargo lifts at \(advisory.disclosureAt!)")
            }
            for (field, value) in [("SA id", advisory.saID), ("public title", advisory.publicTitle)] where value == nil {
                standing.blockers.append("the \(field) is not set (the public advisory would say so)")
            }
            next("embargo publish \(advisory.id)", .publish)
        }
        return standing
    }

    /// What keeps an advisory that is not pre-released yet from its
    /// pre-release, and the command that moves it on.
    private func fixBlockers(_ advisory: Advisory, heads: [String: String]?) throws -> (blockers: [String], next: String, action: Action) {
        guard !advisory.branches.isEmpty else {
            return (["no affected branch is named"], "embargo advisory edit \(advisory.id) --branch BRANCH", .editAdvisory)
        }
        var blockers: [String] = []
        let series = Dictionary(grouping: try patches(advisory.id), by: \.branch)
        let missing = advisory.branches.filter { series[$0] == nil }
        for branch in missing { blockers.append("no patches for \(branch)") }
        let verified: [String: Bool]
        do {
            verified = try heads.map { try verifiedSeries(advisory, heads: $0) } ?? verifiedSeries(advisory.id)
        } catch let error as EmbargoError {
            return (blockers + [error.message], "embargo project local \(advisory.project) --repo PATH", .read)
        }
        let unverified = advisory.branches.filter { series[$0] != nil && verified[$0] != true }
        for branch in unverified { blockers.append("the series for \(branch) is not verified on the branch's current head") }
        if let first = missing.first {
            return (blockers, "embargo patch add \(advisory.id) --branch \(first) --from-ref REF", .patch)
        }
        if !unverified.isEmpty || advisory.status != .ready {
            if unverified.isEmpty { blockers.append("the advisory is \(advisory.status.rawValue); a verified fix makes it ready") }
            return (blockers, "embargo patch verify \(advisory.id)", .patch)
        }
        return (blockers, "embargo prerelease \(advisory.id) --out DIR", .prerelease)
    }

    /// The last step of a publication that pushed and did not finish, or nil.
    public func publicationStep(_ id: String) throws -> String? {
        try publicationSteps(of: [id])[id.uppercased()]
    }

    /// `publicationStep(_:)` of each advisory in `ids` that has one (nil:
    /// every advisory), read in one query: `advisory list` asks it of all.
    public func publicationSteps(of ids: [String]? = nil) throws -> [String: String] {
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.advisory, s.step FROM publication_steps s JOIN advisories a ON a.id = s.advisory
                WHERE a.status NOT IN ('published', 'withdrawn')
                  AND s.prerelease = (SELECT MAX(seq) FROM prereleases p WHERE p.advisory = s.advisory AND p.superseded = 0)
                """)
        }
        let wanted = ids.map { Set($0.map { $0.uppercased() }) }
        var steps: [String: Set<PublicationStep>] = [:]
        for row in rows {
            let advisory: String = row["advisory"]
            guard wanted?.contains(advisory) ?? true, let step = PublicationStep(rawValue: row["step"]) else { continue }
            steps[advisory, default: []].insert(step)
        }
        return steps.compactMapValues { done in
            done.contains(.pushed) ? PublicationStep.allCases.last { done.contains($0) }?.rawValue : nil
        }
    }
}
