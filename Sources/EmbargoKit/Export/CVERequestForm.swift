import Foundation

/// What a CNA's request form asks for (product, versions, problem type,
/// description, references, credits), as one plain-text document to paste
/// or send. Built from the same facts as the exports.
enum CVERequestForm {
    static func render(_ input: ExportInput) throws -> String {
        let facts = try ExportFacts(input)
        let advisory = facts.advisory
        var out = "CVE request for \(advisory.id)\n\n"
        func field(_ label: String, _ value: String) { out += "\(label): \(value)\n" }
        field("Vendor / project", facts.project.name)
        field("Product", facts.isDrupal ? facts.composerPackage : facts.project.packageName)
        field("Affected versions", facts.constraint)
        field("Fixed versions", facts.fixes.map(\.release).joined(separator: ", "))
        let cwes = advisory.cwes.map { "CWE-\($0)" }.joined(separator: ", ")
        field("Problem type", [advisory.vulnerabilityType, cwes.isEmpty ? nil : cwes].compactMap { $0 }.joined(separator: " (") + (cwes.isEmpty || advisory.vulnerabilityType == nil ? "" : ")"))
        if let v3 = facts.cvss3 { field("CVSS v\(v3.cvssVersion ?? "3.1")", v3.display) }
        if let v40 = facts.cvss40 { field("CVSS v4.0", v40.display) }
        if let risk = facts.drupalRisk { field("Drupal security risk", risk.display) }
        field("Public disclosure", facts.disclosureAt ?? "not scheduled")
        out += "\nDescription:\n\(advisory.description.flatMap { $0.isEmpty ? nil : $0 } ?? SAText.notSet)\n"
        out += "\nReferences:\n" + (facts.references.isEmpty ? "- \(SAText.notSet)\n" : facts.references.map { "- \($0)\n" }.joined())
        out += "\nCredits:\n" + (facts.credits.isEmpty ? "- \(SAText.notSet)\n"
            : facts.credits.map { "- \($0.person.name) (\($0.type.lowercased().replacingOccurrences(of: "_", with: " ")))\n" }.joined())
        return out
    }
}
