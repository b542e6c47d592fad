import EmbargoErrors

/// A CVSS v4.0 vector and its score, computed as FIRST's specification
/// (section 8) and its reference calculator do: the vector's macrovector gives
/// a score from the lookup table, lowered by the vector's mean proportional
/// distance from the macrovector's highest severity vector.
///
/// ```swift
/// let cvss = try CVSS40(parsing: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
/// cvss.score.description   // "9.3"
/// cvss.rating              // .critical
/// cvss.macroVector         // "000200"
/// cvss.nomenclature        // "CVSS-B"
/// ```
public struct CVSS40: Sendable, Hashable, CustomStringConvertible {
    public static let prefix = "CVSS:4.0/"

    /// The vector as given, without surrounding whitespace.
    public let vector: String
    /// The metrics the vector states, by abbreviation ("AV": "N"); explicit X included.
    public let metrics: [String: String]
    /// The score; threat and environmental metrics, stated or defaulted, are part of it.
    public let score: CVSSScore
    /// The EQ1 … EQ6 levels, for example "000200"; 0 is the most severe level.
    public let macroVector: String

    public var rating: SeverityRating { score.rating }
    public var description: String { vector }

    /// Which metric groups the score used (specification section 1.3):
    /// "CVSS-B", "CVSS-BT", "CVSS-BE" or "CVSS-BTE".
    public var nomenclature: String {
        let stated = { (names: [String]) in names.contains { (metrics[$0] ?? "X") != "X" } }
        return "CVSS-B" + (stated(["E"]) ? "T" : "") + (stated(Self.environmental) ? "E" : "")
    }

    /// The vector in the specification's order, without metrics left at X.
    public var normalizedVector: String {
        Self.prefix + Self.syntax.metrics.compactMap { metric in
            metrics[metric.name].flatMap { $0 == "X" ? nil : "\(metric.name):\($0)" }
        }.joined(separator: "/")
    }

    static let environmental = ["CR", "IR", "AR", "MAV", "MAC", "MAT", "MPR", "MUI",
                                "MVC", "MVI", "MVA", "MSC", "MSI", "MSA"]

