import EmbargoStore
import Foundation

/// A CSAF 2.0 security advisory (profile `csaf_security_advisory`,
/// https://docs.oasis-open.org/csaf/csaf/v2.0/os/csaf-v2.0-os.html).
///
/// Besides the JSON schema, the profile requires a product tree and, for each
/// vulnerability, notes and a product status (mandatory tests 6.1.27.4-6 and
/// 6.1.27.11). Each affected branch is a `product_version_range` product with a
/// `vers:composer/...` range; each fixed release a `product_version` product.
/// CSAF 2.0 has no slot for CVSS 4.0: its vector goes into a note.
enum CSAFExport {
    static func render(_ facts: ExportFacts) throws -> String {
        let advisory = facts.advisory
        var document = JSONObject()
        document["category"] = "csaf_security_advisory"
        document["csaf_version"] = "2.0"
        document["lang"] = "en"
        document["title"] = .string(facts.summary)
        document["publisher"] = [
            "category": "vendor", "name": .string(facts.project.name), "namespace": .string(try namespace(facts)),
        ]
        // TLP 1.0, the version CSAF 2.0 knows: an embargoed draft goes to named
        // recipients only. Same keys either way, so drafts keep the final shape.
        document["distribution"] = ["tlp": ["label": .string(facts.draft ? "RED" : "WHITE"), "url": "https://www.first.org/tlp/"]]
        if let risk = facts.drupalRisk {
            document["aggregate_severity"] = [
                "namespace": "https://www.drupal.org/drupal-security-team/security-risk-levels-defined",
                "text": .string(risk.rating),
            ]
        }
        var notes: [JSONValue] = [["category": "summary", "title": "Summary", "text": .string(facts.summary)]]
        if let description = advisory.description, !description.isEmpty {
            notes.append(["category": "description", "title": "Description", "text": .string(description)])
        }
        document["notes"] = .array(notes)
        document.set("references", facts.references.map { url in
            ["category": "external", "summary": .string(url == facts.saURL ? "Drupal security advisory \(advisory.saID ?? "")" : "Reference"),
             "url": .string(url)]
        })
        let release = facts.releaseTime
        document["tracking"] = [
            "id": .string(advisory.saID ?? advisory.id),
            "status": .string(facts.draft ? "draft" : "final"),
            "version": .string(String(1 + facts.revisions.count)),
            "revision_history": .array([["date": .string(release), "number": "1", "summary": "Initial version."]]
                + facts.revisions.map { ["date": .string($0.at), "number": .string(String($0.number)), "summary": .string($0.reason)] }),
            "initial_release_date": .string(release),
            "current_release_date": .string(facts.revisions.last?.at ?? release),
            "generator": ["date": .string(facts.generatedAt), "engine": ["name": "embargo"]],
        ]

        let package = facts.project.packageName
        func affectedID(_ fix: ExportFacts.BranchFix) -> String { "\(package)-\(fix.branch)-affected" }
        func fixedID(_ fix: ExportFacts.BranchFix) -> String { "\(package)-\(fix.release)" }

        var versions: [JSONValue] = facts.fixes.map { fix in
            [
                "category": "product_version_range",
                "name": .string(vers(fix.range)),
                "product": ["name": .string("\(package) \(fix.range.constraint)"), "product_id": .string(affectedID(fix))],
            ]
        }
        versions += facts.fixes.map { fix in
            var product = JSONObject()
            product["name"] = .string("\(package) \(fix.release)")
            product["product_id"] = .string(fixedID(fix))
            if facts.isDrupal {
                product["product_identification_helper"] = ["purl": .string("pkg:composer/\(facts.composerPackage)@\(fix.range.fixed)")]
            }
            return ["category": "product_version", "name": .string(fix.range.fixed), "product": product.value]
        }
        let productTree: JSONValue = ["branches": [[
            "category": "vendor", "name": .string(facts.project.name),
            "branches": [["category": "product_name", "name": .string(package), "branches": .array(versions)]],
        ]]]

        var vulnerability = JSONObject()
        vulnerability["title"] = .string(advisory.vulnerabilityType ?? facts.summary)
        vulnerability.set("cve", advisory.cveID)
        if let cwe = advisory.cwes.first {
            // CSAF 2.0 holds one CWE per vulnerability: the first is the main one.
            vulnerability["cwe"] = ["id": .string("CWE-\(cwe)"), "name": .string(CWENames.name(cwe))]
        }
        var ids: [JSONValue] = []
        if let sa = advisory.saID { ids.append(["system_name": "Drupal security advisory", "text": .string(sa)]) }
        if let ghsa = advisory.ghsaID { ids.append(["system_name": "GitHub Security Advisory", "text": .string(ghsa)]) }
        vulnerability.set("ids", ids)
        var vulnerabilityNotes: [JSONValue] = [[
            "category": "description", "title": "Description",
            "text": .string(advisory.description.flatMap { $0.isEmpty ? nil : $0 } ?? facts.summary),
        ]]
        if let risk = facts.drupalRisk {
            vulnerabilityNotes.append(["category": "other", "title": "Drupal security risk", "text": .string(risk.display)])
        }
        if let v40 = facts.cvss40 {
            vulnerabilityNotes.append(["category": "other", "title": "CVSS v4.0", "text": .string(v40.display)])
        }
        vulnerability["notes"] = .array(vulnerabilityNotes)
        vulnerability["product_status"] = [
            "known_affected": .array(facts.fixes.map { .string(affectedID($0)) }),
            "fixed": .array(facts.fixes.map { .string(fixedID($0)) }),
        ]
        vulnerability["remediations"] = .array(facts.fixes.map { fix in
            [
                "category": "vendor_fix",
                "details": .string("Upgrade to \(package) \(fix.release) or later on the \(fix.branch) branch."),
                "product_ids": [.string(affectedID(fix))],
            ]
        })
        if let v3 = facts.cvss3 {
            vulnerability["scores"] = [[
                "cvss_v3": [
                    "version": .string(v3.cvssVersion ?? "3.1"), "vectorString": .string(v3.vector),
                    "baseScore": .number(try ExportFacts.score(v3)), "baseSeverity": .string(v3.rating.uppercased()),
                ],
                "products": .array(facts.fixes.map { .string(affectedID($0)) }),
            ]]
        }
        vulnerability.set("acknowledgments", acknowledgments(facts))
        if advisory.status == .published, let disclosure = facts.disclosureAt {
            vulnerability["release_date"] = .string(disclosure)
        }

        let csaf: JSONValue = [
            "document": document.value,
            "product_tree": productTree,
            "vulnerabilities": [vulnerability.value],
        ]
        return csaf.rendered()
    }

