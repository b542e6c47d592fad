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

/// What the standings read from the store, for every advisory asked about at
/// once: a screen of hundreds of open advisories is a few queries, not a few
/// for each.
struct StandingFacts {
    struct Prerelease {
        var number: Int
        var bundleName: String
        var manifestHash: String
        /// Whether an approval of it was voided (its public texts changed after it was built).
        var voided = false
    }

    var series: [String: [String: [PatchRecord]]] = [:]
    var lastChecks: [String: [String: Row]] = [:]
    var prereleases: [String: Prerelease] = [:]
    /// Advisories whose release is tagged, by id: the release.
    var taggedReleases: [String: String] = [:]
    /// Per advisory, those released with it that are not approved yet, with their status.
    var unapprovedCompanions: [String: [(id: String, status: String)]] = [:]

    /// `ids`: the advisories (nil: every one that is neither published nor withdrawn).
    init(_ db: Database, ids: [String]?) throws {
        let filter = ids.map { list in "advisory IN (\(list.map { _ in "?" }.joined(separator: ",")))" }
            ?? "advisory IN (SELECT id FROM advisories WHERE status NOT IN ('published', 'withdrawn'))"
        let arguments = StatementArguments(ids ?? [])
        for record in try PatchRecord.fetchAll(db, sql: "SELECT * FROM patches WHERE \(filter) ORDER BY advisory, branch, position", arguments: arguments) {
            series[record.advisory, default: [:]][record.branch, default: []].append(record)
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT advisory, branch, head, series, result FROM patch_checks
            WHERE seq IN (SELECT max(seq) FROM patch_checks WHERE \(filter) GROUP BY advisory, branch)
            """, arguments: arguments) {
            lastChecks[row["advisory"], default: [:]][row["branch"]] = row
        }
        var numbers: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT advisory, bundle_name, manifest_hash, superseded,
                   EXISTS (SELECT 1 FROM approvals a WHERE a.prerelease = p.seq AND a.void = 1) AS voided
            FROM prereleases p WHERE \(filter) ORDER BY seq
            """, arguments: arguments) {
            let advisory: String = row["advisory"]
            numbers[advisory, default: 0] += 1
            if (row["superseded"] as Int) == 0 {
                prereleases[advisory] = Prerelease(number: numbers[advisory]!, bundleName: row["bundle_name"], manifestHash: row["manifest_hash"],
                                                   voided: row["voided"])
            }
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT r.advisory, r.release FROM release_advisories r JOIN releases l ON l.id = r.release
            WHERE l.status = 'tagged' AND r.\(filter)
            """, arguments: arguments) {
            taggedReleases[row["advisory"]] = row["release"]
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT mine.advisory AS advisory, other.advisory AS other, a.status AS status
            FROM release_advisories mine
            JOIN release_advisories other ON other.release = mine.release AND other.advisory != mine.advisory
            JOIN advisories a ON a.id = other.advisory
            WHERE a.status NOT IN ('approved', 'published') AND mine.\(filter)
            ORDER BY other.advisory
            """, arguments: arguments) {
            unapprovedCompanions[row["advisory"], default: []].append((row["other"], row["status"]))
        }
    }

    /// Which of the advisory's branches have a series verified on the branch's current head.
    func verified(_ advisory: Advisory, heads: [String: String]) -> [String: Bool] {
        Dictionary(uniqueKeysWithValues: advisory.branches.map { branch in
            (branch, Workspace.isVerified(series[advisory.id]?[branch] ?? [], last: lastChecks[advisory.id]?[branch], head: heads[branch]))
        })
    }
}

