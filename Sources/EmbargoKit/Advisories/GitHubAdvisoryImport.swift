import EmbargoStore
import Foundation

/// Reads an advisory as GitHub's REST API returns it: a global advisory
/// (`GET /advisories/{ghsa_id}`) or a repository advisory
/// (`GET /repos/{owner}/{repo}/security-advisories/{ghsa_id}`).
///
/// The two differ in a few names, and both are read:
///
/// | fact            | global advisory                         | repository advisory          |
/// |-----------------|-----------------------------------------|------------------------------|
/// | fixed version   | `first_patched_version` (text or object) | `patched_versions`           |
/// | CWE             | `cwes[].cwe_id`                         | `cwe_ids`                    |
/// | credit          | `credits[].user.login`                  | `credits[].login`            |
/// | CVSS            | `cvss_severities.cvss_v3/v4`, `cvss`    | the same                     |
///
/// The record's GHSA id is the imported id, as in GitHub's OSV export, so
/// importing the same advisory in either form is one import.
enum GitHubAdvisoryImport {
    static func parse(_ document: [String: Any]) throws -> OSVImport.Result {
        guard let id = document["ghsa_id"] as? String, id.wholeMatch(of: /GHSA(-[23456789cfghjmpqrvwx]{4}){3}/) != nil else {
            throw EmbargoError(.failure, "the GitHub advisory's \"ghsa_id\" is not a GHSA id",
                               hint: "GHSA ids look like GHSA-9v2f-6vcg-3hgv")
        }
        try OSVImport.checkTimes(document, ["published_at", "updated_at", "withdrawn_at"], format: "GitHub advisory")
        guard let modified = (document["updated_at"] as? String) ?? (document["published_at"] as? String) else {
            throw EmbargoError(.failure, "the GitHub advisory \(id) has no \"updated_at\" time", hint: "is this a GitHub REST advisory?")
        }

        var input = AdvisoryInput()
        let summary = document["summary"] as? String
        let description = document["description"] as? String
        input.privateTitle = summary ?? OSVImport.firstSentence(description) ?? id
        input.publicTitle = summary
        input.description = description
        input.ghsaID = id

        let identifiers = ((document["identifiers"] as? [Any]) ?? []).compactMap { ($0 as? [String: Any])?["value"] as? String }
        input.cveID = ([document["cve_id"] as? String].compactMap { $0 } + identifiers)
            .first { $0.wholeMatch(of: /CVE-[0-9]{4}-[0-9]{4,}/) != nil }

        var references: [String] = []
        for url in [document["html_url"] as? String].compactMap({ $0 }) + OSVImport.strings(document["references"])
        where !references.contains(url) {
            references.append(url)
        }
        input.references = references

        var credits: [String] = []
        for entry in (document["credits"] as? [Any]) ?? [] {
            guard let entry = entry as? [String: Any],
                  let login = ((entry["user"] as? [String: Any])?["login"] as? String) ?? (entry["login"] as? String)
            else {
                throw EmbargoError(.failure, "a credit of the GitHub advisory \(id) has no login")
            }
            let type = (entry["type"] as? String).map { ":" + $0.uppercased() } ?? ""
            credits.append(login + type)
        }
        input.credits = credits

        var vectors: [String] = []
        let severities = document["cvss_severities"] as? [String: Any]
        for entry in [severities?["cvss_v4"], severities?["cvss_v3"], document["cvss"]] {
            if let vector = (entry as? [String: Any])?["vector_string"] as? String, !vectors.contains(vector) {
                vectors.append(vector)
            }
        }
        input.cvssVectors = vectors.isEmpty ? nil : vectors

        let cwes = ((document["cwes"] as? [Any]) ?? []).compactMap { ($0 as? [String: Any])?["cwe_id"] as? String }
            + OSVImport.strings(document["cwe_ids"])
        if !cwes.isEmpty { input.cwes = cwes }

        var ranges: [AffectedRanges.Range] = []
        for vulnerability in (document["vulnerabilities"] as? [Any]) ?? [] {
            guard let vulnerability = vulnerability as? [String: Any] else { continue }
            ranges += try Self.ranges(vulnerability, advisory: id)
        }
        return OSVImport.Result(input: input, osvID: id, published: document["published_at"] as? String,
                                modified: modified, ranges: ranges)
    }

    /// One affected range: introduced from the range's `>=` bound, fixed at the
    /// first patched version, or at its `<` bound when GitHub names none. A
    /// range without a fix (nothing released yet) is not a range to keep.
    static func ranges(_ vulnerability: [String: Any], advisory: String) throws -> [AffectedRanges.Range] {
        let text = (vulnerability["vulnerable_version_range"] as? String) ?? ""
        var introduced: String?
        var below: String?
        for part in text.split(separator: ",") {
            let bound = part.trimmingCharacters(in: .whitespaces)
            guard let match = bound.wholeMatch(of: /(>=|<=|>|<|=)\s*(\S+)/) else {
                throw EmbargoError(.failure, "the GitHub advisory \(advisory) has a vulnerable range '\(text.prefix(80))' embargo cannot read",
                                   hint: "GitHub writes ranges as '>= 1.0.0, < 1.2.3'")
            }
            switch match.1 {
            case ">=": introduced = String(match.2)
            case "<": below = String(match.2)
            default: break
            }
        }
        let patched = (vulnerability["first_patched_version"] as? String)
            ?? ((vulnerability["first_patched_version"] as? [String: Any])?["identifier"] as? String)
            ?? (vulnerability["patched_versions"] as? String)?.split(separator: ",").first
                .map { $0.trimmingCharacters(in: .whitespaces) }
        guard let fixed = patched.flatMap({ $0.isEmpty ? nil : $0 }) ?? below else { return [] }
        return [AffectedRanges.Range(introduced: introduced == "0" ? nil : introduced, fixed: fixed)]
    }
}