    // Specification table 23. Its order is mandatory: "every other ordering is invalid".
    static let syntax = VectorSyntax(
        subject: "CVSS vector",
        prefix: prefix,
        metrics: [
            .init(name: "AV", values: ["N", "A", "L", "P"], mandatory: true),
            .init(name: "AC", values: ["L", "H"], mandatory: true),
            .init(name: "AT", values: ["N", "P"], mandatory: true),
            .init(name: "PR", values: ["N", "L", "H"], mandatory: true),
            .init(name: "UI", values: ["N", "P", "A"], mandatory: true),
            .init(name: "VC", values: ["H", "L", "N"], mandatory: true),
            .init(name: "VI", values: ["H", "L", "N"], mandatory: true),
            .init(name: "VA", values: ["H", "L", "N"], mandatory: true),
            .init(name: "SC", values: ["H", "L", "N"], mandatory: true),
            .init(name: "SI", values: ["H", "L", "N"], mandatory: true),
            .init(name: "SA", values: ["H", "L", "N"], mandatory: true),
            .init(name: "E", values: ["X", "A", "P", "U"], mandatory: false),
            .init(name: "CR", values: ["X", "H", "M", "L"], mandatory: false),
            .init(name: "IR", values: ["X", "H", "M", "L"], mandatory: false),
            .init(name: "AR", values: ["X", "H", "M", "L"], mandatory: false),
            .init(name: "MAV", values: ["X", "N", "A", "L", "P"], mandatory: false),
            .init(name: "MAC", values: ["X", "L", "H"], mandatory: false),
            .init(name: "MAT", values: ["X", "N", "P"], mandatory: false),
            .init(name: "MPR", values: ["X", "N", "L", "H"], mandatory: false),
            .init(name: "MUI", values: ["X", "N", "P", "A"], mandatory: false),
            .init(name: "MVC", values: ["X", "N", "L", "H"], mandatory: false),
            .init(name: "MVI", values: ["X", "N", "L", "H"], mandatory: false),
            .init(name: "MVA", values: ["X", "N", "L", "H"], mandatory: false),
            .init(name: "MSC", values: ["X", "N", "L", "H"], mandatory: false),
            .init(name: "MSI", values: ["X", "N", "L", "H", "S"], mandatory: false),
            .init(name: "MSA", values: ["X", "N", "L", "H", "S"], mandatory: false),
            .init(name: "S", values: ["X", "N", "P"], mandatory: false),
            .init(name: "AU", values: ["X", "N", "Y"], mandatory: false),
            .init(name: "R", values: ["X", "A", "U", "I"], mandatory: false),
            .init(name: "V", values: ["X", "D", "C"], mandatory: false),
            .init(name: "RE", values: ["X", "L", "M", "H"], mandatory: false),
            .init(name: "U", values: ["X", "Clear", "Green", "Amber", "Red"], mandatory: false),
        ],
        fixedOrder: true,
        mandatoryNoun: "base metric",
        example: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")

    /// Parses a CVSS v4.0 vector: the `CVSS:4.0/` prefix, all eleven base
    /// metrics, then any threat, environmental and supplemental metrics, in the
    /// specification's order, each at most once.
    ///
    /// - Throws: `EmbargoError` (`.usage`) naming the metric at fault.
    public init(parsing text: String) throws {
        let (vector, given) = try Self.syntax.parseCVSS(text, version: "4.0")
        let effective = Self.effectiveValues(given)
        let levels = Self.equivalenceLevels(effective)
        self.vector = vector
        metrics = given
        macroVector = levels.map(String.init).joined()
        score = Self.score(effective, levels: levels)
    }

    /// The value each scored metric takes: a modified metric overrides its base
    /// metric unless X, and E, CR, IR and AR left at X assume the worst case
    /// (E:A, H) as sections 4 and 8.2 require.
    static func effectiveValues(_ given: [String: String]) -> [String: String] {
        var effective: [String: String] = [:]
        for name in ["AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"] {
            let modified = given["M" + name] ?? "X"
            effective[name] = modified == "X" ? given[name]! : modified
        }
        effective["E"] = (given["E"] ?? "X") == "X" ? "A" : given["E"]!
        for name in ["CR", "IR", "AR"] {
            effective[name] = (given[name] ?? "X") == "X" ? "H" : given[name]!
        }
        return effective
    }

    /// EQ1 … EQ6 (specification tables 24-29).
    static func equivalenceLevels(_ m: [String: String]) -> [Int] {
        let eq1: Int
        if m["AV"] == "N" && m["PR"] == "N" && m["UI"] == "N" {
            eq1 = 0
        } else if (m["AV"] == "N" || m["PR"] == "N" || m["UI"] == "N") && m["AV"] != "P" {
            eq1 = 1
        } else {
            eq1 = 2
        }
        let eq2 = m["AC"] == "L" && m["AT"] == "N" ? 0 : 1
        let eq3: Int
        if m["VC"] == "H" && m["VI"] == "H" {
            eq3 = 0
        } else if m["VC"] == "H" || m["VI"] == "H" || m["VA"] == "H" {
            eq3 = 1
        } else {
            eq3 = 2
        }
        let eq4: Int
        if m["SI"] == "S" || m["SA"] == "S" {
            eq4 = 0
        } else if m["SC"] == "H" || m["SI"] == "H" || m["SA"] == "H" {
            eq4 = 1
        } else {
            eq4 = 2
        }
        let eq5 = ["A": 0, "P": 1, "U": 2][m["E"]!]!
        let eq6 = (m["CR"] == "H" && m["VC"] == "H") || (m["IR"] == "H" && m["VI"] == "H")
            || (m["AR"] == "H" && m["VA"] == "H") ? 0 : 1
        return [eq1, eq2, eq3, eq4, eq5, eq6]
    }

    /// Section 8.2's interpolation, in exact integer arithmetic.
    ///
    /// The reference calculator computes in binary floating point and, since its
    /// 2024 rounding fix, nudges the result by 1e-6 before rounding half up so
    /// that exact ties such as 8.55 do not come out as 8.549999… and round down.
    /// Computing with fractions makes every tie exact, which is what that nudge
    /// approximates.
    static func score(_ effective: [String: String], levels: [Int]) -> CVSSScore {
        // "No impact on the system": the calculator's shortcut to 0.0.
        if ["VC", "VI", "VA", "SC", "SI", "SA"].allSatisfy({ effective[$0] == "N" }) {
            return CVSSScore(tenths: 0)
        }
        let (eq1, eq2, eq3, eq4, eq6) = (levels[0], levels[1], levels[2], levels[3], levels[5])
        func lookup(_ levels: [Int]) -> Int? {
            macroVectorScores[levels.map(String.init).joined()]
        }
        func lowered(_ index: Int, _ other: Int? = nil) -> Int? {
            var next = levels
            next[index] += 1
            if let other { next[other] += 1 }
            return lookup(next)
        }
        let value = lookup(levels)!

        // The next lower macrovector along each EQ; EQ3 and EQ6 move together.
        let lowerEQ3EQ6: Int?
        switch (eq3, eq6) {
        case (0, 0):
            // Two ways down; the calculator takes the higher score.
            if let left = lowered(5), let right = lowered(2) {
                lowerEQ3EQ6 = max(left, right)
            } else {
                lowerEQ3EQ6 = nil
            }
        case (0, 1), (1, 1): lowerEQ3EQ6 = lowered(2)
        case (1, 0): lowerEQ3EQ6 = lowered(5)
        default: lowerEQ3EQ6 = lowered(2, 5)
        }

        // Severity distances from the first highest severity vector the scored
        // vector does not exceed; without one, the calculator keeps the last.
        let key = "\(eq3)\(eq6)"
        let tables = highestSeverityVectors
        var distances: [String: Int] = [:]
        search: for a in tables.eq1[eq1] {
            for b in tables.eq2[eq2] {
                for c in tables.eq3eq6[key]! {
                    for d in tables.eq4[eq4] {
                        distances = [:]
                        for pair in [a, b, c, d].joined(separator: "/").split(separator: "/") {
                            let parts = pair.split(separator: ":").map(String.init)
                            let steps = severitySteps[parts[0]]!
                            distances[parts[0]] = steps[effective[parts[0]]!]! - steps[parts[1]]!
                        }
                        if distances.values.allSatisfy({ $0 >= 0 }) { break search }
                    }
                }
            }
        }
        func sum(_ names: [String]) -> Int { names.reduce(0) { $0 + distances[$1]! } }

        // mean = Σ (value − lower) × distance / depth, over the EQs that have a
        // lower macrovector; EQ5 counts but always contributes 0.
        let eqs: [(lower: Int?, distance: Int, depth: Int)] = [
            (lowered(0), sum(["AV", "PR", "UI"]), depths.eq1[eq1]),
            (lowered(1), sum(["AC", "AT"]), depths.eq2[eq2]),
            (lowerEQ3EQ6, sum(["VC", "VI", "VA", "CR", "IR", "AR"]), depths.eq3eq6[key]!),
            (lowered(3), sum(["SC", "SI", "SA"]), depths.eq4[eq4]),
            (lowered(4), 0, 1),
        ]
        let existing = eqs.filter { $0.lower != nil }
        guard !existing.isEmpty else { return CVSSScore(tenths: value) }
        let product = eqs.map(\.depth).reduce(1, *)
        let denominator = product * existing.count
        let reduction = existing.reduce(0) { total, eq in
            total + (value - eq.lower!) * eq.distance * (product / eq.depth)
        }
        let numerator = min(max(value * denominator - reduction, 0), 100 * denominator)
        // Round half up to whole tenths.
        return CVSSScore(tenths: (2 * numerator + denominator) / (2 * denominator))
    }
}
