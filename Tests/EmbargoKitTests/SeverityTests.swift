import EmbargoSeverity
import EmbargoErrors
import Foundation
import Testing

@Suite("severity: CVSS version dispatch and scores")
struct SeverityTests {
    @Test func theVersionIsToldByThePrefix() throws {
        let v31 = try Severity(parsing: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
        guard case .cvss3(let cvss) = v31 else {
            Issue.record("CVSS:3.1/ parsed as \(v31)")
            return
        }
        #expect(cvss.baseScore.description == "9.8")
        #expect(v31.version == "3.1")
        #expect(v31.score.description == "9.8")
        #expect(v31.rating == .critical)
        #expect(v31.display == "9.8 Critical CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")

        let v40 = try Severity(parsing: " CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N\n")
        guard case .cvss40(let cvss) = v40 else {
            Issue.record("CVSS:4.0/ parsed as \(v40)")
            return
        }
        #expect(cvss.macroVector == "002201")
        #expect(v40.version == "4.0")
        #expect(v40.vector == "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N")
        #expect(v40.display == "0.0 None CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N")
    }

    /// Whitespace around a vector is dropped, whatever kind (tabs, CR LF, no-break
    /// space); whitespace inside is kept and refused; whitespace alone is empty.
    @Test(arguments: [" ", "  \t", "\n", "\r\n", "\u{00A0}", " \u{2003}\n"])
    func surroundingWhitespaceIsTrimmed(space: String) throws {
        let cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
        #expect(try Severity(parsing: space + cvss + space).vector == cvss)
        #expect(try Severity(parsing: space + cvss).vector == cvss)
        #expect(try Severity(parsing: cvss + space).vector == cvss)
        let cvss40 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N"
        #expect(try Severity(parsing: space + cvss40 + space).vector == cvss40)
        let risk = "AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon"
        #expect(try DrupalRisk(parsing: space + risk + space).vector == risk)
        #expect(severityUsageError(space) { _ = try Severity(parsing: $0) }?.message == "invalid CVSS vector: empty")
        #expect(severityUsageError("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" + space + "/E:U") {
            _ = try Severity(parsing: $0)
        } != nil)
    }

    @Test func aCVSS31VectorIsScoredByItsBaseScore() throws {
        let severity = try Severity(parsing: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:R")
        #expect(severity.score.description == "9.8")
        guard case .cvss3(let cvss) = severity else { return }
        #expect(cvss.temporalScore?.description == "8.2")
    }

    @Test(arguments: [
        ("CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", "unsupported version 'CVSS:2.0'", "embargo reads CVSS 3.0, 3.1 and 4.0 vectors"),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P", "missing the CVSS:3.1/, CVSS:3.0/ or CVSS:4.0/ prefix", "embargo reads CVSS 3.0, 3.1 and 4.0 vectors"),
        ("", "empty", nil),
        // Once the version is known, the version's own errors name the metric.
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:Q", "unknown value 'Q' for metric SA", nil),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "missing base metric A", nil),
    ] as [(String, String, String?)])
    func unsupportedVersionsAreRefused(vector: String, message: String, hint: String?) {
        let error = severityUsageError(vector) { _ = try Severity(parsing: $0) }
        #expect(error?.message == "invalid CVSS vector: \(message)")
        if let hint {
            #expect(error?.hint?.hasPrefix(hint) == true, "hint: \(error?.hint ?? "none")")
        }
    }

    @Test func ratingBoundariesFollowTheSpecifications() {
        let expected: [(Int, SeverityRating)] = [
            (0, .none), (1, .low), (39, .low), (40, .medium), (69, .medium),
            (70, .high), (89, .high), (90, .critical), (100, .critical),
        ]
        for (tenths, rating) in expected {
            #expect(CVSSScore(tenths: tenths).rating == rating, "\(tenths)")
        }
        #expect(SeverityRating.medium < .high)
    }

    @Test func scoresPrintWithOneDecimalAndEncodeAsNumbers() throws {
        #expect(CVSSScore(tenths: 100).description == "10.0")
        #expect(CVSSScore(tenths: 0).description == "0.0")
        #expect(CVSSScore(tenths: 98).description == "9.8")
        let json = try JSONEncoder().encode([CVSSScore(tenths: 98)])
        #expect(String(decoding: json, as: UTF8.self) == "[9.8]")
        #expect(try JSONDecoder().decode([CVSSScore].self, from: Data("[4.2]".utf8)) == [CVSSScore(tenths: 42)])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CVSSScore].self, from: Data("[4.25]".utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CVSSScore].self, from: Data("[10.1]".utf8))
        }
    }
}
