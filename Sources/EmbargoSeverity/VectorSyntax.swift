import EmbargoErrors

/// The grammar shared by Drupal risk vectors and CVSS vectors: an optional
/// prefix, then `NAME:VALUE` pairs separated by `/`.
///
/// One parser for all three formats keeps their error messages alike; each
/// message names the metric at fault so the user can fix the vector without
/// reading the specification.
struct VectorSyntax: Sendable {
    struct Metric: Sendable {
        let name: String
        let values: [String]
        let mandatory: Bool
    }

    /// What the user typed, for messages: "CVSS vector", "Drupal risk vector".
    let subject: String
    /// "CVSS:3.1/"; empty when the format has none.
    let prefix: String
    /// In the order the specification lists them.
    let metrics: [Metric]
    /// CVSS v4.0 and Drupal vectors must follow `metrics`' order; CVSS v3.1 need not.
    let fixedOrder: Bool
    /// "missing base metric AV" reads better than "missing metric AV" for CVSS.
    let mandatoryNoun: String
    /// A valid vector, shown when the input is not recognisable at all.
    let example: String

    func error(_ detail: String, hint: String) -> EmbargoError {
        EmbargoError(.usage, "invalid \(subject): \(detail)", hint: hint)
    }

    /// A CVSS vector of this syntax's version: the trimmed vector and its metrics.
    /// A vector of another CVSS version is named as such, not as a bad prefix.
    func parseCVSS(_ text: String, version: String) throws -> (vector: String, metrics: [String: String]) {
        let vector = Self.trimmed(text)
        if let found = Self.cvssVersionPrefix(of: vector), found != prefix {
            throw error("expected a CVSS \(version) vector, found \(found.dropLast())", hint: "a CVSS \(version) vector starts with \(prefix)")
        }
        return (vector, try parse(vector))
    }

    /// The metrics given, by name. Values are checked; meaning is left to the caller.
    func parse(_ text: String) throws -> [String: String] {
        let vector = Self.trimmed(text)
        guard !vector.isEmpty else {
            throw error("empty", hint: "a \(subject) looks like \(example)")
        }
        guard vector.hasPrefix(prefix) else {
            throw error("missing prefix \(prefix)", hint: "a \(subject) looks like \(example)")
        }
        var given: [String: String] = [:]
        var previous: (index: Int, name: String)?
        for part in vector.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false) {
            guard !part.isEmpty else {
                throw error("empty metric (a '/' too many)", hint: "a \(subject) looks like \(example)")
            }
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count == 2, !pieces[0].isEmpty else {
                throw error("malformed metric '\(part)'",
                            hint: "write each metric as NAME:VALUE, as in \(example)")
            }
            let name = String(pieces[0])
            let value = String(pieces[1])
            guard let index = metrics.firstIndex(where: { $0.name == name }) else {
                throw error("unknown metric '\(name)'",
                            hint: "metric names are case-sensitive: \(Self.list(metrics.map(\.name), "and"))")
            }
            guard given[name] == nil else {
                throw error("metric \(name) given twice", hint: "give each metric once")
            }
            if fixedOrder, let previous, index < previous.index {
                throw error("metrics out of order: \(name) must come before \(previous.name)",
                            hint: "the order is \(Self.list(metrics.map(\.name), "then"))")
            }
            let metric = metrics[index]
            guard metric.values.contains(value) else {
                throw error("unknown value '\(value)' for metric \(name)",
                            hint: "\(name) takes \(Self.list(metric.values, "or")) (case-sensitive)")
            }
            given[name] = value
            previous = (index, name)
        }
        let missing = metrics.filter { $0.mandatory && given[$0.name] == nil }.map(\.name)
        if !missing.isEmpty {
            let noun = missing.count == 1 ? mandatoryNoun : mandatoryNoun + "s"
            throw error("missing \(noun) \(missing.joined(separator: ", "))",
                        hint: "every \(subject) has \(Self.list(metrics.filter(\.mandatory).map(\.name), "and"))")
        }
        return given
    }

    /// "N, A, L or P".
    static func list(_ items: [String], _ conjunction: String) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items.last!
    }
}

extension VectorSyntax {
    /// Vectors often arrive with a trailing newline from a file or a shell.
    /// `text` without leading and trailing whitespace. Slices by index: rebuilding the
    /// string from a reversed view went character by character, and made scoring the
    /// severities of 10,000 advisories in `advisory list` take over half a second.
    static func trimmed(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
              let last = text.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(text[first...last])
    }

    /// "CVSS:3.1/" for a vector that starts with any "CVSS:<version>/" label, else nil.
    static func cvssVersionPrefix(of vector: String) -> String? {
        guard vector.hasPrefix("CVSS:"), let slash = vector.firstIndex(of: "/") else { return nil }
        return String(vector[...slash])
    }
}
