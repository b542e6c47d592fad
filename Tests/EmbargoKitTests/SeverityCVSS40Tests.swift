import EmbargoSeverity
import EmbargoErrors
import Testing

@Suite("severity: CVSS 4.0")
struct SeverityCVSS40Tests {
    /// Compares every row of a fixture file with our score, rating and
    /// macrovector; returns the rows, for further checks.
    func check(_ file: String) throws -> [[String: String]] {
        let rows = try SeverityFixtures.rows(file, columns: ["vector", "score", "rating", "macrovector"])
        var mismatches: [String] = []
        for row in rows {
            let cvss = try CVSS40(parsing: row["vector"]!)
            let ours = ["score": cvss.score.description, "rating": cvss.rating.rawValue,
                        "macrovector": cvss.macroVector]
            for (column, value) in ours where value != row[column] {
                mismatches.append("\(row["vector"]!) \(column): ours \(value), reference \(row[column]!)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(10))")
        print("\(file): \(rows.count) vectors checked against the reference, \(mismatches.count) mismatches")
        return rows
    }

    @Test func everyMacroVectorMatchesTheReference() throws {
        let rows = try check("cvss40-macrovectors.tsv")
        // 3 EQ1 × 2 EQ2 × 5 EQ3+EQ6 × 3 EQ4 × 3 EQ5 levels.
        #expect(Set(rows.map { $0["macrovector"]! }).count == 270)
    }

    @Test func baseVectorsMatchTheReference() throws {
        #expect(try check("cvss40-base.tsv").count > 5000)
    }

    @Test func threatEnvironmentalAndSupplementalVectorsMatchTheReference() throws {
        #expect(try check("cvss40-extended.tsv").count == 1000)
    }

    @Test(arguments: [
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", "10.0", SeverityRating.critical),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", "0.0", .none),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "9.3", .critical),
        // From FIRST's calculator validation set (FIRSTdotorg/cvss-resources,
        // vectorFiles/reference-scores): highest severity vectors of macrovectors.
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:A/CR:H/IR:H/AR:H/MSI:S/MSA:S", "10.0", .critical),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P/CR:H/IR:H/AR:H/MSI:S/MSA:S", "9.8", .critical),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:L/SI:L/SA:L/E:U/CR:H/IR:H/AR:H", "8.1", .high),
        ("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P/CR:H/IR:H/AR:H", "9.0", .critical),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:L/VA:H/SC:L/SI:L/SA:L/E:U/CR:M/IR:H/AR:M", "4.8", .medium),
        ("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:H/SC:L/SI:L/SA:L/E:U/CR:M/IR:H/AR:M", "3.0", .low),
        ("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:L/VI:L/VA:L/SC:L/SI:L/SA:L/E:U/CR:H/IR:H/AR:H", "1.7", .low),
        ("CVSS:4.0/AV:A/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U/CR:H/IR:H/AR:H", "6.1", .medium),
        ("CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U/CR:M/IR:M/AR:M", "6.4", .medium),
        ("CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P/CR:H/IR:H/AR:H/MSI:S/MSA:S", "9.4", .critical),
        ("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:L/VI:H/VA:H/SC:H/SI:H/SA:H/E:U/CR:H/IR:H/AR:H/MSI:S/MSA:S", "8.5", .high),
        // Exact x.x5 ties that plain floating point rounds down (reported in
        // RedHatProductSecurity/cvss-v4-calculator issues #48 and #66).
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H", "8.6", .high),
        ("CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/E:U", "0.4", .low),
        ("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:N/SC:H/SI:H/SA:H/E:P", "9.0", .critical),
    ])
    func documentedVectors(vector: String, score: String, rating: SeverityRating) throws {
        let cvss = try CVSS40(parsing: vector)
        #expect(cvss.score.description == score)
        #expect(cvss.rating == rating)
    }

    /// The valid examples of the specification's section 7 (Vector String).
    @Test(arguments: [
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N", "CVSS-B", "5.1"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/E:A", "CVSS-BT", "5.1"),
        ("CVSS:4.0/AV:A/AC:H/AT:P/PR:L/UI:P/VC:H/VI:H/VA:H/SC:L/SI:L/SA:L/E:P", "CVSS-BT", "4.5"),
        ("CVSS:4.0/AV:L/AC:H/AT:N/PR:N/UI:A/VC:N/VI:N/VA:L/SC:H/SI:H/SA:H/CR:H/IR:H/AR:M/MAV:N/MAC:L/MAT:P/MPR:L/MUI:A/MVC:N/MVI:H/MVA:L/MSC:L/MSI:S/MSA:H",
         "CVSS-BE", "8.5"),
        ("CVSS:4.0/AV:P/AC:H/AT:P/PR:L/UI:P/VC:H/VI:H/VA:H/SC:L/SI:L/SA:L/E:A/S:P/AU:Y/R:A/V:D/RE:L/U:Red",
         "CVSS-BT", "5.4"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/E:U/CR:L/IR:X/AR:L/MAV:A/MAC:H/MAT:N/MPR:N/MUI:P/MVC:X/MVI:N/MVA:H/MSC:N/MSI:L/MSA:S/S:N/AU:N/R:I/V:C/RE:H/U:Green",
         "CVSS-BTE", "4.2"),
    ])
    func specificationExamples(vector: String, nomenclature: String, score: String) throws {
        let cvss = try CVSS40(parsing: vector)
        #expect(cvss.nomenclature == nomenclature)
        #expect(cvss.score.description == score)
    }

    @Test func notDefinedMeansTheSameAsOmitted() throws {
        let omitted = try CVSS40(parsing: "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:L/VA:N/SC:N/SI:N/SA:N")
        let explicit = try CVSS40(parsing:
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:L/VA:N/SC:N/SI:N/SA:N/E:X/CR:X/MAV:X/MSI:X/U:X")
        #expect(explicit.score == omitted.score)
        #expect(explicit.macroVector == omitted.macroVector)
        #expect(explicit.nomenclature == "CVSS-B")
        #expect(explicit.normalizedVector == omitted.vector)
        // E left out scores as the worst case, E:A; E:U lowers the score.
        let attacked = try CVSS40(parsing: omitted.vector + "/E:A")
        let unreported = try CVSS40(parsing: omitted.vector + "/E:U")
        #expect(attacked.score == omitted.score)
        #expect(unreported.score < omitted.score)
    }

    /// The invalid examples of the specification's section 7, and more.
    @Test(arguments: [
        ("CVSS:4.0/AV:F/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N",
         "unknown value 'F' for metric AV", "AV takes N, A, L or P"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/E:A/E:X",
         "metric E given twice", nil),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/ui:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N",
         "unknown metric 'ui'", "metric names are case-sensitive"),
        ("AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N",
         "missing prefix CVSS:4.0/", nil),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/SC:N/SI:N/SA:N",
         "missing base metric VA", "every CVSS vector has AV, AC, AT, PR, UI, VC, VI, VA, SC, SI and SA"),
        ("CVSS:4.0/AC:L/AV:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/CR:L/IR:X/AR:L/RE:H/MAV:A/MAC:H/MAT:N/MPR:N/MUI:P/AT:N/MVC:X/MVI:N/MVA:H/MSC:N/MSI:L/MSA:S/E:U/S:N/AU:N/R:I/V:C/U:Green",
         "metrics out of order: AV must come before AC", "the order is AV, AC, AT, PR, UI"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/CR:H/E:A",
         "metrics out of order: E must come before CR", nil),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N",
         "unknown value 'S' for metric SI", "SI takes H, L or N"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:red",
         "unknown value 'red' for metric U", "U takes X, Clear, Green, Amber or Red"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:U",
         "unknown value 'U' for metric S", nil),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/C:H/I:H/A:H",
         "unknown metric 'C'", nil),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
         "expected a CVSS 4.0 vector, found CVSS:3.1", nil),
    ] as [(String, String, String?)])
    func invalidVectorsNameTheMetric(vector: String, message: String, hint: String?) {
        let error = severityUsageError(vector) { _ = try CVSS40(parsing: $0) }
        #expect(error?.message == "invalid CVSS vector: \(message)")
        if let hint {
            #expect(error?.hint?.hasPrefix(hint) == true, "hint: \(error?.hint ?? "none")")
        }
    }
}
