import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

extension Embargo {
    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Check an advisory's commit messages, file, test and branch names, or one commit message, for words that give the vulnerability away.",
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

                With --message TEXT or --message-file FILE (- for standard input)
                instead of an advisory id, checks that one commit message with the
                default vocabulary, without opening the store: a commit-msg hook can
                run 'embargo lint --message-file "$1"'. Lines starting with '#' and
                everything below git's scissors line are left out.

                An accepted finding is remembered on the advisory (and on the audit
                trail): pre-release and publication honour it, and lint lists it,
                until --revoke-finding KEY.

                Example:
                  embargo lint ADV-2026-001
                  embargo lint ADV-2026-001 \\
                    --accept-finding file-src/XssFilter.php:xss
                  embargo lint ADV-2026-001 \\
                    --revoke-finding file-src/XssFilter.php:xss
                  embargo lint --strict --message-file .git/COMMIT_EDITMSG
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var repository: RepositoryOption
        @OptionGroup var output: OutputOptions
        @Argument(help: "The advisory id.") var id: String?
        @Option(help: ArgumentHelp("Check this commit message instead of an advisory.", valueName: "text")) var message: String?
        @Option(name: .customLong("message-file"),
                help: ArgumentHelp("Check the commit message in this file (- for standard input) instead of an advisory.", valueName: "file"))
        var messageFile: String?
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

            /// Absent when a bare message was checked.
            let advisory: String?
            let source: String
            let clean: Bool
            let strict: Bool
            let findings: [Flagged<LintFinding>]
            let acceptedFindings: [Flagged<AcceptedFinding>]
            let unknownKeys: [String]

            enum CodingKeys: String, CodingKey {
                case advisory, source, clean, strict, findings
                case acceptedFindings = "accepted_findings"
                case unknownKeys = "unknown_keys"
            }
        }

        /// The most of a message file read: a commit message is a few kilobytes.
        static let messageLimit = 1 << 20

        func validate() throws {
            let sources = [id != nil, message != nil, messageFile != nil].filter { $0 }.count
            if sources == 0 { throw ValidationError("give an advisory id, --message TEXT or --message-file FILE") }
            if sources > 1 { throw ValidationError("give only one of an advisory id, --message and --message-file") }
            if id == nil, !revoked.isEmpty { throw ValidationError("--revoke-finding goes with an advisory id") }
            if let key = Set(accepted).intersection(revoked).first {
                throw ValidationError("--accept-finding and --revoke-finding both name \(key)")
            }
        }

        func run() throws {
            let report: LintReport
            if let id {
                report = try location.workspace(repository).lintReport(id, accepting: Set(accepted), revoking: Set(revoked),
                                                                       strict: strict ? true : nil)
            } else {
                report = LintReport.message(try message ?? readMessageFile(), accepting: Set(accepted), strict: strict)
            }
            if output.json {
                try Terminal.printJSON(Document(advisory: id == nil ? nil : report.advisory, source: id == nil ? "message" : "advisory",
                                                clean: report.isClean, strict: report.strict,
                                                findings: report.findings.map { .init(value: $0, flag: "accepted", isSet: report.isAccepted($0)) },
                                                acceptedFindings: report.accepted.map { .init(value: $0, flag: "found", isSet: report.isFound($0)) },
                                                unknownKeys: id == nil ? report.unknownKeys : []))
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
            if id == nil {
                // A bare message: nothing is stored; a key that matches nothing is worth a word.
                for key in report.unknownKeys { Terminal.warn("--accept-finding \(key) matches no finding") }
                if let refusal = report.refusal(accept: { "embargo lint --message-file FILE --accept-finding \($0.key)" }) { throw refusal }
            } else if let refusal = report.refusal() {
                throw refusal
            }
        }

        func readMessageFile() throws -> String {
            let path = messageFile ?? "-"
            let handle: FileHandle
            if path == "-" {
                handle = FileHandle.standardInput
            } else {
                guard let file = FileHandle(forReadingAtPath: path) else {
                    throw EmbargoError(.failure, "cannot read the message file \(path)", hint: "check the path; use - for standard input")
                }
                handle = file
            }
            defer { if path != "-" { try? handle.close() } }
            let data: Data
            do {
                data = try handle.read(upToCount: Self.messageLimit + 1) ?? Data()
            } catch {
                throw EmbargoError(.failure, "cannot read the message file \(path)", hint: "check the path; use - for standard input")
            }
            guard data.count <= Self.messageLimit else {
                throw EmbargoError(.usage, "the message file \(path) is over \(Self.messageLimit / 1024) KiB",
                                   hint: "pass the commit message itself, not a diff or a log")
            }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
