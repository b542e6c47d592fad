import EmbargoStore
import GRDB
import Foundation

/// Reads an OSV JSON document (a Drupal advisory database record, a GHSA
/// record in OSV form) or a GitHub REST advisory (see `GitHubAdvisoryImport`)
/// into advisory fields.
public enum OSVImport {
    public struct Result: Sendable {
        public var input: AdvisoryInput
        public var osvID: String
        public var published: String?
        public var modified: String
        /// The ECOSYSTEM and SEMVER ranges of every affected package, as
        /// given: `introduced` ("0" is nil, from the start) and `fixed`.
        public var ranges: [AffectedRanges.Range]
    }

    public static func parse(_ data: [UInt8]) throws -> Result {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(data))
        } catch {
            throw EmbargoError(.failure, "the file is not JSON", hint: "pass an OSV document (https://ossf.github.io/osv-schema/)")
        }
        guard let document = object as? [String: Any] else {
            throw EmbargoError(.failure, "the OSV document is not a JSON object")
        }
        if document["id"] == nil, document["ghsa_id"] != nil {
            return try GitHubAdvisoryImport.parse(document)
        }
        guard let id = document["id"] as? String, !id.isEmpty else {
            throw EmbargoError(.failure, "the OSV document has no \"id\"")
        }
        // What cannot be kept as given is refused, never dropped or changed.
        guard id.count <= 100, id.wholeMatch(of: /x_[A-Za-z0-9._:-]+|[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9._:]+)+/) != nil else {
            throw EmbargoError(.failure, "the OSV id '\(id.prefix(100))' is not an OSV id", hint: "OSV ids look like DRUPAL-CONTRIB-2025-119 or GHSA-xxxx-xxxx-xxxx")
        }
        guard let modified = document["modified"] as? String else {
            throw EmbargoError(.failure, "the OSV document has no \"modified\" time", hint: "is this an OSV record?")
        }
        try checkTimes(document, ["modified", "published", "withdrawn"], format: "OSV")
        var input = AdvisoryInput()
        let summary = document["summary"] as? String
        let details = document["details"] as? String
        input.privateTitle = summary ?? firstSentence(details) ?? id
        input.publicTitle = summary
        input.description = details

        let aliases = strings(document["aliases"])
        let ids = [id] + aliases
        input.cveID = ids.first { $0.range(of: #"^CVE-[0-9]{4}-[0-9]{4,}$"#, options: .regularExpression) != nil }
        input.ghsaID = ids.first { $0.hasPrefix("GHSA-") }
        if let drupal = ids.first(where: { $0.hasPrefix("DRUPAL-CONTRIB-") || $0.hasPrefix("DRUPAL-CORE-") }) {
            input.saID = "SA-" + drupal.dropFirst("DRUPAL-".count)
        }

        var references = [String]()
        for entry in (document["references"] as? [Any]) ?? [] {
            guard let entry = entry as? [String: Any], let url = entry["url"] as? String else {
                throw EmbargoError(.failure, "an OSV reference has no \"url\"")
            }
            references.append(url)
        }
        input.references = references

        var credits = [String]()
        for entry in (document["credits"] as? [Any]) ?? [] {
            guard let entry = entry as? [String: Any], let name = entry["name"] as? String else {
                throw EmbargoError(.failure, "an OSV credit has no \"name\"")
            }
            let contact = strings(entry["contact"]).first.map { " <\($0)>" } ?? ""
            let type = (entry["type"] as? String).map { ":\($0)" } ?? ""
            credits.append("\(name)\(contact)\(type)")
        }
        input.credits = credits

        var vectors = [String]()
        var severities = (document["severity"] as? [Any]) ?? []
        for affected in (document["affected"] as? [Any]) ?? [] {
            severities += ((affected as? [String: Any])?["severity"] as? [Any]) ?? []
        }
        for entry in severities {
            guard let entry = entry as? [String: Any], let type = entry["type"] as? String, let score = entry["score"] as? String else {
                throw EmbargoError(.failure, "an OSV severity entry lacks \"type\" or \"score\"")
            }
            let supported = (type == "CVSS_V3" && (score.hasPrefix(CVSS3.prefix) || score.hasPrefix(CVSS3.prefix30))) || type == "CVSS_V4"
            if supported, !vectors.contains(score) {
                vectors.append(score)
            }
        }
        input.cvssVectors = vectors.isEmpty ? nil : vectors

        if let specific = document["database_specific"] as? [String: Any] {
            let cwes = strings(specific["cwe_ids"])
            if !cwes.isEmpty { input.cwes = cwes }
        }
        var ranges: [AffectedRanges.Range] = []
        for affected in (document["affected"] as? [Any]) ?? [] {
            for range in ((affected as? [String: Any])?["ranges"] as? [Any]) ?? [] {
                guard let range = range as? [String: Any], ["ECOSYSTEM", "SEMVER"].contains(range["type"] as? String ?? "") else { continue }
                // Events come in order: each "fixed" closes the range the last "introduced" opened.
                var introduced: String?
                for event in (range["events"] as? [Any]) ?? [] {
                    guard let event = event as? [String: Any] else { continue }
                    if let value = event["introduced"] as? String { introduced = value == "0" ? nil : value }
                    if let value = event["fixed"] as? String {
                        ranges.append(AffectedRanges.Range(introduced: introduced, fixed: value))
                        introduced = nil
                    }
                }
            }
        }
        return Result(input: input, osvID: id, published: document["published"] as? String, modified: modified, ranges: ranges)
    }

    /// Refuses a time that is not RFC 3339 UTC, as OSV and GitHub write them.
    static func checkTimes(_ document: [String: Any], _ fields: [String], format: String) throws {
        for field in fields {
            guard let value = document[field], !(value is NSNull) else { continue }
            guard let text = value as? String, text.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z/) != nil,
                  Timestamp.parse(text.replacingOccurrences(of: #"\.[0-9]+Z$"#, with: "Z", options: .regularExpression)) != nil
            else {
                throw EmbargoError(.failure, "the \(format) \"\(field)\" time '\((value as? String ?? "\(value)").prefix(40))' is not an RFC 3339 UTC time",
                                   hint: "\(format) times look like 2025-12-03T16:00:00Z")
            }
        }
    }

    static func strings(_ value: Any?) -> [String] {
        (value as? [Any])?.compactMap { $0 as? String } ?? []
    }

    static func firstSentence(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        let sentence = line.split(separator: ".", maxSplits: 1).first.map(String.init) ?? line
        return String(sentence.prefix(120))
    }
}

extension Workspace {
    /// Creates a draft advisory from an OSV document, keeping its id, times
    /// and affected ranges as given. A second import of the same record is
    /// refused unless `update`, which brings the advisory up to the record.
    public func importAdvisory(project: String, osv data: [UInt8], update: Bool = false) throws -> Advisory {
        let parsed = try OSVImport.parse(data)
        let existing = try store.read { db in
            try String.fetchOne(db, sql: "SELECT advisory FROM imported_osv WHERE osv_id = ?", arguments: [parsed.osvID])
        }
        let advisory: Advisory
        if let existing {
            guard update else {
                throw EmbargoError(.refused, "\(parsed.osvID) was imported already, as \(existing)",
                                   hint: "pass --update to bring \(existing) up to this record")
            }
            var input = parsed.input
            input.privateTitle = nil
            let current = try self.advisory(existing)
            do {
                advisory = try editAdvisory(existing, input: input, reason: current.status == .published ? "updated from \(parsed.osvID) of \(parsed.modified)" : nil)
            } catch let error as EmbargoError where error.kind == .usage && error.message.contains("nothing") {
                advisory = current
            }
        } else {
            advisory = try createAdvisory(project: project, input: parsed.input)
        }
        try audited("advisory.import", advisory.id, detail: parsed.osvID) { db in
            try db.execute(sql: """
                INSERT INTO imported_osv (advisory, osv_id, published, modified) VALUES (?, ?, ?, ?)
                ON CONFLICT (advisory) DO UPDATE SET osv_id = excluded.osv_id, published = excluded.published, modified = excluded.modified
                """, arguments: [advisory.id, parsed.osvID, parsed.published, parsed.modified])
            try db.execute(sql: "DELETE FROM imported_ranges WHERE advisory = ?", arguments: [advisory.id])
            for (position, range) in parsed.ranges.enumerated() {
                try db.execute(sql: "INSERT INTO imported_ranges (advisory, position, introduced, fixed) VALUES (?, ?, ?, ?)",
                               arguments: [advisory.id, position, range.introduced, range.fixed])
            }
            try Self.record(db, advisory.id, at: now, actor: member.name, kind: "imported",
                            summary: (existing == nil ? "imported from" : "updated from") + " OSV record \(parsed.osvID)")
        }
        return advisory
    }

    /// The affected ranges an import kept, oldest first; empty for an advisory made here.
    func importedRanges(_ id: String) throws -> [AffectedRanges.Range] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT introduced, fixed FROM imported_ranges WHERE advisory = ? ORDER BY position", arguments: [id])
                .map { AffectedRanges.Range(introduced: $0["introduced"], fixed: $0["fixed"]) }
        }
    }

    /// The publication time an imported record gave, if any.
    func importedPublished(_ id: String) throws -> String? {
        try store.read { db in try String.fetchOne(db, sql: "SELECT published FROM imported_osv WHERE advisory = ?", arguments: [id]) }
    }
}
