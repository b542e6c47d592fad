@testable import EmbargoKit
import EmbargoStore
import Foundation
import Testing
import TestSupport

@Suite("severity views: a list scores each distinct vector once, with the same result")
struct SeverityViewTests {
    /// Many advisories drawing from a pool of vectors (valid, invalid, padded
    /// with whitespace, repeated): the list gets what each advisory gets alone,
    /// computed here straight from the parsers.
    @Test func aListGetsWhatEachAdvisoryGetsAlone() throws {
        let cvss31 = try SeverityFixtures.rows("cvss31-extended.tsv", columns: SeverityCVSS31Tests.columns).prefix(60).map { $0["vector"] ?? "" }
        let cvss40 = try SeverityFixtures.rows("cvss40-extended.tsv", columns: ["vector", "score", "rating", "macrovector"]).prefix(60).map { $0["vector"] ?? "" }
        let risks = ["AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon", "AC:None/A:None/CI:All/II:All/E:Exploit/TD:All",
                     " AC:Complex/A:Admin/CI:None/II:None/E:Proof/TD:Default\n", "AC:Basic/A:User", "", "Highly critical"]
        let odd = ["", " ", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:X", "\u{2003}" + (cvss31.first ?? ""),
                   (cvss40.first ?? "") + "\r\n", "CVSS:4.0/AV:N"]
        var random = SeededGenerator(seed: 0x5E7E_0001)
        func pick(_ pool: [String]) -> String? {
            Int.random(in: 0..<4, using: &random) == 0 ? nil : pool[Int.random(in: pool.indices, using: &random)]
        }
        let advisories = (0..<3000).map { index in
            Self.advisory(index, risk: pick(risks), cvss31: pick(cvss31 + odd), cvss40: pick(cvss40 + odd))
        }
        let listed = SeverityView.all(for: advisories)
        #expect(listed.count == advisories.count)
        for (advisory, severities) in zip(advisories, listed) {
            #expect(severities == Self.expected(advisory), "\(advisory.id)")
            #expect(severities == SeverityView.all(for: advisory))
        }
    }

    /// Texts that String holds equal but whose bytes differ are different keys.
    @Test func vectorsAreKeyedByTheirBytes() {
        #expect("\u{E9}" == "e\u{301}")
        #expect(ExactText("\u{E9}") != ExactText("e\u{301}"))
        #expect(ExactText("CVSS:3.1/AV:N") == ExactText(String("xCVSS:3.1/AV:N".dropFirst())))
        #expect(Set([ExactText("\u{E9}"), ExactText("e\u{301}"), ExactText("\u{E9}")]).count == 2)
    }

    /// What SeverityView.all(for:) computed before it kept scored vectors.
    static func expected(_ advisory: Advisory) -> [SeverityView] {
        var result: [SeverityView] = []
        if let vector = advisory.riskVector, let risk = try? DrupalRisk(parsing: vector) {
            result.append(SeverityView(kind: "drupal", vector: risk.vector, score: "\(risk.score)/25",
                                       rating: risk.level.rawValue, display: risk.display))
        }
        for vector in [advisory.cvss40Vector, advisory.cvss31Vector].compactMap({ $0 }) {
            guard let severity = try? Severity(parsing: vector) else { continue }
            let rating = severity.score.rating.rawValue
            result.append(SeverityView(kind: "cvss_v\(severity.version)", vector: severity.vector, score: severity.score.description,
                                       rating: rating, display: "\(severity.score) \(rating) \(severity.vector)"))
        }
        return result
    }

    static func advisory(_ index: Int, risk: String?, cvss31: String?, cvss40: String?) -> Advisory {
        Advisory(id: String(format: "ADV-2026-%03d", index + 1), project: "p", status: .draft, privateTitle: "t", publicTitle: nil,
                 vulnerabilityType: nil, description: nil, solution: nil, branches: [], cwes: [], reporters: [], reportedAt: nil,
                 fixers: [], coordinators: [], credits: [], saID: nil, cveID: nil, ghsaID: nil, references: [], riskVector: risk,
                 cvss31Vector: cvss31, cvss40Vector: cvss40, disclosureAt: nil, createdAt: "t", createdBy: "a", updatedAt: "t")
    }
}
