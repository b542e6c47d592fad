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

    static func afterApprove(_ advisory: Advisory, now: Date) -> String {
        guard let text = advisory.disclosureAt, let disclosure = Timestamp.parse(text) else {
            return "set the disclosure time with 'embargo schedule \(advisory.id) --at TIME' (or --next-window), "
                + "then publish with 'embargo publish \(advisory.id)'"
        }
        if disclosure > now {
            return "publish at the disclosure time, \(text): 'embargo publish \(advisory.id)' ('--dry-run' checks it first)"
        }
        return "publish: 'embargo publish \(advisory.id)' (the disclosure time has come)"
    }
}
