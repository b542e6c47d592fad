import Foundation

/// A commit as the release notes see it.
public struct NoteCommit: Sendable, Equatable {
    public var subject: String
    public var author: String

    public init(subject: String, author: String) {
        self.subject = subject
        self.author = author
    }
}

/// Release notes in the form Drupal projects use: issues parsed from
/// `Issue #NNN by a, b: Summary` commit messages, contributors with counts,
/// an Upgrade Path section for issues marked `(Breaking Change)`, and stats.
/// A security fix shows up only under its neutral commit message.
public struct ReleaseNotes: Sendable, Equatable {
    public struct Issue: Sendable, Equatable {
        public var number: Int?
        public var summary: String
        public var contributors: [String]
        public var breaking: Bool
    }

    public var project: String
    public var version: String
    public var previous: String?
    public var date: Date
    public var issues: [Issue]
    public var contributors: [(name: String, count: Int)]
    public var commitCount: Int

    public static func == (lhs: ReleaseNotes, rhs: ReleaseNotes) -> Bool {
        lhs.project == rhs.project && lhs.version == rhs.version && lhs.previous == rhs.previous && lhs.date == rhs.date
            && lhs.issues == rhs.issues && lhs.commitCount == rhs.commitCount
            && lhs.contributors.map(\.name) == rhs.contributors.map(\.name) && lhs.contributors.map(\.count) == rhs.contributors.map(\.count)
    }

    /// Builds the notes from the commits since the previous release, oldest first.
    public init(project: String, version: String, previous: String?, date: Date, commits: [NoteCommit]) {
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

    static func issueURL(_ number: Int) -> String { "https://www.drupal.org/i/\(number)" }

    var dateText: String { Self.dateText(date) }

    /// A release date as the notes print it: `yyyy-MM-dd`, in UTC.
    static func dateText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    var statsLine: String {
        let numbered = Set(issues.compactMap(\.number)).count
        return "\(commitCount) commit\(commitCount == 1 ? "" : "s"), \(numbered) issue\(numbered == 1 ? "" : "s"), "
            + "\(contributors.count) contributor\(contributors.count == 1 ? "" : "s")" + (previous.map { " since \($0)" } ?? "")
    }

    /// Markdown, starting with a `## VERSION` heading (fits into CHANGELOG.md).
    public var markdown: String {
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

    /// A small HTML fragment with the same content, all text escaped.
    public var html: String {
        func esc(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        func item(_ issue: Issue) -> String {
            let link = issue.number.map { "<a href=\"\(Self.issueURL($0))\">#\($0)</a>: " } ?? ""
            let people = issue.contributors.isEmpty ? "" : " (\(esc(issue.contributors.joined(separator: ", "))))"
            return "<li>\(link)\(esc(issue.summary))\(people)</li>"
        }
        var parts = ["<h2>\(esc(project)) \(esc(version))</h2>", "<p>Released \(dateText).</p>"]
        let upgrade = issues.filter(\.breaking)
        if !upgrade.isEmpty { parts += ["<h3>Upgrade path</h3>", "<ul>"] + upgrade.map(item) + ["</ul>"] }
        parts += ["<h3>Changes</h3>", "<ul>"] + issues.map(item) + ["</ul>"]
        parts += ["<h3>Contributors</h3>", "<ul>"] + contributors.map { "<li>\(esc($0.name)) (\($0.count))</li>" } + ["</ul>"]
        parts += ["<h3>Stats</h3>", "<p>\(esc(statsLine))</p>"]
        return parts.joined(separator: "\n") + "\n"
    }

    /// Inserts these notes at the top of a CHANGELOG.md (after its title).
    public func changelog(updating existing: String?) -> String {
        guard let existing, !existing.isEmpty else { return "# Changelog\n\n" + markdown }
        var lines = existing.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let title = lines.firstIndex(where: { $0.hasPrefix("# ") }) {
            var insertAt = title + 1
            while insertAt < lines.count, lines[insertAt].isEmpty { insertAt += 1 }
            lines.insert(contentsOf: markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), at: insertAt)
            return lines.joined(separator: "\n")
        }
        return markdown + "\n" + existing
    }
}
