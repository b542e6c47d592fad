import EmbargoStore
import Foundation

/// A commit as the release notes see it: its whole message and its author.
public struct NoteCommit: Sendable, Equatable {
    public var subject: String
    /// The message after the subject line (trailers such as `By:` lines).
    public var body: String
    public var author: String

    public init(subject: String, body: String = "", author: String) {
        self.subject = subject
        self.body = body
        self.author = author
    }

    /// The commits of `range` (`A..B`, or one ref for its whole history),
    /// oldest first, with their whole messages.
    static func read(_ git: Git, range: String) throws -> [NoteCommit] {
        let result = try git.run(["log", "--reverse", "--format=%an%x1f%s%x1f%b%x1e", range])
        guard result.status == 0 else {
            throw EmbargoError(.failure, "git log \(range) failed: \(firstLine(result.stderrText))")
        }
        return result.stdoutText.split(separator: "\u{1e}").compactMap { entry in
            let parts = entry.trimmingCharacters(in: .newlines).split(separator: "\u{1f}", omittingEmptySubsequences: false)
            guard parts.count == 3 else { return nil }
            return NoteCommit(subject: String(parts[1]), body: parts[2].trimmingCharacters(in: .newlines), author: String(parts[0]))
        }
    }
}

/// Release notes as drupal.org's release-notes tools make them: "Issues
/// resolved since X: N", the contributors with their counts and profile
/// links, the issues in sections by type, an Upgrade Path for breaking
/// changes, the organizations with their counts, and stats.
///
/// Two commit message formats are understood (DOMAIN.md):
/// - since late 2025, `type: #NNN Summary` followed by one `By: username`
///   line per credited person (`fix` goes to Bugs, `feat` to New Features,
///   `task` to Tasks, any other type to a section titled from it);
/// - before, `Issue #NNN by a, b: Summary` (or `Issue #NNN: Summary`). These
///   carry no type, and guessing one from the words of a summary is wrong too
///   often ("Fix the docs of..."), so they go to a section of their own,
///   "Changes".
///
/// A commit in neither format (a release commit, a revert, a security fix's
/// neutral message) is listed under "Other Commits" by its subject alone, its
/// author as the contributor. A security fix so shows only its own neutral
/// message: nothing from the advisory is added to the notes.
///
/// Commits of the same issue make one entry. A person counts once an entry,
/// however often named; an organization counts the entries that credit at
/// least one of its people.
///
/// ```swift
/// let notes = ReleaseNotes(project: "ai", version: "1.2.4", previous: "1.2.3", date: .now,
///                          commits: [NoteCommit(subject: "fix: #3500001 Keep the cache", body: "By: ann", author: "ann")],
///                          people: PeopleDirectory([CreditedPerson(username: "ann", organization: "Acme")]))
/// print(notes.markdown)
/// ```
public struct ReleaseNotes: Sendable, Equatable {
    /// One commit message, parsed.
    public struct ParsedCommit: Sendable, Equatable {
        /// The lowercased type of a `type: #NNN` message; nil in the older format and for other commits.
        public var type: String?
        public var number: Int?
        public var summary: String
        /// The people the message credits, each once, in the message's order; empty when it credits nobody.
        public var credited: [String]
        /// Marked `(Breaking Change)` or `(BC)`.
        public var breaking: Bool
    }

    /// An entry of the notes: an issue (the commits that name it) or a commit of neither format.
    public struct Issue: Sendable, Equatable {
        public var number: Int?
        public var type: String?
        public var summary: String
        public var contributors: [String]
        public var breaking: Bool
        /// The upgrade steps the caller gave for this (breaking) issue.
        public var upgradePath: String?

        /// The title of the section the entry is listed in.
        public var section: String {
            guard number != nil else { return ReleaseNotes.otherCommitsSection }
            guard let type else { return ReleaseNotes.changesSection }
            return ReleaseNotes.sectionTitles[type] ?? type.prefix(1).uppercased() + type.dropFirst()
        }
    }

    /// A name and how many entries it is credited on.
    public struct Count: Sendable, Equatable {
        public var name: String
        public var count: Int
    }

