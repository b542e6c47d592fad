import EmbargoStore

/// OSV 1.7.0 (https://ossf.github.io/osv-schema/), shaped like the records of
/// the Drupal advisory database (DrupalSecurityTeam/drupal-advisory-database):
/// one `affected` entry for the Composer package, one ECOSYSTEM range per
/// branch, the drupal.org constraint kept in `database_specific`.
enum OSVExport {
    static let schemaVersion = "1.7.0"
    static let drupalEcosystem = "Packagist:https://packages.drupal.org/8"

    static func render(_ facts: ExportFacts) throws -> String {
        let advisory = facts.advisory
        guard facts.isDrupal else {
            // OSV needs a package ecosystem, and a project records none except through its policy.
            throw EmbargoError(.failure, "project \(facts.project.name) has no OSV ecosystem: OSV export supports Drupal projects",
                               hint: "if it is a Drupal project, run 'embargo project set \(facts.project.name) --policy drupal'")
        }
        var document = JSONObject()
        document["schema_version"] = .string(schemaVersion)
        document["id"] = .string(facts.osvID)
        document["modified"] = .string(facts.updatedAt)
        if let published = facts.publishedAt {
            document["published"] = .string(published)
        }
        let aliases = [advisory.cveID, advisory.ghsaID].compactMap { $0 }.filter { $0 != facts.osvID }
        document["aliases"] = .array(aliases.map(JSONValue.string))
        document.set("summary", advisory.publicTitle)
        document.set("details", advisory.description)

        let severity: [JSONValue] = [
            facts.cvss3.map { ["type": "CVSS_V3", "score": .string($0.vector)] },
            facts.cvss40.map { ["type": "CVSS_V4", "score": .string($0.vector)] },
        ].compactMap { $0 }

        var affected = JSONObject()
        affected["package"] = ["ecosystem": .string(drupalEcosystem), "name": .string(facts.composerPackage)]
        if severity.isEmpty {
            // As the Drupal database writes it; the schema forbids it next to a top-level severity.
            affected["severity"] = []
        } else {
            document["severity"] = .array(severity)
        }
        affected["ranges"] = .array(facts.fixes.map { fix in
            [
                "type": "ECOSYSTEM",
                "events": [["introduced": .string(fix.range.introduced ?? "0")], ["fixed": .string(fix.range.fixed)]],
                "database_specific": ["constraint": .string(fix.range.constraint)],
            ]
        })
        affected["database_specific"] = ["affected_versions": .string(facts.constraint)]
        document["affected"] = [affected.value]

        document["references"] = .array(facts.references.map { ["type": "WEB", "url": .string($0)] })
        document["credits"] = .array(credits(facts))

        var specific = JSONObject()
        specific.set("cwe_ids", advisory.cwes.map { .string("CWE-\($0)") })
        specific.set("security_risk", facts.drupalRisk?.display)
        if !specific.members.isEmpty { document["database_specific"] = specific.value }
        return document.value.rendered()
    }

    /// Sorted by name, as the Drupal database sorts them; one entry per person and role.
    private static func credits(_ facts: ExportFacts) -> [JSONValue] {
        let order = ["FINDER", "REPORTER", "ANALYST", "COORDINATOR", "REMEDIATION_DEVELOPER", "REMEDIATION_REVIEWER",
                     "REMEDIATION_VERIFIER", "TOOL", "SPONSOR", "OTHER"]
        let sorted = facts.credits.sorted {
            ($0.person.name, order.firstIndex(of: $0.type) ?? order.count) < ($1.person.name, order.firstIndex(of: $1.type) ?? order.count)
        }
        return sorted.map { credit in
            var entry = JSONObject()
            entry["name"] = .string(credit.person.name)
            entry.set("contact", credit.person.contact.map { [JSONValue.string($0)] } ?? [])
            entry["type"] = .string(credit.type)
            return entry.value
        }
    }
}
