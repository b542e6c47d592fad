import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

extension Embargo {
    struct Schedule: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schedule",
            abstract: "Set an advisory's disclosure time, checked against the project's policy profiles.",
            discussion: """
                Times are stored in UTC. A local time is read in --tz (default UTC); a time
                that a daylight-saving change skips or repeats is refused. A time that breaks a
                policy rule, or falls on one of the project's blackout days (see 'project set
                --blackout'), is refused (exit 3) with the rule named (drupal.wednesday,
                blackout, ...) unless --allow-violation gives a reason for the timeline.
                --next-window skips blackout days.

                Example:
                  embargo schedule ADV-2026-001 --next-window
                  embargo schedule ADV-2026-001 --at "2026-12-02 17:00" --tz Europe/Brussels
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The advisory id.") var id: String
        @Option(help: ArgumentHelp("The disclosure time (ISO 8601, or local time in --tz).", valueName: "time")) var at: String?
        @Flag(help: "Pick the earliest time that satisfies every active profile and the lead time.") var nextWindow = false
        @Option(help: ArgumentHelp("Time zone for reading and showing times (IANA name).", valueName: "zone")) var tz: String?
        @Option(help: ArgumentHelp("Time the security team needs before disclosure (e.g. 48h, 3d).", valueName: "duration")) var leadTime = "48h"
        @Option(help: ArgumentHelp("Accept a policy violation, recording this reason on the timeline.", valueName: "reason")) var allowViolation: String?

        func validate() throws {
            if (at == nil) == (nextWindow == false) { throw ValidationError("give exactly one of --at TIME and --next-window") }
        }

        func run() throws {
            let zone = try LocalTime.zone(tz)
            let lead = try LocalTime.duration(leadTime)
            let workspace = try location.workspace()
            let date = try at.map { try LocalTime.parse($0, zone: zone) } ?? workspace.nextWindow(id, leadTime: lead)
            let report = try workspace.schedule(id, at: date, leadTime: lead, allowViolation: allowViolation)
            workspace.refreshInstalledGuard(advisory: id)
            try ScheduleOutput.print(report, zone: zone, json: output.json, eventsToo: false)
        }
    }

    struct Timeline: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "timeline",
            abstract: "Show an advisory's timeline, its deadlines and any policy violations.",
            discussion: """
                Example:
                  embargo timeline ADV-2026-001 --tz America/New_York
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The advisory id.") var id: String
        @Option(help: ArgumentHelp("Time zone to show times in (IANA name).", valueName: "zone")) var tz: String?

        func run() throws {
            let report = try location.workspace().scheduleReport(id)
            try ScheduleOutput.print(report, zone: LocalTime.zone(tz), json: output.json, eventsToo: true)
        }
    }

    struct CalendarCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "calendar",
            abstract: "List upcoming deadlines of all open advisories, or write them as an iCalendar file.",
            discussion: """
                Calendar events name the advisory id and the deadline only, never embargoed
                text.

                Example:
                  embargo calendar
                  embargo calendar --ics deadlines.ics
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Option(help: ArgumentHelp("Write an RFC 5545 calendar to this file (mode 0600).", valueName: "file")) var ics: String?
        @Option(help: ArgumentHelp("Time zone to show times in (IANA name).", valueName: "zone")) var tz: String?

        func run() throws {
            let workspace = try location.workspace()
            let entries = try workspace.calendar()
            if let ics {
                let text = ICSCalendar.render(entries, generatedAt: workspace.environment.clock.now())
                try SafeFile.writeOutput(URL(fileURLWithPath: ics), bytes: Array(text.utf8), mode: 0o600, option: "--ics")
                Terminal.say("wrote \(entries.count) events to \(ics)")
                return
            }
            let zone = try LocalTime.zone(tz)
            if output.json {
                try Terminal.printJSON(["deadlines": entries.map { DeadlineView(advisory: $0.advisory.id, deadline: $0.deadline) }])
            } else {
                Terminal.printTable(["WHEN", "ADVISORY", "PROFILE", "DEADLINE"], entries.map {
                    [LocalTime.display($0.deadline.at, zone: zone), $0.advisory.id, $0.deadline.profile, $0.deadline.title]
                })
            }
        }
    }
}

struct DeadlineView: Encodable {
    let advisory: String?
    let profile: String
    let kind: String
    let title: String
    let at: String

    init(advisory: String?, deadline: Deadline) {
        self.advisory = advisory
        profile = deadline.profile
        kind = deadline.kind
        title = deadline.title
        at = Timestamp.string(deadline.at)
    }
}

struct ScheduleView: Encodable {
    let id: String
    let status: String
    let profiles: [String]
    let disclosureAt: String?
    let deadlines: [DeadlineView]
    let violations: [Violation]
    let events: [TimelineEvent]?

    enum CodingKeys: String, CodingKey {
        case id, status, profiles, deadlines, violations, events
        case disclosureAt = "disclosure_at"
    }
}

enum ScheduleOutput {
    static func print(_ report: ScheduleReport, zone: TimeZone, json: Bool, eventsToo: Bool) throws {
        if json {
            try Terminal.printJSON(["schedule": ScheduleView(
                id: report.advisory.id, status: report.advisory.status.rawValue, profiles: report.profiles.map(\.rawValue),
                disclosureAt: report.advisory.disclosureAt, deadlines: report.deadlines.map { DeadlineView(advisory: nil, deadline: $0) },
                violations: report.violations, events: eventsToo ? report.events : nil)])
            return
        }
        let disclosure = report.facts.disclosure.map { LocalTime.display($0, zone: zone) } ?? "not scheduled"
        Terminal.say("\(report.advisory.id) (\(report.advisory.status.rawValue)), profiles \(report.profiles.map(\.rawValue).joined(separator: ", "))")
        Terminal.say("disclosure: \(disclosure)")
        if !report.deadlines.isEmpty {
            Terminal.say("")
            Terminal.printTable(["WHEN", "PROFILE", "DEADLINE"], report.deadlines.map {
                [LocalTime.display($0.at, zone: zone), $0.profile, $0.title]
            })
        }
        if !report.violations.isEmpty {
            Terminal.say("\nviolations:")
            for violation in report.violations { Terminal.say("  \(violation.profile): \(violation.message)") }
        }
        if eventsToo {
            Terminal.say("")
            Terminal.printTable(["AT", "BY", "EVENT", "SUMMARY"], report.events.map {
                [$0.at, $0.actor, $0.kind, $0.summary]
            })
        }
    }
}
