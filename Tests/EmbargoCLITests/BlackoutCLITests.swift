import EmbargoKit
import Foundation
import Testing

/// Project blackout days, set with `project set` and kept by `schedule`.
@Suite("project blackouts")
struct BlackoutCLITests {
    var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    func day(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    func setUp(_ box: Sandbox) throws {
        try box.initStore()
        let repo = try box.makeRepository()
        try box.ok(["project", "add", "ai", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x", "--policy", "drupal"])
        try box.ok(["advisory", "create", "--project", "ai", "--title", "Chatbot forgery"])
    }

    @Test func setShowRemoveAndClear() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try setUp(box)
        try box.ok(["project", "set", "ai", "--blackout", "2026-12-24..2027-01-02", "--blackout", "2027-04-14"])
        let shown = try box.json(box.ok(["project", "show", "ai", "--json"]).stdout)["project"] as? [String: Any]
        let blackouts = try #require(shown?["blackouts"] as? [[String: String]])
        #expect(blackouts == [["first": "2026-12-24", "last": "2027-01-02"], ["first": "2027-04-14", "last": "2027-04-14"]])
        // The fields that were there before stay.
        #expect(shown?["policy"] as? String == "drupal")
        #expect(try box.ok(["project", "show", "ai"]).stdout.contains("2026-12-24..2027-01-02, 2027-04-14"))

        try box.ok(["project", "set", "ai", "--remove-blackout", "2027-04-14"])
        let removed = try box.json(box.ok(["project", "show", "ai", "--json"]).stdout)["project"] as? [String: Any]
        #expect(removed?["blackouts"] as? [[String: String]] == [["first": "2026-12-24", "last": "2027-01-02"]])
        let unknown = try box.embargo(["project", "set", "ai", "--remove-blackout", "2027-04-14"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("project ai has no blackout 2027-04-14"))

        let backwards = try box.embargo(["project", "set", "ai", "--blackout", "2027-01-02..2026-12-24"])
        #expect(backwards.status == 64)
        #expect(backwards.stderr.contains("ends before it starts"))
        #expect(backwards.stderr.contains("hint: write the first day first: 2026-12-24..2027-01-02"))

        // --clear-blackouts with --blackout replaces the list.
        try box.ok(["project", "set", "ai", "--clear-blackouts", "--blackout", "2027-08-02..2027-08-13"])
        let replaced = try box.json(box.ok(["project", "show", "ai", "--json"]).stdout)["project"] as? [String: Any]
        #expect(replaced?["blackouts"] as? [[String: String]] == [["first": "2027-08-02", "last": "2027-08-13"]])
        try box.ok(["project", "set", "ai", "--clear-blackouts"])
        let lines = try box.ok(["project", "show", "ai"]).stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("blackouts") && $0.hasSuffix(" -") })
    }

    @Test func scheduleKeepsOutOfABlackoutAndNamesTheRule() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try setUp(box)
        // Three weeks from today are off: the next window is the first Wednesday after them.
        let today = calendar.startOfDay(for: Date())
        let lastDay = today + 20 * 86400
        try box.ok(["project", "set", "ai", "--blackout", "\(day(today))..\(day(lastDay))"])
        var expected = lastDay + 86400 + 16 * 3600
        while calendar.component(.weekday, from: expected) != 4 { expected += 86400 }

        let next = try box.json(box.ok(["schedule", "ADV-2026-001", "--next-window", "--json"]).stdout)["schedule"] as? [String: Any]
        #expect(next?["disclosure_at"] as? String == Timestamp.string(expected))

        // A Wednesday inside the blackout, past the lead time: refused, naming the rule.
        var inside = today + 3 * 86400 + 16 * 3600
        while calendar.component(.weekday, from: inside) != 4 { inside += 86400 }
        let refused = try box.embargo(["schedule", "ADV-2026-001", "--at", Timestamp.string(inside)])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("error: blackout: \(day(inside)) is in the project's blackout \(day(today))..\(day(lastDay))"),
                "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-violation"))

        // Allowed with a reason, which the timeline keeps with the rule.
        try box.ok(["schedule", "ADV-2026-001", "--at", Timestamp.string(inside), "--allow-violation", "the reporter's deadline"])
        let timeline = try box.json(box.ok(["timeline", "ADV-2026-001", "--json"]).stdout)["schedule"] as? [String: Any]
        let violations = try #require(timeline?["violations"] as? [[String: Any]])
        #expect(violations.compactMap { $0["rule"] as? String } == ["blackout"])
        let events = try #require(timeline?["events"] as? [[String: Any]])
        #expect(events.last?["summary"] as? String == "allowed project/blackout: the reporter's deadline")
    }
}
