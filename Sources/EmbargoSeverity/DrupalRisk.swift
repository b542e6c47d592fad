import EmbargoErrors

/// A Drupal security advisory risk, as the Drupal Security Team's risk
/// calculator produces it (based on NIST CMSS, NISTIR 7864).
///
/// Six metrics, each with three values; the score is the sum of their points,
/// 4 to 25. The E:Exploit (4) and TD weights are not printed by drupal.org; they
/// are the ones that reproduce every published score (see
/// `reference/SOURCES.md`, section 6).
///
/// ```swift
/// let risk = try DrupalRisk(parsing: "AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon")
/// risk.score     // 12
/// risk.level     // .moderatelyCritical
/// risk.display   // "Moderately critical 12/25 AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon"
/// ```
public struct DrupalRisk: Sendable, Hashable, CustomStringConvertible {
    /// AC: how hard it is to reach the vulnerable code.
    public enum AccessComplexity: String, Sendable, CaseIterable {
        case none = "None", basic = "Basic", complex = "Complex"

        public var points: Int {
            switch self {
            case .none: 4
            case .basic: 2
            case .complex: 1
            }
        }
    }

    /// A: the access an attacker needs.
    public enum Authentication: String, Sendable, CaseIterable {
        case none = "None", user = "User", admin = "Admin"

        public var points: Int {
            switch self {
            case .none: 4
            case .user: 2
            case .admin: 1
            }
        }
    }

    /// CI and II: how much non-public data is exposed, or can be changed.
    public enum Impact: String, Sendable, CaseIterable {
        case all = "All", some = "Some", none = "None"

        public var points: Int {
            switch self {
            case .all: 5
            case .some: 3
            case .none: 0
            }
        }
    }

    /// E: whether a known exploit exists.
    public enum Exploit: String, Sendable, CaseIterable {
        case exploit = "Exploit", proof = "Proof", theoretical = "Theoretical"

        public var points: Int {
            switch self {
            case .exploit: 4
            case .proof: 2
            case .theoretical: 1
            }
        }
    }

    /// TD: which configurations are affected.
    public enum TargetDistribution: String, Sendable, CaseIterable {
        case all = "All", `default` = "Default", uncommon = "Uncommon"

        public var points: Int {
            switch self {
            case .all: 3
            case .default: 2
            case .uncommon: 1
            }
        }
    }

    /// The risk level; `rawValue` is the sentence-case label advisories use.
    public enum Level: String, Sendable, CaseIterable, Comparable {
        case notCritical = "Not critical"
        case lessCritical = "Less critical"
        case moderatelyCritical = "Moderately critical"
        case critical = "Critical"
        case highlyCritical = "Highly critical"

        /// 0-4 Not critical, 5-9 Less critical, 10-14 Moderately critical,
        /// 15-19 Critical, 20-25 Highly critical.
        public init(score: Int) {
            switch score {
            case ...4: self = .notCritical
            case 5...9: self = .lessCritical
            case 10...14: self = .moderatelyCritical
            case 15...19: self = .critical
            default: self = .highlyCritical
            }
        }

        public static func < (lhs: Level, rhs: Level) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public static let maximumScore = 25

    public var accessComplexity: AccessComplexity
    public var authentication: Authentication
    public var confidentialityImpact: Impact
    public var integrityImpact: Impact
    public var exploit: Exploit
    public var targetDistribution: TargetDistribution

    public init(accessComplexity: AccessComplexity, authentication: Authentication,
                confidentialityImpact: Impact, integrityImpact: Impact,
                exploit: Exploit, targetDistribution: TargetDistribution) {
        self.accessComplexity = accessComplexity
        self.authentication = authentication
        self.confidentialityImpact = confidentialityImpact
        self.integrityImpact = integrityImpact
        self.exploit = exploit
        self.targetDistribution = targetDistribution
    }

    static let syntax = VectorSyntax(
        subject: "Drupal risk vector",
        prefix: "",
        metrics: [
            .init(name: "AC", values: AccessComplexity.allCases.map(\.rawValue), mandatory: true),
            .init(name: "A", values: Authentication.allCases.map(\.rawValue), mandatory: true),
            .init(name: "CI", values: Impact.allCases.map(\.rawValue), mandatory: true),
            .init(name: "II", values: Impact.allCases.map(\.rawValue), mandatory: true),
            .init(name: "E", values: Exploit.allCases.map(\.rawValue), mandatory: true),
            .init(name: "TD", values: TargetDistribution.allCases.map(\.rawValue), mandatory: true),
        ],
        fixedOrder: true,
        mandatoryNoun: "metric",
        example: "AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon")

