@testable import EmbargoKit
import EmbargoCrypto
import Foundation
import Testing

/// The labelled set of real commit messages in Tests/Fixtures/lint-eval
/// (README.md there says where each comes from). `scripts/lint-eval` runs the
/// CLI over it and prints the figures; these tests keep the set well formed
/// and the linter at its targets on the tuning part.
@Suite("leak linter: evaluation set")
struct LintEvaluationSetTests {
    struct Message: Decodable {
        var repo: String
        var commit: String
        var label: String
        var origin: String
        var message: String

        /// The held-out fifth: the first byte of SHA-256("held-out:" + commit) is a multiple of 5.
        var heldOut: Bool { Digest.sha256(Array("held-out:\(commit)".utf8))[0] % 5 == 0 }
    }

    static func messages() throws -> [Message] {
        let text = try Repo.fixture("lint-eval/messages.jsonl")
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Message.self, from: Data($0.utf8)) }
    }

    @Test func theSetIsWellFormed() throws {
        let messages = try Self.messages()
        // The evaluation set the issue asks for: at least 500 real messages.
        #expect(messages.count >= 500)
        #expect(Set(messages.map { "\($0.repo) \($0.commit)" }).count == messages.count, "a commit is listed twice")
        #expect(messages.map { "\($0.repo) \($0.commit)" } == messages.map { "\($0.repo) \($0.commit)" }.sorted(), "not sorted by repository and commit")
        for message in messages {
            #expect(["names", "hints", "neutral"].contains(message.label), "\(message.commit): label \(message.label)")
            #expect(["advisory-fix", "history-sample", "keyword-sample"].contains(message.origin), "\(message.commit): origin \(message.origin)")
            #expect(message.commit.count == 40 && message.commit.allSatisfy(\.isHexDigit), "\(message.commit)")
            #expect(message.repo.split(separator: "/").count == 2 && !message.message.isEmpty, "\(message.commit)")
        }
        let notes = try Repo.fixture("lint-eval/README.md")
        for repo in Set(messages.map(\.repo)) { #expect(notes.contains(repo), "no licence note for \(repo)") }
        // Every label in both parts, and about a fifth held out.
        for label in ["names", "hints", "neutral"] {
            #expect(messages.contains { $0.label == label && $0.heldOut } && messages.contains { $0.label == label && !$0.heldOut })
        }
        let share = Double(messages.filter(\.heldOut).count) / Double(messages.count)
        #expect(share > 0.15 && share < 0.25, "held-out share \(share)")
    }

    /// The targets of `scripts/lint-eval`, on the tuning part only: the
    /// held-out fifth is reported, never tuned to.
    @Test func theTuningPartMeetsTheTargets() throws {
        let tuning = try Self.messages().filter { !$0.heldOut }
        func level(_ message: Message) -> LintLevel? { LeakLinter.lintMessage(message.message).map(\.level).max() }
        func share(_ label: String, _ hit: (LintLevel?) -> Bool) -> Double {
            let subset = tuning.filter { $0.label == label }
            return Double(subset.filter { hit(level($0)) }.count) / Double(subset.count)
        }
        #expect(share("names") { $0 == .names } >= 0.98)
        #expect(share("hints") { $0 != nil } >= 0.80)
        #expect(share("neutral") { $0 == .names } <= 0.03)
        #expect(share("neutral") { $0 != nil } <= 0.08)
    }
}
