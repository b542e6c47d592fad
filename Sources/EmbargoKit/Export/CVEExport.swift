import EmbargoCrypto
import EmbargoStore

/// A CVE JSON 5.1 record (https://github.com/CVEProject/cve-schema), ready
/// for a CNA to submit: the CNA container, with the CVE id the advisory holds.
enum CVEExport {
    static func render(_ facts: ExportFacts) throws -> String {
        let advisory = facts.advisory
        let id = advisory.id
        guard let cveID = advisory.cveID else {
            throw EmbargoError(.failure, "advisory \(id) has no CVE id",
                               hint: "set one with 'embargo advisory edit \(id) --cve-id CVE-YYYY-NNNN'")
        }
        guard let description = advisory.description, !description.isEmpty else {
            throw EmbargoError(.failure, "advisory \(id) has no description, which a CVE record requires",
                               hint: "set one with 'embargo advisory edit \(id) --description TEXT'")
        }
        // The schema's limits; cutting the text would publish a different description.
        guard description.count <= 4096 else {
            throw EmbargoError(.failure, "the description of advisory \(id) is longer than the 4096 characters a CVE record allows",
                               hint: "shorten it, and link the full text with --reference URL")
        }
        guard !facts.references.isEmpty else {
            throw EmbargoError(.failure, "advisory \(id) has no public reference, which a CVE record requires",
                               hint: "set its SA id with --sa-id or add a reference with --reference URL")
        }
        let orgID = placeholderOrgID(facts.project.name)

        var cna = JSONObject()
        cna["providerMetadata"] = ["orgId": .string(orgID)]
        let title = facts.summary
        if title.count <= 256 { cna["title"] = .string(title) }
        cna["descriptions"] = [["lang": "en", "value": .string(description)]]
        if advisory.status == .published, let disclosure = facts.disclosureAt {
            cna["datePublic"] = .string(disclosure)
        }

        var product = JSONObject()
        product["vendor"] = .string(facts.project.name)
        product["product"] = .string(facts.project.packageName)
        if facts.isDrupal {
            // Names the exact Composer package, so tools can match it like OSV's.
            product["collectionURL"] = "https://packages.drupal.org/8"
            product["packageName"] = .string(facts.composerPackage)
        }
        product["versions"] = .array(facts.fixes.map { fix in
            [
                "version": .string(fix.range.introduced ?? "0"),
                "lessThan": .string(fix.range.fixed),
                "status": "affected",
                "versionType": "semver",
            ]
        })
        product["defaultStatus"] = "unaffected"
        cna["affected"] = [product.value]

        if !advisory.cwes.isEmpty {
            cna["problemTypes"] = .array(advisory.cwes.map { cwe in
                ["descriptions": [[
                    "lang": "en", "type": "CWE", "cweId": .string("CWE-\(cwe)"),
                    "description": .string("CWE-\(cwe) \(CWENames.name(cwe))"),
                ]]]
            })
        } else if let type = advisory.vulnerabilityType {
            cna["problemTypes"] = [["descriptions": [["lang": "en", "type": "text", "description": .string(type)]]]]
        }

        var metrics: [JSONValue] = []
        if let v40 = facts.cvss40 {
            metrics.append(["cvssV4_0": try cvss(v40, version: "4.0")])
        }
        if let v3 = facts.cvss3 {
            // CVE JSON 5 names the metric after its version: cvssV3_1 or cvssV3_0.
            let version = v3.cvssVersion ?? "3.1"
            metrics.append(.object(["cvssV" + version.replacingOccurrences(of: ".", with: "_"): try cvss(v3, version: version)]))
        }
        if let risk = facts.drupalRisk {
            metrics.append(["other": [
                "type": "Drupal security risk",
                "content": [
                    "level": .string(risk.rating), "score": .string(risk.score), "vector": .string(risk.vector),
                    "display": .string(risk.display),
                ],
            ]])
        }
        if !metrics.isEmpty { cna["metrics"] = .array(metrics) }

        cna["solutions"] = [["lang": "en", "value": .string(solutionText(facts))]]
        cna["references"] = .array(facts.references.map { url in
            url == facts.saURL ? ["url": .string(url), "tags": ["vendor-advisory"]] : ["url": .string(url)]
        })
        let credits = facts.credits.map { credit -> JSONValue in
            ["lang": "en", "value": .string(credit.person.name),
             "type": .string(credit.type.lowercased().replacingOccurrences(of: "_", with: " "))]
        }
        // The schema wants unique items; a name listed twice in one role is said once.
        var unique: [JSONValue] = []
        for credit in credits where !unique.contains(credit) { unique.append(credit) }
        if !unique.isEmpty { cna["credits"] = .array(unique) }

        var metadata = JSONObject()
        metadata["cveId"] = .string(cveID)
        metadata["assignerOrgId"] = .string(orgID)
        metadata["state"] = "PUBLISHED"
        if let updated = facts.revisions.last { metadata["dateUpdated"] = .string(updated.at) }
        let record: JSONValue = [
            "dataType": "CVE_RECORD",
            "dataVersion": "5.1",
            "cveMetadata": metadata.value,
            "containers": ["cna": cna.value],
        ]
        return record.rendered()
    }

    private static func cvss(_ view: SeverityView, version: String) throws -> JSONValue {
        [
            "version": .string(version),
            "vectorString": .string(view.vector),
            "baseScore": .number(try ExportFacts.score(view)),
            "baseSeverity": .string(view.rating.uppercased()),
        ]
    }

    private static func solutionText(_ facts: ExportFacts) -> String {
        var text = "Install the latest version:\n" + facts.upgradeLines.map { "- \($0)" }.joined(separator: "\n")
        if let extra = facts.advisory.solution, !extra.isEmpty { text += "\n\n" + extra }
        return text
    }

    /// A stand-in for the CNA's organisation UUID, which CVE Services assigns and
    /// the CNA replaces before submitting. It is derived from the project name,
    /// so exports are reproducible, and shaped as a version 4 UUID, which is
    /// what the schema's pattern accepts.
    static func placeholderOrgID(_ project: String) -> String {
        var bytes = Array(Digest.sha256(Array("embargo placeholder CNA org id\u{0}\(project)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