    /// Parses a vector such as `AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon`:
    /// all six metrics, in that order, with values spelled exactly as drupal.org does.
    ///
    /// - Throws: `EmbargoError` (`.usage`) naming the metric at fault.
    public init(parsing vector: String) throws {
        let given = try Self.syntax.parse(vector)
        // The syntax checked every value against these enums' raw values.
        self.init(accessComplexity: AccessComplexity(rawValue: given["AC"]!)!,
                  authentication: Authentication(rawValue: given["A"]!)!,
                  confidentialityImpact: Impact(rawValue: given["CI"]!)!,
                  integrityImpact: Impact(rawValue: given["II"]!)!,
                  exploit: Exploit(rawValue: given["E"]!)!,
                  targetDistribution: TargetDistribution(rawValue: given["TD"]!)!)
    }

    /// Parses the field as advisories print it, `Highly critical 24∕25 AC:None/…`,
    /// and checks that its level and score agree with the vector.
    ///
    /// drupal.org writes the score with U+2215 DIVISION SLASH on current pages
    /// and an ASCII slash on older ones; both are accepted. The level is matched
    /// without regard to case ("Moderately Critical" also appears).
    ///
    /// - Throws: `EmbargoError` (`.usage`) if the text is malformed or inconsistent.
    public init(parsingDisplay text: String) throws {
        let expected = "expected '<level> <score>/25 <vector>', as in '\(Self.example.display)'"
        let words = VectorSyntax.trimmed(text).split(separator: " ", omittingEmptySubsequences: true)
        guard words.count >= 3 else {
            throw EmbargoError(.usage, "invalid Drupal risk: \(expected)",
                               hint: "or give the vector alone with its six metrics")
        }
        let fraction = words[words.count - 2].split(whereSeparator: { $0 == "/" || $0 == "\u{2215}" })
        guard fraction.count == 2, fraction[1] == "25", let claimed = Int(fraction[0]) else {
            throw EmbargoError(.usage, "invalid Drupal risk: score '\(words[words.count - 2])' is not N/25",
                               hint: expected)
        }
        self = try DrupalRisk(parsing: String(words[words.count - 1]))
        guard claimed == score else {
            throw EmbargoError(.usage,
                               "invalid Drupal risk: score \(claimed)/25 does not match the vector, which scores \(score)/25",
                               hint: "correct the score or the vector")
        }
        let label = words.dropLast(2).joined(separator: " ")
        guard label.lowercased() == level.rawValue.lowercased() else {
            throw EmbargoError(.usage,
                               "invalid Drupal risk: level '\(label)' does not match score \(score)/25, which is '\(level.rawValue)'",
                               hint: "the levels are 0-4 Not critical, 5-9 Less critical, 10-14 Moderately critical, 15-19 Critical, 20-25 Highly critical")
        }
    }

    private static let example = DrupalRisk(accessComplexity: .basic, authentication: .user,
                                            confidentialityImpact: .some, integrityImpact: .some,
                                            exploit: .theoretical, targetDistribution: .uncommon)

    /// The sum of the six metrics' points, 4 to 25.
    public var score: Int {
        accessComplexity.points + authentication.points + confidentialityImpact.points
            + integrityImpact.points + exploit.points + targetDistribution.points
    }

    public var level: Level { Level(score: score) }

    /// `AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon`, in the fixed order.
    public var vector: String {
        "AC:\(accessComplexity.rawValue)/A:\(authentication.rawValue)"
            + "/CI:\(confidentialityImpact.rawValue)/II:\(integrityImpact.rawValue)"
            + "/E:\(exploit.rawValue)/TD:\(targetDistribution.rawValue)"
    }

    /// `Moderately critical 12/25 AC:Basic/…`, with an ASCII slash so that it
    /// survives terminals, commit messages and plain-text mail unchanged.
    public var display: String { "\(level.rawValue) \(score)/\(Self.maximumScore) \(vector)" }

    public var description: String { display }
}