    /// `vers:composer/<1.0.7` or `vers:composer/>=1.1.0|<1.1.7` (the vers
    /// specification separates constraints with `|`, lowest version first).
    static func vers(_ range: AffectedRanges.Range) -> String {
        "vers:composer/" + (range.introduced.map { ">=\($0)|" } ?? "") + "<\(range.fixed)"
    }

    /// The publisher's namespace: drupal.org for Drupal projects, else the
    /// origin of the first https reference.
    private static func namespace(_ facts: ExportFacts) throws -> String {
        if facts.isDrupal { return "https://www.drupal.org" }
        for reference in facts.references {
            if let url = URL(string: reference), url.scheme?.lowercased() == "https", let host = url.host {
                return "https://\(host)"
            }
        }
        throw EmbargoError(.failure, "CSAF needs a publisher namespace URL and project \(facts.project.name) has none",
                           hint: "add an https reference with 'embargo advisory edit \(facts.advisory.id) --reference URL'")
    }

    private static func acknowledgments(_ facts: ExportFacts) -> [JSONValue] {
        let groups: [([Person], String)] = [
            (facts.advisory.reporters, "reported the vulnerability"),
            (facts.advisory.fixers, "fixed the vulnerability"),
            (facts.advisory.coordinators, "coordinated the disclosure"),
        ]
        return groups.compactMap { people, summary in
            var names: [String] = []
            for person in people where !names.contains(person.name) { names.append(person.name) }
            return names.isEmpty ? nil : ["names": .array(names.map(JSONValue.string)), "summary": .string(summary)]
        }
    }
}