extension Workspace {
    /// The standing of every advisory that is neither published nor withdrawn,
    /// or of the one named.
    public func standings(_ id: String? = nil) throws -> [AdvisoryStanding] {
        let open = try id.map { [try advisory($0)] } ?? advisories().filter { ![.published, .withdrawn].contains($0.status) }
        // Each project's branch heads are read once, not once an advisory.
        var heads: [String: [String: String]] = [:]
        var headErrors: [String: EmbargoError] = [:]
        for (name, advisories) in Dictionary(grouping: open, by: \.project) {
            let project = try project(named: name).project
            let branches = Array(Set(advisories.flatMap(\.branches))).sorted()
            do {
                heads[name] = try environment.git(URL(fileURLWithPath: project.repoPath)).branchCommits(branches, remote: project.remote)
            } catch let error as EmbargoError {
                headErrors[name] = error
            }
        }
        // So is everything else the standings read.
        let facts = try store.read { db in try StandingFacts(db, ids: id.map { _ in open.map(\.id) }) }
        let steps = try publicationSteps(of: id.map { _ in open.map(\.id) })
        return open.map { standing($0, facts: facts, heads: heads[$0.project], headError: headErrors[$0.project], publicationStep: steps[$0.id]) }
    }

    /// Where the advisory `id` stands (see `AdvisoryStanding`).
    public func standing(_ id: String) throws -> AdvisoryStanding {
        try standings(id)[0]
    }

    /// The standing of an advisory from what `standings` read.
    private func standing(_ advisory: Advisory, facts: StandingFacts, heads: [String: String]?, headError: EmbargoError?,
                          publicationStep: String?) -> AdvisoryStanding
    {
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
            let (blockers, command, action) = fixBlockers(advisory, facts: facts, heads: heads, headError: headError)
            standing.blockers = blockers
            next(command, action)
        case .prereleased:
            if let prerelease = facts.prereleases[advisory.id], prerelease.voided {
                // Its approval was voided: the public texts changed since it was built, and only a new one carries them.
                standing.blockers.append("the public texts changed after pre-release \(prerelease.number) was approved, which voided the approval")
                next("embargo prerelease \(advisory.id) --out DIR", .prerelease)
            } else if let prerelease = facts.prereleases[advisory.id] {
                standing.blockers.append("pre-release \(prerelease.number) (\(prerelease.bundleName)) waits for the security team's approval")
                next("embargo approve \(advisory.id) --sha256 \(prerelease.manifestHash)", .approve)
            } else {
                standing.blockers.append("no current pre-release")
                next("embargo prerelease \(advisory.id) --out DIR", .prerelease)
            }
        case .approved:
            if let step = standing.publicationStep {
                if let release = facts.taggedReleases[advisory.id] {
                    // The tag-first order: the release is tagged; the Security Team publishes the SA.
                    standing.blockers.append("release \(release) is tagged and public; the SA is not published yet")
                    next("embargo release published \(release) --sa-url URL", .publish)
                    break
                }
                standing.blockers.append("the publication stopped after its step '\(step)': the fix is public, the advisory is not")
                next("embargo publish \(advisory.id)", .publish)
                break
            }
            if let waiting = facts.unapprovedCompanions[advisory.id], let first = waiting.first {
                // Released together: the tags hold every fix, so every advisory is approved first.
                for other in waiting {
                    standing.blockers.append("\(other.id), released with it, is \(other.status): each advisory of the release is approved on the pre-release they share")
                }
                if first.status == AdvisoryStatus.prereleased.rawValue, let prerelease = facts.prereleases[advisory.id] {
                    next("embargo approve \(first.id) --sha256 \(prerelease.manifestHash)", .approve)
                } else {
                    next("embargo prerelease \(advisory.id) --out DIR", .prerelease)
                }
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
    private func fixBlockers(_ advisory: Advisory, facts: StandingFacts, heads: [String: String]?,
                             headError: EmbargoError?) -> (blockers: [String], next: String, action: Action)
    {
        guard !advisory.branches.isEmpty else {
            return (["no affected branch is named"], "embargo advisory edit \(advisory.id) --branch BRANCH", .editAdvisory)
        }
        var blockers: [String] = []
        let series = facts.series[advisory.id] ?? [:]
        let missing = advisory.branches.filter { series[$0] == nil }
        for branch in missing { blockers.append("no patches for \(branch)") }
        if let headError {
            return (blockers + [headError.message], "embargo project local \(advisory.project) --repo PATH", .read)
        }
        let verified = facts.verified(advisory, heads: heads ?? [:])
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
