import Foundation

/// The Drupal security advisory as people read it: one document model,
/// rendered as plain text (the drupal.org fields), Markdown or HTML, so the
/// three always carry the same content.
struct SAText {
    enum Block: Equatable {
        /// Free text; blank lines separate paragraphs.
        case text(String)
        case list([String])
    }

    struct Section {
        var heading: String
        var blocks: [Block]
    }

    struct Field {
        var label: String
        var value: String
        /// Fields drupal.org does not have (CVSS) stay out of the plain-text SA.
        var drupalField = true
    }

    static let notSet = "(not set)"

    var draft: Bool
    var title: String
    var fields: [Field]
    var sections: [Section]

    /// Builds the SA from the facts; missing values are shown, not hidden, so a
    /// draft reviewer sees what is still to fill in.
    static func document(_ facts: ExportFacts) -> SAText {
        let advisory = facts.advisory
        var fields = [
            Field(label: "Project", value: facts.project.displayName),
            Field(label: "Project machine name", value: facts.project.packageName),
            Field(label: "Date", value: drupalDate(facts.releaseTime)),
        ]
        for revision in facts.revisions {
            fields.append(Field(label: "Updated", value: "\(drupalDate(revision.at)): \(revision.reason)"))
        }
        fields += [
            Field(label: "Security risk", value: facts.drupalRisk?.display ?? notSet),
        ]
        if let v3 = facts.cvss3 { fields.append(Field(label: "CVSS v\(v3.cvssVersion ?? "3.1")", value: v3.display, drupalField: false)) }
        if let v40 = facts.cvss40 { fields.append(Field(label: "CVSS v4.0", value: v40.display, drupalField: false)) }
        fields += [
            Field(label: "Vulnerability type", value: advisory.vulnerabilityType ?? notSet),
            Field(label: "Affected versions", value: facts.constraint),
            Field(label: "CVE IDs", value: advisory.cveID ?? notSet),
        ]
        var solution: [Block] = [.text("Install the latest version:"), .list(facts.upgradeLines)]
        if let extra = advisory.solution, !extra.isEmpty { solution.append(.text(extra)) }
        func people(_ list: [Person]) -> [Block] { [.list(list.isEmpty ? [notSet] : list.map(\.display))] }
        let sections = [
            Section(heading: "Description", blocks: [.text(advisory.description.flatMap { $0.isEmpty ? nil : $0 } ?? notSet)]),
            Section(heading: "Solution", blocks: solution),
            Section(heading: "Reported by", blocks: people(advisory.reporters)),
            Section(heading: "Fixed by", blocks: people(advisory.fixers)),
            Section(heading: "Coordinated by", blocks: people(advisory.coordinators)),
        ]
        return SAText(draft: facts.draft, title: facts.saTitle(placeholders: true), fields: fields, sections: sections)
    }

    /// drupal.org writes SA dates as `2025-December-03`.
    static func drupalDate(_ time: String) -> String {
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"]
        let parts = time.prefix(10).split(separator: "-")
        guard parts.count == 3, let month = Int(parts[1]), (1...12).contains(month) else { return String(time.prefix(10)) }
        return "\(parts[0])-\(months[month - 1])-\(parts[2])"
    }

    // MARK: Plain text

    func plainText() -> String {
        var out = draft ? "\(AdvisoryExporter.embargoBanner)\n\n" : ""
        out += title + "\n\n"
        for field in fields where field.drupalField {
            out += "\(field.label): \(field.value)\n"
        }
        for section in sections {
            out += "\n\(section.heading):\n" + Self.plainBlocks(section)
        }
        return out
    }

    /// A section's paragraphs and `- ` lists, as plain text and Markdown both write them.
    static func plainBlocks(_ section: Section) -> String {
        section.blocks.map { block in
            switch block {
            case .text(let text): return normalized(text)
            case .list(let items): return items.map { "- \($0)" }.joined(separator: "\n")
            }
        }.joined(separator: "\n\n") + "\n"
    }

    // MARK: Markdown

    func markdown() -> String {
        var out = draft ? "**\(AdvisoryExporter.embargoBanner)**\n\n" : ""
        out += "# \(title)\n\n"
        for field in fields {
            out += "- **\(field.label):** \(field.value)\n"
        }
        for section in sections {
            out += "\n## \(section.heading)\n\n" + Self.plainBlocks(section)
        }
        return out
    }

    // MARK: HTML

    /// A complete document; every piece of advisory text is escaped.
    func html() -> String {
        let e = Self.escape
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        if draft { out += "<meta name=\"robots\" content=\"noindex, nofollow\">\n" }
        out += "<title>\(draft ? "\(AdvisoryExporter.embargoBanner): " : "")\(e(title))</title>\n"
        out += "<style>.embargo{border:3px solid #b00;color:#b00;padding:.5em;font-weight:bold}"
            + "dt{font-weight:bold}</style>\n</head>\n<body>\n"
        if draft { out += "<p class=\"embargo\">\(AdvisoryExporter.embargoBanner)</p>\n" }
        out += "<h1>\(e(title))</h1>\n<dl>\n"
        for field in fields {
            out += "<dt>\(e(field.label))</dt><dd>\(e(field.value))</dd>\n"
        }
        out += "</dl>\n"
        for section in sections {
            out += "<h2>\(e(section.heading))</h2>\n"
            for block in section.blocks {
                switch block {
                case .text(let text):
                    for paragraph in Self.normalized(text).components(separatedBy: "\n\n") where !paragraph.isEmpty {
                        out += "<p>" + paragraph.split(separator: "\n", omittingEmptySubsequences: false)
                            .map { e(String($0)) }.joined(separator: "<br>\n") + "</p>\n"
                    }
                case .list(let items):
                    out += "<ul>\n" + items.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n"
                }
            }
        }
        out += "</body>\n</html>\n"
        return out
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Unix newlines, no trailing blank lines, and runs of blank lines collapsed to one.
    static func normalized(_ text: String) -> String {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
        var out: [String] = []
        for line in lines where !(line.isEmpty && (out.last?.isEmpty ?? true)) {
            out.append(line)
        }
        while out.last?.isEmpty == true { out.removeLast() }
        return out.joined(separator: "\n")
    }
}
