import Foundation

/// The CHANGELOG.md entry as embargo wrote it before `ReleaseNotes` knew
/// drupal.org's newer format: issues parsed from `Issue #NNN by a, b:
/// Summary` subjects only, one list of changes, contributors with counts,
/// stats. Kept byte for byte, unchanged, for the plans of pre-releases made
/// then (`ReleasePlan.changelogLayout` nil): publication builds their release
/// commit again and must get the very same one.
struct LegacyChangelogNotes {
    struct Issue {
        var number: Int?
        var summary: String
        var contributors: [String]
        var breaking: Bool
    }

    var project: String
    var version: String
    var previous: String?
    var date: Date
    var issues: [Issue]
    var contributors: [(name: String, count: Int)]
    var commitCount: Int

    /// Builds the notes from the commits since the previous release, oldest first.
    init(project: String, version: String, previous: String?, date: Date, commits: [NoteCommit]) {
        self.project = project
        self.version = version
        self.previous = previous
        self.date = date
        commitCount = commits.count
        var counts: [String: Int] = [:]
        var order: [String] = []
        issues = commits.map { commit in
            var issue = Self.parse(commit.subject)
            if issue.contributors.isEmpty { issue.contributors = [commit.author] }
            for name in issue.contributors {
                if counts[name] == nil { order.append(name) }
                counts[name, default: 0] += 1
            }
            return issue
        }
        contributors = order.map { ($0, counts[$0]!) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.name.lowercased() < $1.name.lowercased() }
    }

    static func parse(_ subject: String) -> Issue {
        let breaking = subject.localizedCaseInsensitiveContains("(Breaking Change)")
        let clean = subject.replacingOccurrences(of: "(Breaking Change)", with: "", options: .caseInsensitive)
            .trimmingCharacters(in: .whitespaces)
        if let match = clean.wholeMatch(of: /(?i:issue) #([0-9]+) by ([^:]+): (.+)/) {
            let names = match.2.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return Issue(number: Int(match.1), summary: String(match.3), contributors: names, breaking: breaking)
        }
        return Issue(number: nil, summary: clean, contributors: [], breaking: breaking)
    }

    static func issueURL(_ number: Int) -> String { ReleaseNotes.issueURL(number) }

    var dateText: String { ReleaseNotes.dateText(date) }

    var statsLine: String {
        let numbered = Set(issues.compactMap(\.number)).count
        return "\(commitCount) commit\(commitCount == 1 ? "" : "s"), \(numbered) issue\(numbered == 1 ? "" : "s"), "
            + "\(contributors.count) contributor\(contributors.count == 1 ? "" : "s")" + (previous.map { " since \($0)" } ?? "")
    }

    /// Markdown, starting with a `## VERSION` heading.
    var markdown: String {
        var lines = ["## \(version)", "", "Released \(dateText).", ""]
        let upgrade = issues.filter(\.breaking)
        if !upgrade.isEmpty {
            lines += ["### Upgrade path", ""]
            lines += upgrade.map { "- " + Self.markdownItem($0) }
            lines.append("")
        }
        lines += ["### Changes", ""]
        lines += issues.isEmpty ? ["- No changes."] : issues.map { "- " + Self.markdownItem($0) }
        lines += ["", "### Contributors", ""]
        lines += contributors.map { "- \($0.name) (\($0.count))" }
        lines += ["", "### Stats", "", statsLine, ""]
        return lines.joined(separator: "\n")
    }

    static func markdownItem(_ issue: Issue) -> String {
        let link = issue.number.map { "[#\($0)](\(issueURL($0))): " } ?? ""
        let people = issue.contributors.isEmpty ? "" : " (\(issue.contributors.joined(separator: ", ")))"
        return link + issue.summary + people
    }

    /// Inserts these notes at the top of a CHANGELOG.md (after its title).
    func changelog(updating existing: String?) -> String {
        ReleaseNotes.changelog(entry: markdown, updating: existing)
    }
}
