import EmbargoErrors
import Foundation

/// A CVSS v3.1 or v3.0 vector and its scores, computed as FIRST's
/// specification of that version (sections 7.1-7.4 and Appendix A of 3.1,
/// section 8 of 3.0) defines them.
///
/// The two versions share their metrics, weights and base formulas. 3.1
/// revised the environmental impact of a changed scope, and a 3.0 vector is
/// scored with 3.0's formula. Roundup is the exact one of both specifications
/// (3.1 only spelled out how to compute it without floating-point noise).
///
/// ```swift
/// let cvss = try CVSS3(parsing: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
/// cvss.baseScore.description   // "9.8"
/// cvss.baseRating              // .critical
/// cvss.temporalScore           // nil: no temporal metric given
/// cvss.version                 // "3.1"
/// ```
public struct CVSS3: Sendable, Hashable, CustomStringConvertible {
    /// The prefix of the current version, 3.1.
    public static let prefix = "CVSS:3.1/"
    /// The prefix of CVSS 3.0 vectors, still found in older advisories.
    public static let prefix30 = "CVSS:3.0/"

    /// "3.1" or "3.0".
    public let version: String

    /// The vector as given, without surrounding whitespace.
    public let vector: String
    /// The metrics the vector states, by abbreviation ("AV": "N"); explicit X included.
    public let metrics: [String: String]

    public let baseScore: CVSSScore
    /// The unrounded Impact sub-score; at or below zero the base score is 0.0.
    public let impact: Double
    /// The unrounded Exploitability sub-score.
    public let exploitability: Double
    /// Present when the vector states any temporal metric (E, RL, RC).
    public let temporalScore: CVSSScore?
    /// Present when the vector states any environmental metric (CR … MA).
    public let environmentalScore: CVSSScore?

    public var baseRating: SeverityRating { baseScore.rating }
    public var temporalRating: SeverityRating? { temporalScore?.rating }
    public var environmentalRating: SeverityRating? { environmentalScore?.rating }

    public var description: String { vector }

    static let base = ["AV", "AC", "PR", "UI", "S", "C", "I", "A"]
    static let temporal = ["E", "RL", "RC"]
    static let environmental = ["CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA"]