    public var project: String
    public var version: String
    public var previous: String?
    public var date: Date
    public var issues: [Issue]
    /// Most credited first, then by name.
    public var contributors: [Count]
    /// Nil when no people directory was given (the notes then have no Organizations section).
    public var organizations: [Count]?
    public var commitCount: Int

    static let sectionTitles = ["feat": "New Features", "fix": "Bugs", "task": "Tasks"]
    static let changesSection = "Changes"
    static let otherCommitsSection = "Other Commits"

    /// Builds the notes from the commits since the previous release, oldest
    /// first. `people` names the organizations (and turns a commit author's
    /// display name into their username); `upgradePaths` holds the upgrade
    /// steps of breaking issues, by issue number.
    public init(project: String, version: String, previous: String?, date: Date, commits: [NoteCommit],
                people: PeopleDirectory? = nil, upgradePaths: [Int: String] = [:])
    {
        self.project = project
        self.version = version
        self.previous = previous
        self.date = date
        commitCount = commits.count
        var entries: [Issue] = []
        var byNumber: [Int: Int] = [:]
        for commit in commits {
            let parsed = Self.parse(commit)
            let credited = parsed.credited.isEmpty ? [people?.username(forAuthor: commit.author) ?? commit.author] : parsed.credited
            if let number = parsed.number, let index = byNumber[number] {
                entries[index].contributors = Self.unique(entries[index].contributors + credited)
                entries[index].breaking = entries[index].breaking || parsed.breaking
                if entries[index].type == nil { entries[index].type = parsed.type }
                continue
            }
            if let number = parsed.number { byNumber[number] = entries.count }
            entries.append(Issue(number: parsed.number, type: parsed.type, summary: parsed.summary, contributors: Self.unique(credited),
                                 breaking: parsed.breaking, upgradePath: nil))
        }
        for index in entries.indices where entries[index].breaking {
            entries[index].upgradePath = entries[index].number.flatMap { upgradePaths[$0] }
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        issues = entries
        contributors = Self.counted(entries.map(\.contributors))
        organizations = people.map { directory in
            Self.counted(entries.map { entry in Self.unique(entry.contributors.compactMap { directory.person($0)?.organization }) })
        }
    }

    static func counted(_ groups: [[String]]) -> [Count] {
        var counts: [String: Int] = [:]
        var spelling: [String: String] = [:]
        for group in groups {
            for name in group {
                let key = name.lowercased()
                if spelling[key] == nil { spelling[key] = name }
                counts[key, default: 0] += 1
            }
        }
        return counts.map { Count(name: spelling[$0.key]!, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : ($0.name.lowercased(), $0.name) < ($1.name.lowercased(), $1.name) }
    }

    /// Each name once (drupal.org usernames are case-insensitive), first spelling kept.
    static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0.lowercased()).inserted }
    }

    /// Parses one commit message in either drupal.org format; `(cherry picked
    /// from commit ...)` lines and any other body text are ignored.
    public static func parse(_ commit: NoteCommit) -> ParsedCommit {
        let subject = commit.subject.trimmingCharacters(in: .whitespacesAndNewlines)
        var breaking = false
        var clean = subject
        for marker in ["(Breaking Change)", "(BC)"] where clean.range(of: marker, options: .caseInsensitive) != nil {
            breaking = true
            clean = clean.replacingOccurrences(of: marker, with: "", options: .caseInsensitive)
        }
        // Where a marker was cut out, the spaces around it close up; other text stays as written.
        if breaking { clean = clean.replacing(/\s{2,}/, with: " ").trimmingCharacters(in: .whitespaces) }
        if let match = clean.wholeMatch(of: /([A-Za-z][A-Za-z0-9_-]*): #([0-9]+):? +(.+)/), let number = Int(match.2) {
            let names = commit.body.split(whereSeparator: \.isNewline).compactMap { line -> String? in
                guard let by = line.trimmingCharacters(in: .whitespaces).wholeMatch(of: /(?i:by):\s*@?(.+)/) else { return nil }
                let name = by.1.trimmingCharacters(in: .whitespaces)
                return name.isEmpty ? nil : name
            }
            return ParsedCommit(type: match.1.lowercased(), number: number, summary: String(match.3), credited: unique(names),
                                breaking: breaking)
        }
        if let match = clean.wholeMatch(of: /(?i:issue) #([0-9]+)(?: by ([^:]*))?: +(.+)/), let number = Int(match.1) {
            let names = (match.2.map(String.init) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            return ParsedCommit(type: nil, number: number, summary: String(match.3), credited: unique(names), breaking: breaking)
        }
        return ParsedCommit(type: nil, number: nil, summary: clean, credited: [], breaking: breaking)
    }

    static func issueURL(_ number: Int) -> String { "https://www.drupal.org/i/\(number)" }

    /// A person's drupal.org profile: the username lowercased, with a hyphen
    /// for each run of spaces (as drupal.org's `/u/` aliases are made).
    public static func profileURL(_ username: String) -> String {
        let slug = username.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: "-")
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789-._~")
        return "https://www.drupal.org/u/" + (slug.addingPercentEncoding(withAllowedCharacters: allowed) ?? slug)
    }

    var dateText: String { Self.dateText(date) }

    /// A release date as the notes print it: `yyyy-MM-dd`, in UTC.
    static func dateText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    /// The issue numbers resolved, each once.
    public var issueCount: Int { issues.filter { $0.number != nil }.count }

    var resolvedLine: String {
        "Issues resolved" + (previous.map { " since \($0)" } ?? "") + ": \(issueCount)"
    }

    /// The sections in the order they are printed: the known types, the other
    /// types by title, old-format issues, then commits of neither format.
    var sections: [(title: String, issues: [Issue])] {
        let titles = Set(issues.map(\.section))
        let known = ["New Features", "Bugs", "Tasks"]
        let trailing = [Self.changesSection, Self.otherCommitsSection]
        let others = titles.subtracting(known + trailing).sorted()
        return (known + others + trailing).filter(titles.contains).map { title in (title, issues.filter { $0.section == title }) }
    }

    var stats: [String] {
        ["Contributors: \(contributors.count)"] + (organizations.map { ["Organizations: \($0.count)"] } ?? [])
            + ["Issues: \(issueCount)", "Commits: \(commitCount)"]
    }

    /// Markdown, starting with a `## VERSION` heading (fits into CHANGELOG.md).
    public var markdown: String {
        func linkText(_ text: String) -> String {
            text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "[", with: "\\[").replacingOccurrences(of: "]", with: "\\]")
        }
        func item(_ issue: Issue) -> String {
            "- " + (issue.number.map { "[#\($0)](\(Self.issueURL($0))): " } ?? "") + issue.summary
        }
        var lines = ["## \(version)", "", "Released \(dateText).", "", resolvedLine, ""]
        lines += ["### Contributors (\(contributors.count))", ""]
        lines += contributors.isEmpty ? ["- None."] : contributors.map { "- [\(linkText($0.name))](\(Self.profileURL($0.name))) (\($0.count))" }
        lines.append("")
        if issues.isEmpty { lines += ["### Changes", "", "- No changes.", ""] }
        for section in sections {
            lines += ["### \(section.title)", ""] + section.issues.map(item) + [""]
        }
        let upgrade = issues.filter(\.breaking)
        if !upgrade.isEmpty {
            lines += ["### Upgrade Path", ""]
            for issue in upgrade {
                lines.append(item(issue))
                if let steps = issue.upgradePath {
                    lines.append("")
                    lines += steps.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }
                }
            }
            lines.append("")
        }
        if let organizations {
            lines += ["### Organizations (\(organizations.count))", ""]
            lines += organizations.isEmpty ? ["- None recorded."] : organizations.map { "- \($0.name) (\($0.count))" }
            lines.append("")
        }
        lines += ["### Stats", ""] + stats.map { "- " + $0 } + [""]
        return lines.joined(separator: "\n")
    }

    /// A small HTML fragment with the same content, all text escaped.
    public var html: String {
        func esc(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        func item(_ issue: Issue) -> String {
            (issue.number.map { "<a href=\"\(Self.issueURL($0))\">#\($0)</a>: " } ?? "") + esc(issue.summary)
        }
        func list(_ items: [String]) -> [String] { ["<ul>"] + items.map { "<li>\($0)</li>" } + ["</ul>"] }
        var parts = ["<h2>\(esc(project)) \(esc(version))</h2>", "<p>Released \(dateText).</p>", "<p>\(esc(resolvedLine))</p>"]
        parts.append("<h3>Contributors (\(contributors.count))</h3>")
        parts += list(contributors.isEmpty ? ["None."] : contributors.map {
            "<a href=\"\(esc(Self.profileURL($0.name)))\">\(esc($0.name))</a> (\($0.count))"
        })
        if issues.isEmpty { parts += ["<h3>Changes</h3>"] + list(["No changes."]) }
        for section in sections {
            parts += ["<h3>\(esc(section.title))</h3>"] + list(section.issues.map(item))
        }
        let upgrade = issues.filter(\.breaking)
        if !upgrade.isEmpty {
            parts += ["<h3>Upgrade Path</h3>"] + list(upgrade.map { issue in
                item(issue) + (issue.upgradePath.map { Self.stepsHTML($0, escape: esc) } ?? "")
            })
        }
        if let organizations {
            parts += ["<h3>Organizations (\(organizations.count))</h3>"]
                + list(organizations.isEmpty ? ["None recorded."] : organizations.map { "\(esc($0.name)) (\($0.count))" })
        }
        parts += ["<h3>Stats</h3>"] + list(stats.map(esc))
        return parts.joined(separator: "\n") + "\n"
    }

    /// Upgrade steps as written in an issue (the Markdown of its description:
    /// headings, lists, `code`, paragraphs) as HTML, every text escaped.
    static func stepsHTML(_ steps: String, escape esc: (String) -> String) -> String {
        func inline(_ text: String) -> String {
            // `code` spans: the escaped text split at backticks, every odd part code.
            esc(text).split(separator: "`", omittingEmptySubsequences: false).enumerated()
                .map { $0.offset % 2 == 1 ? "<code>\($0.element)</code>" : String($0.element) }.joined()
        }
        var html = ""
        var paragraph: [String] = []
        var items: [String] = []
        func flush() {
            if !paragraph.isEmpty { html += "<p>" + paragraph.map(inline).joined(separator: "<br>\n") + "</p>" }
            if !items.isEmpty { html += "<ul>" + items.map { "<li>\(inline($0))</li>" }.joined() + "</ul>" }
            paragraph = []
            items = []
        }
        for raw in steps.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty {
                flush()
            } else if line.hasPrefix("#") {
                flush()
                html += "<h4>" + inline(String(line.drop { $0 == "#" }).trimmingCharacters(in: .whitespaces)) + "</h4>"
            } else if let marker = ["- ", "* ", "+ "].first(where: line.hasPrefix) {
                if !paragraph.isEmpty { flush() }
                items.append(String(line.dropFirst(marker.count)))
            } else {
                if !items.isEmpty { flush() }
                paragraph.append(line)
            }
        }
        flush()
        return html
    }

    /// Inserts these notes at the top of a CHANGELOG.md (after its title).
    public func changelog(updating existing: String?) -> String {
        Self.changelog(entry: markdown, updating: existing)
    }

    /// A CHANGELOG.md with `entry` on top (after its title), or a new one.
    static func changelog(entry: String, updating existing: String?) -> String {
        guard let existing, !existing.isEmpty else { return "# Changelog\n\n" + entry }
        var lines = existing.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let title = lines.firstIndex(where: { $0.hasPrefix("# ") }) {
            var insertAt = title + 1
            while insertAt < lines.count, lines[insertAt].isEmpty { insertAt += 1 }
            lines.insert(contentsOf: entry.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), at: insertAt)
            return lines.joined(separator: "\n")
        }
        return entry + "\n" + existing
    }
}
