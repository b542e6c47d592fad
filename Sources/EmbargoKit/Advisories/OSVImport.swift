import EmbargoStore
import Foundation

/// Reads an OSV JSON document (for example a GitHub advisory export or a
/// Drupal advisory database record) into advisory fields.
public enum OSVImport {
    public struct Result: Sendable {
        public var input: AdvisoryInput
        public var osvID: String
        public var published: String?
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
        _ = modified
        for field in ["modified", "published", "withdrawn"] {
            guard let value = document[field], !(value is NSNull) else { continue }
            guard let text = value as? String, text.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z/) != nil,
                  Timestamp.parse(text.replacingOccurrences(of: #"\.[0-9]+Z$"#, with: "Z", options: .regularExpression)) != nil
            else {
                throw EmbargoError(.failure, "the OSV \"\(field)\" time '\((value as? String ?? "\(value)").prefix(40))' is not an RFC 3339 UTC time",
                                   hint: "OSV times look like 2025-12-03T16:00:00Z")
            }
        }
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
            let supported = (type == "CVSS_V3" && score.hasPrefix("CVSS:3.1/")) || type == "CVSS_V4"
            if supported, !vectors.contains(score) {
                vectors.append(score)
            }
        }
        input.cvssVectors = vectors.isEmpty ? nil : vectors

        if let specific = document["database_specific"] as? [String: Any] {
            let cwes = strings(specific["cwe_ids"])
            if !cwes.isEmpty { input.cwes = cwes }
        }
        return Result(input: input, osvID: id, published: document["published"] as? String)
    }

    private static func strings(_ value: Any?) -> [String] {
        (value as? [Any])?.compactMap { $0 as? String } ?? []
    }

    private static func firstSentence(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        let sentence = line.split(separator: ".", maxSplits: 1).first.map(String.init) ?? line
        return String(sentence.prefix(120))
    }
}

extension Workspace {
    /// Creates a draft advisory from an OSV document.
    public func importAdvisory(project: String, osv data: [UInt8]) throws -> Advisory {
        let parsed = try OSVImport.parse(data)
        let advisory = try createAdvisory(project: project, input: parsed.input)
        try audited("advisory.import", advisory.id, detail: parsed.osvID) { db in
            try Self.record(db, advisory.id, at: now, actor: member.name, kind: "imported",
                            summary: "imported from OSV record \(parsed.osvID)")
        }
        return advisory
    }
}
