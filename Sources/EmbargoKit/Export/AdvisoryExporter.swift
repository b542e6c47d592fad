import EmbargoStore
import Foundation

/// The formats an advisory exports to.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// OSV 1.7.0 JSON, shaped like the Drupal advisory database's records.
    case osv
    /// A CVE JSON 5.1 record (CNA container).
    case cve
    /// A CSAF 2.0 `csaf_security_advisory` document.
    case csaf
    /// The Drupal security advisory as plain text.
    case drupal
    /// The Drupal security advisory as Markdown.
    case markdown
    /// The Drupal security advisory as a small HTML document.
    case html

    /// The usual file extension for the format.
    public var fileExtension: String {
        switch self {
        case .osv, .cve, .csaf: return "json"
        case .drupal: return "txt"
        case .markdown: return "md"
        case .html: return "html"
        }
    }

    /// Whether the output is JSON (its shape does not change for drafts).
    public var isJSON: Bool { fileExtension == "json" }
}

/// Everything an export needs. The caller loads it; the exporter does no I/O.
public struct ExportInput: Sendable {
    public var advisory: Advisory
    public var project: Project
    /// The releases of the advisory's branches: `nextRelease` is the fixed version.
    public var releases: [BranchReleases]
    /// The advisory's severities as `SeverityView`s (kinds `drupal`, `cvss_v3.1`, `cvss_v4.0`).
    public var severities: [SeverityView]
    /// When the export is made (CSAF generator date; the SA date when no disclosure time is set).
    public var generatedAt: Date
    /// An embargoed preview: text formats carry a banner, CSAF has status `draft`.
    public var draft: Bool
    /// Amendments after publication, oldest first (revision 1, the publication, is implied).
    public var revisions: [AdvisoryRevision] = []
    /// The affected ranges an OSV import kept as given; they replace the ranges
    /// computed from the tags.
    public var importedRanges: [AffectedRanges.Range] = []
    /// The publication time an imported record gave.
    public var importedPublished: String?

    public init(advisory: Advisory, project: Project, releases: [BranchReleases], severities: [SeverityView],
                generatedAt: Date, draft: Bool = false)
    {
        self.advisory = advisory
        self.project = project
        self.releases = releases
        self.severities = severities
        self.generatedAt = generatedAt
        self.draft = draft
    }
}

/// Renders advisories in the public formats. Pure functions: the same input
/// gives the same bytes. No export ever contains the private title, the
/// timeline or who created the advisory.
///
/// ```swift
/// let osv = try AdvisoryExporter.render(.osv, ExportInput(
///     advisory: advisory, project: project, releases: releases,
///     severities: severities, generatedAt: now))
/// ```
public enum AdvisoryExporter {
    /// The banner that opens every text export of a draft.
    public static let embargoBanner = "EMBARGOED - DO NOT DISTRIBUTE"

    public static func render(_ format: ExportFormat, _ input: ExportInput) throws -> String {
        let facts = try ExportFacts(input)
        switch format {
        case .osv: return try OSVExport.render(facts)
        case .cve: return try CVEExport.render(facts)
        case .csaf: return try CSAFExport.render(facts)
        case .drupal: return SAText.document(facts).plainText()
        case .markdown: return SAText.document(facts).markdown()
        case .html: return SAText.document(facts).html()
        }
    }
}

/// The facts every format shares, derived once from an `ExportInput`.
struct ExportFacts {
    /// One release branch and its fix.
    struct BranchFix {
        var branch: String
        /// The security release as the project names it (`1.2.4`, `8.x-1.6`).
        var release: String
        /// The affected range in Composer versions (`8.x-1.6` is `1.6.0` there).
        var range: AffectedRanges.Range
    }

    /// A person with the OSV credit type of their role.
    struct Credit: Equatable {
        var person: Person
        var type: String
    }

    let advisory: Advisory
    let project: Project
    let draft: Bool
    /// Amendments after publication, with their times normalised like `updatedAt`.
    let revisions: [AdvisoryRevision]
    /// When the advisory became public: its disclosure, or an imported record's publication.
    let publishedAt: String?
    let generatedAt: String
    /// The stored times, normalised to `YYYY-MM-DDTHH:MM:SSZ`.
    let disclosureAt: String?
    let updatedAt: String
    let isDrupal: Bool
    /// Oldest branch first.
    let fixes: [BranchFix]
    let drupalRisk: SeverityView?
    /// CVSS 3.1 or 3.0: an advisory keeps one v3 vector.
    let cvss3: SeverityView?
    let cvss40: SeverityView?
    /// `https://www.drupal.org/sa-contrib-2025-119` when the SA id is known.
    let saURL: String?
    /// The SA URL, then the advisory's references, without duplicates.
    let references: [String]

