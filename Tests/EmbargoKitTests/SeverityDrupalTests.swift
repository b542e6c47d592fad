import EmbargoSeverity
import EmbargoErrors
import Testing

@Suite("severity: Drupal risk calculator")
struct SeverityDrupalTests {
    // Published advisories (reference/SOURCES.md, section 6).
    @Test(arguments: [
        // SA-CORE-2014-005 ("Drupalgeddon").
        ("AC:None/A:None/CI:All/II:All/E:Exploit/TD:All", 25, "Highly critical"),
        // SA-CORE-2018-002 ("Drupalgeddon 2"), as E moved from Theoretical to Proof to Exploit.
        ("AC:None/A:None/CI:All/II:All/E:Theoretical/TD:Default", 21, "Highly critical"),
        ("AC:None/A:None/CI:All/II:All/E:Proof/TD:Default", 22, "Highly critical"),
        ("AC:None/A:None/CI:All/II:All/E:Exploit/TD:Default", 24, "Highly critical"),
        // SA-CORE-2019-009.
        ("AC:None/A:None/CI:None/II:None/E:Theoretical/TD:All", 12, "Moderately critical"),
        // The calculator page's own example vector.
        ("AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon", 12, "Moderately critical"),
    ])
    func publishedAdvisories(vector: String, score: Int, label: String) throws {
        let risk = try DrupalRisk(parsing: vector)
        #expect(risk.score == score)
        #expect(risk.level.rawValue == label)
        #expect(risk.vector == vector)
        #expect(risk.display == "\(label) \(score)/25 \(vector)")
    }

    @Test func displayFormsAsPublishedAreReadBack() throws {
        // Current drupal.org pages: U+2215 DIVISION SLASH.
        let current = try DrupalRisk(parsingDisplay:
            "Highly critical 24\u{2215}25 AC:None/A:None/CI:All/II:All/E:Exploit/TD:Default")
        #expect(current.score == 24)
        #expect(current.exploit == .exploit)
        // Older pages: ASCII slash, and capitalised labels.
        let older = try DrupalRisk(parsingDisplay:
            "Moderately Critical 12/25 AC:None/A:None/CI:None/II:None/E:Theoretical/TD:All")
        #expect(older.level == .moderatelyCritical)
        // What we print, we read back.
        #expect(try DrupalRisk(parsingDisplay: current.display) == current)
    }

    @Test func displayThatContradictsItsVectorIsRefused() throws {
        let wrongScore = severityUsageError(
            "Highly critical 21/25 AC:None/A:None/CI:All/II:All/E:Proof/TD:Default") {
                _ = try DrupalRisk(parsingDisplay: $0)
            }
        #expect(wrongScore?.message == "invalid Drupal risk: score 21/25 does not match the vector, which scores 22/25")
        let wrongLevel = severityUsageError(
            "Critical 22/25 AC:None/A:None/CI:All/II:All/E:Proof/TD:Default") {
                _ = try DrupalRisk(parsingDisplay: $0)
            }
        #expect(wrongLevel?.message
            == "invalid Drupal risk: level 'Critical' does not match score 22/25, which is 'Highly critical'")
        let wrongScale = severityUsageError(
            "Highly critical 22/30 AC:None/A:None/CI:All/II:All/E:Proof/TD:Default") {
                _ = try DrupalRisk(parsingDisplay: $0)
            }
        #expect(wrongScale?.message == "invalid Drupal risk: score '22/30' is not N/25")
        let vectorOnly = severityUsageError("AC:None/A:None/CI:All/II:All/E:Proof/TD:Default") {
            _ = try DrupalRisk(parsingDisplay: $0)
        }
        #expect(vectorOnly?.message.hasPrefix("invalid Drupal risk: expected '<level> <score>/25 <vector>'") == true)
    }

    /// Every one of the 3^6 vectors, scored with the weights written out again
    /// here, independently of the implementation's enums.
    @Test func all729CombinationsScoreAndLabelAsTheCalculator() throws {
        let weights: [(name: String, points: [String: Int])] = [
            ("AC", ["None": 4, "Basic": 2, "Complex": 1]),
            ("A", ["None": 4, "User": 2, "Admin": 1]),
            ("CI", ["All": 5, "Some": 3, "None": 0]),
            ("II", ["All": 5, "Some": 3, "None": 0]),
            ("E", ["Exploit": 4, "Proof": 2, "Theoretical": 1]),
            ("TD", ["All": 3, "Default": 2, "Uncommon": 1]),
        ]
        var combinations: [[(String, String, Int)]] = [[]]
        for metric in weights {
            combinations = combinations.flatMap { prefix in
                metric.points.map { prefix + [(metric.name, $0.key, $0.value)] }
            }
        }
        #expect(combinations.count == 729)
        var notCritical: [String] = []
        for combination in combinations {
            let vector = combination.map { "\($0.0):\($0.1)" }.joined(separator: "/")
            let expected = combination.reduce(0) { $0 + $1.2 }
            let risk = try DrupalRisk(parsing: vector)
            #expect(risk.score == expected, "\(vector)")
            #expect((4...25).contains(risk.score))
            let label = switch expected {
            case 0...4: "Not critical"
            case 5...9: "Less critical"
            case 10...14: "Moderately critical"
            case 15...19: "Critical"
            default: "Highly critical"
            }
            #expect(risk.level.rawValue == label, "\(vector)")
            #expect(risk.vector == vector)
            #expect(try DrupalRisk(parsingDisplay: risk.display) == risk)
            if risk.level == .notCritical { notCritical.append(vector) }
        }
        // The minimum is 4, so only one vector is "Not critical".
        #expect(notCritical == ["AC:Complex/A:Admin/CI:None/II:None/E:Theoretical/TD:Uncommon"])
    }

    @Test(arguments: [
        ("AC:Basic/A:User/CI:Sometimes/II:Some/E:Theoretical/TD:Uncommon",
         "unknown value 'Sometimes' for metric CI", "CI takes All, Some or None"),
        ("AC:Basic/A:User/CI:Some/II:Some/E:Theoretical",
         "missing metric TD", nil),
        ("AC:Basic/A:User/CI:Some/II:Some",
         "missing metrics E, TD", nil),
        ("AC:Basic/A:User/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon",
         "metric A given twice", nil),
        ("A:User/AC:Basic/CI:Some/II:Some/E:Theoretical/TD:Uncommon",
         "metrics out of order: AC must come before A", "the order is AC, A, CI, II, E then TD"),
        ("ac:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon",
         "unknown metric 'ac'", "metric names are case-sensitive"),
        ("AC:basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon",
         "unknown value 'basic' for metric AC", "AC takes None, Basic or Complex"),
        ("AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon/XX:Yes",
         "unknown metric 'XX'", nil),
        ("AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon/",
         "empty metric (a '/' too many)", nil),
        ("AC=Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon",
         "malformed metric 'AC=Basic'", nil),
        ("  ", "empty", nil),
    ] as [(String, String, String?)])
    func invalidVectorsNameTheMetric(vector: String, message: String, hint: String?) {
        let error = severityUsageError(vector) { _ = try DrupalRisk(parsing: $0) }
        #expect(error?.message == "invalid Drupal risk vector: \(message)")
        if let hint {
            #expect(error?.hint?.hasPrefix(hint) == true, "hint: \(error?.hint ?? "none")")
        }
    }

    @Test func surroundingWhitespaceIsIgnored() throws {
        let risk = try DrupalRisk(parsing: " AC:Complex/A:Admin/CI:None/II:None/E:Theoretical/TD:Uncommon\n")
        #expect(risk.score == 4)
        #expect(risk.level == .notCritical)
    }
}
