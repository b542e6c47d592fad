import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

extension Embargo {
    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Check an advisory's commit messages, file, test and branch names for words that give the vulnerability away.",
            discussion: """
                Checks every patch's message, the files the patches touch, the names
                of tests they add and the repository's local branches (other than
                release branches) against the default vocabulary (security, exploit,
                XSS, CVE, ...; see README.md) and the advisory's own words (its type,
                CWE names, private title). Each finding names where it is, suggests a
                neutral wording and has a key, the same on every run.

                A finding that names the flaw (level names) refuses: exit 3 while it
                is not accepted with --accept-finding KEY. A finding that describes
                a remedy at a security boundary ("escape the title", "check access";
                level hints) is a warning, and refuses too under --strict or when the
                project follows the drupal policy profile. --explain says why each
                rule fired.

                An accepted finding is remembered on the advisory (and on the audit
                trail): pre-release and publication honour it, and lint lists it,
                until --revoke-finding KEY.

                Example:
                  embargo lint ADV-2026-001
                  embargo lint ADV-2026-001 \\
                    --accept-finding file-src/XssFilter.php:xss
                  embargo lint ADV-2026-001 \\
                    --revoke-finding file-src/XssFilter.php:xss
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The advisory id.") var id: String
        @Option(name: .customLong("accept-finding"), help: ArgumentHelp("Accept the finding with this key, remembered on the advisory (repeat for several).", valueName: "key"))
        var accepted: [String] = []
        @Option(name: .customLong("revoke-finding"), help: ArgumentHelp("Take back the acceptance of the finding with this key (repeat for several).", valueName: "key"))
        var revoked: [String] = []
        @Flag(help: "Refuse on findings that hint at the flaw too (the default under the drupal profile).") var strict = false
        @Flag(help: "Say why each rule fired.") var explain = false

        struct Document: Encodable {
            /// A finding with `"accepted"`, an acceptance with `"found"`.
            struct Flagged<Value: Encodable>: Encodable {
                struct Key: CodingKey {
                    var stringValue: String
                    var intValue: Int? { nil }
                    init(stringValue: String) { self.stringValue = stringValue }
                    init?(intValue: Int) { nil }
                }

                let value: Value
                let flag: String
                let isSet: Bool

                func encode(to encoder: Encoder) throws {
                    try value.encode(to: encoder)
                    var container = encoder.container(keyedBy: Key.self)
                    try container.encode(isSet, forKey: Key(stringValue: flag))
                }
            }

            let advisory: String
            let clean: Bool
            let strict: Bool
            let findings: [Flagged<LintFinding>]
            let acceptedFindings: [Flagged<AcceptedFinding>]

            enum CodingKeys: String, CodingKey {
                case advisory, clean, strict, findings
                case acceptedFindings = "accepted_findings"
            }
        }

        func validate() throws {
            if let key = Set(accepted).intersection(revoked).first {
                throw ValidationError("--accept-finding and --revoke-finding both name \(key)")
            }
        }

        func run() throws {
            let report = try location.workspace().lintReport(id, accepting: Set(accepted), revoking: Set(revoked), strict: strict ? true : nil)
            if output.json {
                try Terminal.printJSON(Document(advisory: report.advisory, clean: report.isClean, strict: report.strict,
                                                findings: report.findings.map { .init(value: $0, flag: "accepted", isSet: report.isAccepted($0)) },
                                                acceptedFindings: report.accepted.map { .init(value: $0, flag: "found", isSet: report.isFound($0)) }))
            } else {
                if report.findings.isEmpty { Terminal.say("no findings") }
                for finding in report.findings {
                    let state = report.isAccepted(finding) ? ", accepted" : ""
                    let level = finding.level == .hints ? "hint: " : ""
                    Terminal.say("\(finding.location): \(level)'\(finding.term)' in \"\(finding.excerpt)\" — \(finding.suggestion) (key \(finding.key)\(state))")
                    if explain { Terminal.say("  why: \(finding.reason) (rule \(finding.rule), level \(finding.level.rawValue))") }
                }
                if !report.findings.isEmpty, report.unaccepted.isEmpty {
                    Terminal.say("no unaccepted findings (\(report.findings.count) accepted)")
                } else if !report.findings.isEmpty, report.isClean {
                    Terminal.say("no refusing findings (\(report.warnings.count) hint(s); --strict refuses on them)")
                }
                for key in revoked.sorted() { Terminal.say("revoked: \(key)") }
                for acceptance in report.accepted {
                    let found = report.isFound(acceptance) ? "" : "; no longer found"
                    Terminal.say("accepted: \(acceptance.key) (\(acceptance.location): '\(acceptance.term)') by \(acceptance.acceptedBy) at \(acceptance.acceptedAt)\(found)")
                }
            }
            if let refusal = report.refusal() { throw refusal }
        }
    }
}
