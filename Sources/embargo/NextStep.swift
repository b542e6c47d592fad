import EmbargoKit
import Foundation

/// The "what next" line after a step of the release: the command that
/// follows, complete with its required options.
enum NextStep {
    static func afterInit() -> String {
        "register a project: 'embargo project add NAME --repo PATH --remote origin --branch BRANCH'"
    }

    /// `advisories`: every advisory the pre-release carries, each approved on it.
    static func afterPrerelease(_ advisories: [String], bundle: URL) -> String {
        "send \(bundle.lastPathComponent) to the security team; a member of it checks and approves it with "
            + advisories.map { "'embargo approve \($0) --bundle \(bundle.lastPathComponent)'" }.joined(separator: " and ")
    }

    /// `release`: the security release planned for the advisory, if any (drupal.org's
    /// order: its tags on the disclosure day, then the SA).
    static func afterApprove(_ advisory: Advisory, release: String? = nil, now: Date) -> String {
        guard let text = advisory.disclosureAt, let disclosure = Timestamp.parse(text) else {
            return "set the disclosure time with 'embargo schedule \(advisory.id) --at TIME' (or --next-window), "
                + "then publish with 'embargo publish \(advisory.id)'"
        }
        if disclosure > now {
            return "publish at the disclosure time, \(text): 'embargo publish \(advisory.id)' ('--dry-run' checks it first)"
                + (release.map { "; or in drupal.org's order, 'embargo release tag \($0)' on the disclosure day, "
                    + "then 'embargo release published \($0) --sa-url URL' once the Security Team published the SA" } ?? "")
        }
        return "publish: 'embargo publish \(advisory.id)' (the disclosure time has come)"
    }
}