    // Specification table 15; any order is allowed in 3.1 (section 6).
    static let syntax = VectorSyntax(
        subject: "CVSS vector",
        prefix: prefix,
        metrics: [
            .init(name: "AV", values: ["N", "A", "L", "P"], mandatory: true),
            .init(name: "AC", values: ["L", "H"], mandatory: true),
            .init(name: "PR", values: ["N", "L", "H"], mandatory: true),
            .init(name: "UI", values: ["N", "R"], mandatory: true),
            .init(name: "S", values: ["U", "C"], mandatory: true),
            .init(name: "C", values: ["H", "L", "N"], mandatory: true),
            .init(name: "I", values: ["H", "L", "N"], mandatory: true),
            .init(name: "A", values: ["H", "L", "N"], mandatory: true),
            .init(name: "E", values: ["X", "H", "F", "P", "U"], mandatory: false),
            .init(name: "RL", values: ["X", "U", "W", "T", "O"], mandatory: false),
            .init(name: "RC", values: ["X", "C", "R", "U"], mandatory: false),
            .init(name: "CR", values: ["X", "H", "M", "L"], mandatory: false),
            .init(name: "IR", values: ["X", "H", "M", "L"], mandatory: false),
            .init(name: "AR", values: ["X", "H", "M", "L"], mandatory: false),
            .init(name: "MAV", values: ["X", "N", "A", "L", "P"], mandatory: false),
            .init(name: "MAC", values: ["X", "L", "H"], mandatory: false),
            .init(name: "MPR", values: ["X", "N", "L", "H"], mandatory: false),
            .init(name: "MUI", values: ["X", "N", "R"], mandatory: false),
            .init(name: "MS", values: ["X", "U", "C"], mandatory: false),
            .init(name: "MC", values: ["X", "H", "L", "N"], mandatory: false),
            .init(name: "MI", values: ["X", "H", "L", "N"], mandatory: false),
            .init(name: "MA", values: ["X", "H", "L", "N"], mandatory: false),
        ],
        fixedOrder: false,
        mandatoryNoun: "base metric",
        example: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")

    /// 3.0 has the same metrics and values (3.0 specification table 12).
    static let syntax30 = VectorSyntax(
        subject: syntax.subject, prefix: prefix30, metrics: syntax.metrics, fixedOrder: false,
        mandatoryNoun: syntax.mandatoryNoun, example: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")

    /// Parses a CVSS v3.1 or v3.0 vector: the `CVSS:3.1/` or `CVSS:3.0/` prefix,
    /// all eight base metrics, optional temporal and environmental metrics, in
    /// any order, each at most once.
    ///
    /// - Throws: `EmbargoError` (`.usage`) naming the metric at fault.
    public init(parsing text: String) throws {
        let is30 = VectorSyntax.cvssVersionPrefix(of: VectorSyntax.trimmed(text)) == Self.prefix30
        let syntax = is30 ? Self.syntax30 : Self.syntax
        let (vector, given) = try syntax.parseCVSS(text, version: is30 ? "3.0" : "3.1")
        self.vector = vector
        version = is30 ? "3.0" : "3.1"
        metrics = given

        // Section 7.1, with the weights of section 7.4.
        let scope = given["S"]!
        let iss = 1 - (1 - Self.cia(given["C"]!)) * (1 - Self.cia(given["I"]!)) * (1 - Self.cia(given["A"]!))
        impact = scope == "U"
            ? 6.42 * iss
            : 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15)
        exploitability = 8.22 * Self.attackVector(given["AV"]!) * Self.attackComplexity(given["AC"]!)
            * Self.privileges(given["PR"]!, scope: scope) * Self.userInteraction(given["UI"]!)
        let baseTenths: Int
        if impact <= 0 {
            baseTenths = 0
        } else if scope == "U" {
            baseTenths = Self.roundUp(min(impact + exploitability, 10))
        } else {
            baseTenths = Self.roundUp(min(1.08 * (impact + exploitability), 10))
        }
        baseScore = CVSSScore(tenths: baseTenths)

        // Section 7.2: Not Defined (X), stated or not, weighs 1. Multiplied left
        // to right, as the reference calculator does, so that float rounding
        // lands on the same side of each tenth.
        func threatened(_ score: Int) -> Int {
            Self.roundUp(Double(score) / 10 * Self.exploitMaturity(given["E"])
                         * Self.remediation(given["RL"]) * Self.reportConfidence(given["RC"]))
        }
        temporalScore = Self.temporal.contains(where: { given[$0] != nil })
            ? CVSSScore(tenths: threatened(baseTenths))
            : nil

        // Section 7.3: a modified metric left at X takes its base metric's value.
        func modified(_ name: String) -> String {
            let value = given[name] ?? "X"
            return value == "X" ? given[String(name.dropFirst())]! : value
        }
        if Self.environmental.contains(where: { given[$0] != nil }) {
            let modifiedScope = modified("MS")
            let miss = min(1 - (1 - Self.requirement(given["CR"]) * Self.cia(modified("MC")))
                             * (1 - Self.requirement(given["IR"]) * Self.cia(modified("MI")))
                             * (1 - Self.requirement(given["AR"]) * Self.cia(modified("MA"))),
                           0.915)
            // 3.1 changed this term; 3.0 keeps the base formula's.
            let modifiedImpact = modifiedScope == "U"
                ? 6.42 * miss
                : is30 ? 7.52 * (miss - 0.029) - 3.25 * pow(miss - 0.02, 15)
                       : 7.52 * (miss - 0.029) - 3.25 * pow(miss * 0.9731 - 0.02, 13)
            let modifiedExploitability = 8.22 * Self.attackVector(modified("MAV"))
                * Self.attackComplexity(modified("MAC"))
                * Self.privileges(modified("MPR"), scope: modifiedScope)
                * Self.userInteraction(modified("MUI"))
            let environmentalTenths: Int
            if modifiedImpact <= 0 {
                environmentalTenths = 0
            } else {
                let sum = modifiedScope == "U"
                    ? modifiedImpact + modifiedExploitability
                    : 1.08 * (modifiedImpact + modifiedExploitability)
                environmentalTenths = threatened(Self.roundUp(min(sum, 10)))
            }
            environmentalScore = CVSSScore(tenths: environmentalTenths)
        } else {
            environmentalScore = nil
        }
    }

    /// The vector in the specification's preferred order, without metrics left at X.
    public var normalizedVector: String {
        (version == "3.0" ? Self.prefix30 : Self.prefix) + Self.syntax.metrics.compactMap { metric in
            metrics[metric.name].flatMap { $0 == "X" ? nil : "\(metric.name):\($0)" }
        }.joined(separator: "/")
    }

    /// Appendix A's Roundup, in tenths: the smallest one-decimal number at or
    /// above the input, after first rounding to five decimals so that binary
    /// floating-point noise (4.000000000000001) does not push a score up.
    static func roundUp(_ value: Double) -> Int {
        let scaled = Int((value * 100_000).rounded())
        return scaled % 10_000 == 0 ? scaled / 10_000 : scaled / 10_000 + 1
    }

    // Section 7.4 weights. The metric values were validated by the parser.
    static func attackVector(_ value: String) -> Double {
        ["N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2][value]!
    }

    static func attackComplexity(_ value: String) -> Double {
        ["L": 0.77, "H": 0.44][value]!
    }

    static func privileges(_ value: String, scope: String) -> Double {
        scope == "U"
            ? ["N": 0.85, "L": 0.62, "H": 0.27][value]!
            : ["N": 0.85, "L": 0.68, "H": 0.5][value]!
    }

    static func userInteraction(_ value: String) -> Double {
        ["N": 0.85, "R": 0.62][value]!
    }

    static func cia(_ value: String) -> Double {
        ["H": 0.56, "L": 0.22, "N": 0][value]!
    }

    static func exploitMaturity(_ value: String?) -> Double {
        ["X": 1, "H": 1, "F": 0.97, "P": 0.94, "U": 0.91][value ?? "X"]!
    }

    static func remediation(_ value: String?) -> Double {
        ["X": 1, "U": 1, "W": 0.97, "T": 0.96, "O": 0.95][value ?? "X"]!
    }

    static func reportConfidence(_ value: String?) -> Double {
        ["X": 1, "C": 1, "R": 0.96, "U": 0.92][value ?? "X"]!
    }

    static func requirement(_ value: String?) -> Double {
        ["X": 1, "H": 1.5, "M": 1, "L": 0.5][value ?? "X"]!
    }
}