    init(_ input: ExportInput) throws {
        advisory = input.advisory
        project = input.project
        draft = input.draft
        revisions = try input.revisions.map { revision in
            var normalised = revision
            normalised.at = try Self.utc(revision.at, "revision", input.advisory.id) ?? revision.at
            return normalised
        }
        generatedAt = Timestamp.string(input.generatedAt)
        disclosureAt = try Self.utc(advisory.disclosureAt, "disclosure", advisory.id)
        updatedAt = try Self.utc(advisory.updatedAt, "update", advisory.id) ?? generatedAt
        isDrupal = project.policy.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == PolicyProfile.drupal.rawValue }

        var drupal: SeverityView?, v3: SeverityView?, v40: SeverityView?
        for severity in input.severities {
            switch severity.kind {
            case "drupal": drupal = severity
            case "cvss_v3.1", "cvss_v3.0": v3 = severity
            case "cvss_v4.0": v40 = severity
            default:
                throw EmbargoError(.failure, "severity kind '\(severity.kind)' cannot be exported",
                                   hint: "exports know drupal, cvss_v3.0, cvss_v3.1 and cvss_v4.0")
            }
        }
        drupalRisk = drupal
        cvss3 = v3
        cvss40 = v40

        fixes = input.importedRanges.isEmpty
            ? try Self.fixes(input.releases, advisory: advisory.id, affectedFrom: advisory.affectedFrom)
            : input.importedRanges.map { range in
                let parts = range.fixed.split(separator: ".")
                return BranchFix(branch: parts.count >= 2 ? "\(parts[0]).\(parts[1]).x" : range.fixed, release: range.fixed, range: range)
            }
        publishedAt = advisory.status == .published ? (disclosureAt ?? updatedAt) : input.importedPublished
        saURL = advisory.saID.map { "https://www.drupal.org/\($0.lowercased())" }
        var references: [String] = []
        for url in (saURL.map { [$0] } ?? []) + advisory.references where !references.contains(url) {
            references.append(url)
        }
        self.references = references
    }

    /// Pairs each branch with its Composer range, oldest branch first.
    private static func fixes(_ releases: [BranchReleases], advisory id: String, affectedFrom: String?) throws -> [BranchFix] {
        guard !releases.isEmpty else {
            throw EmbargoError(.failure, "advisory \(id) has no release branch to export",
                               hint: "set its branches with 'embargo advisory edit \(id) --branch BRANCH'")
        }
        // Ranges are computed on Composer versions, so that a legacy 8.x-1.x
        // branch sorts by its Composer number (1.x) next to semantic branches.
        let composer = releases.map { release in
            BranchReleases(
                branch: release.branch,
                firstRelease: Composer.version(release.firstRelease ?? ReleaseBranch(release.branch)?.firstVersion.description),
                lastRelease: Composer.version(release.lastRelease),
                nextRelease: Composer.version(release.nextRelease))
        }
        var fixes: [BranchFix] = []
        let ranges = AffectedRanges(composer, affectedFrom: Composer.version(affectedFrom)).ranges
        if let affectedFrom, let spared = composer.firstIndex(where: { release in !ranges.contains { $0.fixed == release.nextRelease } }) {
            throw EmbargoError(.failure, "branch \(releases[spared].branch) of advisory \(id) is fixed by \(releases[spared].nextRelease), not after its first affected version \(affectedFrom)",
                               hint: "leave the branch out with 'embargo advisory edit \(id) --branch B', or correct --affected-from")
        }
        for range in ranges {
            let matching = composer.indices.filter { composer[$0].nextRelease == range.fixed }
            guard matching.count == 1, let index = matching.first else {
                throw EmbargoError(.failure, "two branches of advisory \(id) are fixed by the same version \(range.fixed)",
                                   hint: "check the advisory's branches and their releases")
            }
            if range.introduced == range.fixed {
                // A later branch with no release yet: nothing released is affected (the range would be empty).
                throw EmbargoError(.failure, "branch \(releases[index].branch) of advisory \(id) has no release tag yet, so no released version of it is affected",
                                   hint: "list only released branches with 'embargo advisory edit \(id) --branch B', or tag the branch's first release")
            }
            fixes.append(BranchFix(branch: releases[index].branch, release: releases[index].nextRelease, range: range))
        }
        return fixes
    }

    /// Drupal and Composer form: `<1.0.7 || >=1.1.0 <1.1.7`.
    var constraint: String { fixes.map(\.range.constraint).joined(separator: " || ") }

    /// `drupal/<package>` (`drupal/core` for Drupal core), as on packages.drupal.org.
    var composerPackage: String {
        "drupal/" + (project.packageName == "drupal" ? "core" : project.packageName)
    }

    /// The OSV id: the SA id as `DRUPAL-CONTRIB-...`, else the GHSA id, else the
    /// local id under the `x_` prefix OSV reserves for unregistered databases.
    var osvID: String {
        if let sa = advisory.saID, sa.hasPrefix("SA-CONTRIB-") || sa.hasPrefix("SA-CORE-") {
            return "DRUPAL-" + sa.dropFirst("SA-".count)
        }
        return advisory.ghsaID ?? "x_\(advisory.id)"
    }

    /// The public title, or one built from public fields. Never the private title.
    var summary: String { advisory.publicTitle ?? saTitle(placeholders: false) }

    /// `<Project> - <Risk level> - <Vulnerability type> - <SA id>`. With
    /// `placeholders`, missing parts are named; without, they are left out.
    func saTitle(placeholders: Bool) -> String {
        let parts: [String?] = [
            project.displayName,
            drupalRisk?.rating ?? (placeholders ? "(risk not set)" : nil),
            advisory.vulnerabilityType ?? (placeholders ? "(vulnerability type not set)" : nil),
            advisory.saID ?? (placeholders ? "(SA id not assigned)" : nil),
        ]
        let present = parts.compactMap { $0 }
        return present.count > 1 ? present.joined(separator: " - ") : "\(project.displayName) security advisory"
    }

    /// Everyone to credit, each with the OSV type of their role, without duplicates.
    var credits: [Credit] {
        var all: [Credit] = []
        let roles = advisory.reporters.map { Credit(person: $0, type: "FINDER") }
            + advisory.fixers.map { Credit(person: $0, type: "REMEDIATION_DEVELOPER") }
            + advisory.coordinators.map { Credit(person: $0, type: "COORDINATOR") }
            + advisory.credits.map { Credit(person: Person(name: $0.name, contact: $0.contact), type: $0.type ?? "OTHER") }
        for credit in roles where !all.contains(credit) {
            all.append(credit)
        }
        return all
    }

    /// The time the advisory is (or will be) public, else the export time.
    var releaseTime: String { disclosureAt ?? generatedAt }

    /// Normalises a stored ISO 8601 time to `YYYY-MM-DDTHH:MM:SSZ`.
    static func utc(_ text: String?, _ field: String, _ id: String) throws -> String? {
        guard let text else { return nil }
        guard let date = Timestamp.parse(text) else {
            throw EmbargoError(.failure, "advisory \(id) has an invalid \(field) time '\(text.prefix(40))'",
                               hint: "times are ISO 8601 in UTC, such as 2026-11-25T16:00:00Z")
        }
        return Timestamp.string(date)
    }

    /// Parses a CVSS score such as `9.8`.
    static func score(_ view: SeverityView) throws -> Double {
        guard let value = Double(view.score), (0...10).contains(value) else {
            throw EmbargoError(.failure, "CVSS score '\(view.score.prefix(16))' is not a number from 0 to 10")
        }
        return value
    }

    /// The upgrade instructions, one line per branch, oldest first.
    var upgradeLines: [String] {
        fixes.map { "If you use the \($0.branch) branch, upgrade to \($0.release)" }
    }
}

/// Composer's view of Drupal versions.
enum Composer {
    /// packages.drupal.org publishes the legacy `8.x-1.6` as `1.6.0` (and
    /// `8.x-2.0-beta3` as `2.0.0-beta3`); semantic versions stay as they are.
    static func version(_ text: String?) -> String? {
        text.map(version)
    }

    static func version(_ text: String) -> String {
        guard let parsed = ReleaseVersion(text), parsed.core != nil else { return text }
        return "\(parsed.major).\(parsed.minor).0\(parsed.stability.suffix)"
    }
}
