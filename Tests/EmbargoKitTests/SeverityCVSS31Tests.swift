@testable import EmbargoSeverity
import EmbargoErrors
import Foundation
import Testing

@Suite("severity: CVSS 3.1")
struct SeverityCVSS31Tests {
    static let columns = ["vector", "base", "base_rating", "impact", "exploitability",
                          "temporal", "temporal_rating", "environmental", "environmental_rating"]

    /// Compares every row of a fixture file with our scores; returns the number of rows.
    func check(_ file: String) throws -> Int {
        let rows = try SeverityFixtures.rows(file, columns: Self.columns)
        var mismatches: [String] = []
        for row in rows {
            let vector = row["vector"]!
            let cvss = try CVSS3(parsing: vector)
            let mentions = { (names: [String]) in names.contains { cvss.metrics[$0] != nil } }
            var ours = [
                "base": cvss.baseScore.description, "base_rating": cvss.baseRating.rawValue,
                "impact": String(format: "%.6f", cvss.impact),
                "exploitability": String(format: "%.6f", cvss.exploitability),
            ]
            // The reference always computes all three scores; we report a group's
            // score only when the vector states one of its metrics.
            if mentions(CVSS3.temporal) {
                ours["temporal"] = cvss.temporalScore?.description ?? "none"
                ours["temporal_rating"] = cvss.temporalRating?.rawValue ?? "none"
            } else {
                #expect(cvss.temporalScore == nil, "\(vector)")
            }
            if mentions(CVSS3.environmental) {
                ours["environmental"] = cvss.environmentalScore?.description ?? "none"
                ours["environmental_rating"] = cvss.environmentalRating?.rawValue ?? "none"
            } else {
                #expect(cvss.environmentalScore == nil, "\(vector)")
            }
            for (column, value) in ours where value != row[column] {
                // Sub-scores are unrounded; allow for the last printed digit.
                if column == "impact" || column == "exploitability",
                   let a = Double(value), let b = Double(row[column]!), abs(a - b) <= 1.5e-6 {
                    continue
                }
                mismatches.append("\(vector) \(column): ours \(value), reference \(row[column]!)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(10))")
        print("\(file): \(rows.count) vectors checked against the reference, \(mismatches.count) mismatches")
        return rows.count
    }

    @Test func everyBaseVectorMatchesTheReference() throws {
        #expect(try check("cvss31-base.tsv") == 2592)
    }

    @Test func temporalAndEnvironmentalVectorsMatchTheReference() throws {
        #expect(try check("cvss31-extended.tsv") == 600)
    }

    /// 3.0 differs from 3.1 in the environmental impact of a changed scope;
    /// half the file's vectors take that path.
    @Test func cvss30VectorsAreScoredAs30() throws {
        #expect(try check("cvss30-extended.tsv") == 600)
        let vector = "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/CR:H/IR:H/AR:H/MS:C/MC:H/MI:H/MA:H"
        let v30 = try CVSS3(parsing: "CVSS:3.0/" + vector)
        let v31 = try CVSS3(parsing: "CVSS:3.1/" + vector)
        #expect(v30.version == "3.0" && v31.version == "3.1")
        #expect(v30.baseScore == v31.baseScore)
        #expect(v30.environmentalScore?.description == "10.0")
        #expect(v30.normalizedVector.hasPrefix("CVSS:3.0/"))
        // A vector of the fixture whose environmental score the two versions
        // compute differently (the reference gives 6.2 for 3.0, 6.1 for 3.1).
        let metrics = "AV:N/AC:H/PR:H/UI:R/S:C/C:L/I:H/A:L/RC:C/IR:X/AR:M/MAV:P/MPR:N/MUI:X/MC:X/MS:X"
        let changed = try CVSS3(parsing: "CVSS:3.0/" + metrics)
        let changed31 = try CVSS3(parsing: "CVSS:3.1/" + metrics)
        #expect(changed.environmentalScore?.description == "6.2")
        #expect(changed31.environmentalScore?.description == "6.1")
        #expect(changed.environmentalScore != changed31.environmentalScore, "the 3.0 formula must be the one used")
    }

    @Test(arguments: [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "9.8", SeverityRating.critical),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "10.0", .critical),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "7.5", .high), // Heartbleed, CVE-2014-0160
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "6.1", .medium), // reflected XSS
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", "0.0", .none),
    ])
    func wellKnownVectors(vector: String, score: String, rating: SeverityRating) throws {
        let cvss = try CVSS3(parsing: vector)
        #expect(cvss.baseScore.description == score)
        #expect(cvss.baseRating == rating)
    }

    @Test func roundUpIsTheFloatSafeOneFromAppendixA() {
        #expect(CVSS3.roundUp(4.02) == 41)
        #expect(CVSS3.roundUp(4.00) == 40)
        // Binary noise just above a tenth must not round up a whole tenth.
        #expect(CVSS3.roundUp(4.000000000000001) == 40)
        #expect(CVSS3.roundUp(4.00001) == 41)
    }

    @Test func metricsMayComeInAnyOrderAndXMeansNotDefined() throws {
        let canonical = try CVSS3(parsing: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N/E:P/RL:O/MAV:L")
        let shuffled = try CVSS3(parsing: "CVSS:3.1/MAV:L/RL:O/A:N/E:P/I:H/C:H/S:U/UI:N/PR:L/AC:L/AV:N/CR:X")
        #expect(shuffled.baseScore == canonical.baseScore)
        #expect(shuffled.temporalScore == canonical.temporalScore)
        #expect(shuffled.environmentalScore == canonical.environmentalScore)
        #expect(shuffled.normalizedVector == "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N/E:P/RL:O/MAV:L")
        #expect(canonical.baseScore.description == "8.1")
        #expect(canonical.temporalScore?.description == "7.3")
        #expect(canonical.environmentalScore?.description == "6.4")
    }

    @Test(arguments: [
        ("CVSS:3.1/AV:F/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "unknown value 'F' for metric AV", "AV takes N, A, L or P"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:A", "unknown value 'A' for metric E", "E takes X, H, F, P or U"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AT:N", "unknown metric 'AT'", "metric names are case-sensitive"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/ui:N/S:U/C:H/I:H/A:H", "unknown metric 'ui'", nil),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "missing base metric A", "every CVSS vector has AV, AC, PR, UI, S, C, I and A"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H", "missing base metrics S, A", nil),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L", "metric AV given twice", nil),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X/E:X", "metric E given twice", nil),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", "empty metric (a '/' too many)", nil),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A", "malformed metric 'A'", nil),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:", "unknown value '' for metric A", nil),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:X", "unknown value 'X' for metric A", nil),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "expected a CVSS 3.1 vector, found CVSS:4.0", nil),
        ("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "missing prefix CVSS:3.1/", nil),
        ("", "empty", nil),
    ] as [(String, String, String?)])
    func invalidVectorsNameTheMetric(vector: String, message: String, hint: String?) {
        let error = severityUsageError(vector) { _ = try CVSS3(parsing: $0) }
        #expect(error?.message == "invalid CVSS vector: \(message)")
        if let hint {
            #expect(error?.hint?.hasPrefix(hint) == true, "hint: \(error?.hint ?? "none")")
        }
    }
}
