import Foundation
import Testing

/// A lint finding accepted once stays accepted: pre-release and publication
/// honour it, lint lists it, and it can be taken back.
@Suite("accepted lint findings through the CLI")
struct AcceptedFindingsCLITests {
    /// The commands a refusal's hint names, one per line after the first.
    func suggestedCommands(_ stderr: String) -> [[String]] {
        stderr.split(separator: "\n").filter { $0.hasPrefix("  embargo ") }.map { line in
            line.dropFirst("  embargo ".count).split(separator: " ").map(String.init)
        }
    }

    @Test func acceptedFindingsAreRememberedListedRevocableAndHonoured() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        // Two local branches whose names give the flaw away: lint findings of the advisory.
        try box.git(["-C", fixture.repo.path, "branch", "xss-notes"])
        try box.git(["-C", fixture.repo.path, "branch", "exploit-try"])

        let refused = try box.embargo(["prerelease", "ADV-2026-001", "--out", box.path("outbox")])
        #expect(refused.status == 3)
        #expect(refused.stderr == """
            embargo: error: 2 unaccepted lint finding(s) in ADV-2026-001:
              branch exploit-try: 'exploit' (key branch-exploit-try:exploit)
              branch xss-notes: 'XSS' (key branch-xss-notes:xss)
            embargo: hint: reword them, or accept what may stay as it is:
              embargo lint ADV-2026-001 --accept-finding branch-exploit-try:exploit
              embargo lint ADV-2026-001 --accept-finding branch-xss-notes:xss

            """)
        #expect(!FileManager.default.fileExists(atPath: box.path("outbox")))

        // A mistyped key is refused, with the key it most likely means; nothing is recorded.
        let typo = try box.embargo(["lint", "ADV-2026-001", "--accept-finding", "branch-xss-note:xss"])
        #expect(typo.status == 64)
        #expect(typo.stderr == """
            embargo: error: no lint finding of ADV-2026-001 has the key branch-xss-note:xss
            embargo: hint: did you mean 'branch-xss-notes:xss'? run 'embargo lint ADV-2026-001' to see the findings and their keys

            """)

        // The suggested commands, run as printed: each acceptance is kept, the second makes lint clean.
        let commands = suggestedCommands(refused.stderr)
        #expect(commands.count == 2)
        #expect(try box.embargo(commands[0]).status == 3, "one finding is still not accepted")
        try box.ok(commands[1])
        let listed = try box.ok(["lint", "ADV-2026-001"]).stdout
        #expect(listed.contains("(key branch-xss-notes:xss, accepted)"))
        #expect(listed.contains("no unaccepted findings (2 accepted)\n"))
        #expect(listed.contains("accepted: branch-exploit-try:exploit (branch exploit-try: 'exploit') by alice at "))
        #expect(listed.contains("accepted: branch-xss-notes:xss (branch xss-notes: 'XSS') by alice at "))
        let json = try box.json(box.ok(["lint", "ADV-2026-001", "--json"]).stdout)
        #expect(json["clean"] as? Bool == true)
        let accepted = try #require(json["accepted_findings"] as? [[String: Any]])
        #expect(Set(accepted.compactMap { $0["key"] as? String }) == ["branch-exploit-try:exploit", "branch-xss-notes:xss"])
        #expect(accepted.allSatisfy { $0["accepted_by"] as? String == "alice" && $0["found"] as? Bool == true })
        // On the signed audit trail, which still verifies.
        let audit = try box.json(box.ok(["audit", "--advisory", "ADV-2026-001", "--json"]).stdout)["entries"] as? [[String: Any]] ?? []
        #expect(audit.filter { $0["action"] as? String == "lint.accept" }.compactMap { $0["detail"] as? String }
                == ["accepted branch-exploit-try:exploit", "accepted branch-xss-notes:xss"])
        try box.ok(["audit", "verify"])

        // Revoked: lint and the pre-release refuse again, naming that finding alone.
        let revoked = try box.embargo(["lint", "ADV-2026-001", "--revoke-finding", "branch-xss-notes:xss"])
        #expect(revoked.status == 3)
        #expect(revoked.stdout.contains("revoked: branch-xss-notes:xss\n"))
        let again = try box.embargo(["prerelease", "ADV-2026-001", "--out", box.path("outbox")])
        #expect(again.status == 3)
        #expect(suggestedCommands(again.stderr) == [["lint", "ADV-2026-001", "--accept-finding", "branch-xss-notes:xss"]])
        let missing = try box.embargo(["lint", "ADV-2026-001", "--revoke-finding", "branch-xss-notes:xss"])
        #expect(missing.status == 64)
        #expect(missing.stderr.hasPrefix("embargo: error: no accepted lint finding of ADV-2026-001 has the key branch-xss-notes:xss\n"))

        // The pre-release itself may accept it, and remembers that too.
        _ = try fixture.prerelease(["--accept-finding", "branch-xss-notes:xss"])
        #expect(try box.ok(["lint", "ADV-2026-001"]).stdout.contains("(key branch-xss-notes:xss, accepted)"))

        // Publication honours what was accepted: no key to pass again.
        let bundle = try #require(try FileManager.default.contentsOfDirectory(atPath: box.path("outbox")).first { $0.hasSuffix(".tar.age") })
        try box.ok(["approve", "ADV-2026-001", "--bundle", box.path("outbox/\(bundle)"), "--identity", box.path("bob.identity")])
        try box.ok(["schedule", "ADV-2026-001", "--at", "2026-01-07T16:00Z", "--allow-violation", "the release day is in the past for this test"])
        #expect(try box.embargo(["lint", "ADV-2026-001", "--revoke-finding", "branch-exploit-try:exploit"]).status == 3)
        let blocked = try box.embargo(["publish", "ADV-2026-001", "--out", box.path("public")])
        #expect(blocked.status == 3)
        #expect(suggestedCommands(blocked.stderr) == [["lint", "ADV-2026-001", "--accept-finding", "branch-exploit-try:exploit"]])
        #expect(try box.embargo(suggestedCommands(blocked.stderr)[0]).status == 0)
        try box.ok(["publish", "ADV-2026-001", "--out", box.path("public")])
        let status = try box.json(box.ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["advisory"] as? [String: Any]
        #expect(status?["status"] as? String == "published")
    }
}
