import EmbargoKit
import GRDB
import Foundation
import Testing

/// Runs embargo (and the git it starts) at a given time, with libfaketime:
/// the release-day rules are tested through the real binary and clock calls.
extension Sandbox {
    @discardableResult
    func embargo(at time: String, _ arguments: [String], env extra: [String: String] = [:]) throws -> Run {
        try run("faketime", [time, embargoBinary.path] + arguments, env: extra)
    }

    @discardableResult
    func ok(at time: String, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        let result = try embargo(at: time, arguments)
        #expect(result.status == 0, "embargo \(arguments.joined(separator: " ")) at \(time) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    /// Commits `message` on `branch` of the project's remote, merged at `date`, from a clone of its own.
    func merge(_ message: String, file: String, on branch: String, remote: URL, at date: String) throws {
        let clone = root.appendingPathComponent("merge-\(UUID().uuidString.prefix(8))")
        try git(["clone", "--quiet", "--branch", branch, remote.path, clone.path])
        try "\(message)\n".write(to: clone.appendingPathComponent(file), atomically: true, encoding: .utf8)
        try git(["-C", clone.path, "add", file])
        let env = ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date]
        let commit = try run("git", ["-C", clone.path, "commit", "--quiet", "-m", message], env: env)
        #expect(commit.status == 0, "\(commit.stderr)")
        try git(["-C", clone.path, "push", "--quiet", "origin", branch])
    }
}

/// A project with two release branches (1.0.x, 1.1.x), built assets for
/// the tag only, and the drupal profile.
struct KindsFixture {
    let box: Sandbox
    let sample: SampleProject

    init(_ box: Sandbox) throws {
        self.box = box
        try box.initStore()
        let root = box.root.appendingPathComponent("sample")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        sample = try SampleProject.create(at: root)
        try box.ok(["project", "add", SampleProject.name, "--repo", sample.repository.path, "--remote", "origin",
                    "--branch", "1.0.x", "--branch", "1.1.x"])
        try box.ok(["project", "set", SampleProject.name, "--build-command", "mkdir -p dist && cp sample_module.info.yml dist/info.yml",
                    "--required-path", "dist", "--committer", "Release Bot <release@example.org>"])
    }

    func remoteRefs() throws -> String { try box.run("git", ["ls-remote", sample.remote.path]).stdout }

    func show(_ id: String) throws -> [String: Any] {
        try #require(try box.json(box.ok(["release", "show", id, "--json"]).stdout)["release"] as? [String: Any])
    }

    func versions(_ release: [String: Any]) -> [String] {
        (release["versions"] as? [[String: Any]] ?? []).compactMap { $0["version"] as? String }
    }
}

@Suite("every kind of release, the Drupal way")
struct ReleaseKindsCLITests {
    /// A regular Wednesday: plan, cutoff honoured, tag with the built assets
    /// in the tag only, verify, node text, published, announced.
    @Test func aWednesdayPatchReleaseOfTwoBranches() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try KindsFixture(box)
        let remote = fixture.sample.remote
        try box.merge("fix: #3400100 Keep the greeting short\n\nBy: alice\nBy: bob", file: "src/short.txt", on: "1.1.x", remote: remote, at: "2027-01-04T10:00:00Z")
        try box.merge("Issue #3400101 by carol: Tidy the settings form", file: "src/tidy.txt", on: "1.0.x", remote: remote, at: "2027-01-04T11:00:00Z")

        // Thursday is not a patch day: refused, the rule named.
        let thursday = try box.embargo(at: "2027-01-04 09:00:00", ["release", "plan", "--project", SampleProject.name, "--kind", "patch", "--at", "2027-01-07T16:00Z"])
        #expect(thursday.status == 3)
        #expect(thursday.stderr.contains("drupal.wednesday"))
        let planned = try box.json(box.ok(at: "2027-01-04 09:00:00", ["release", "plan", "--project", SampleProject.name, "--kind", "patch",
                                                                    "--at", "2027-01-06T16:00Z", "--issue", "3400100", "--json"]).stdout)
        let release = try #require(planned["release"] as? [String: Any])
        let id = try #require(release["id"] as? String)
        #expect(id.hasPrefix("REL-2027-"))
        #expect(fixture.versions(release) == ["1.0.2", "1.1.1"])
        // From now on the patch releases go every other Wednesday: the next week's is refused, the next window is in two.
        let nextWeek = try box.embargo(at: "2027-01-04 09:00:00", ["release", "plan", "--project", SampleProject.name, "--kind", "patch",
                                                                   "--at", "2027-01-13T16:00Z", "--offline"])
        #expect(nextWeek.status == 3 && nextWeek.stderr.contains("drupal.every-other-wednesday"), "\(nextWeek.stderr)")
        // The same versions in a second open plan would push the same tags: refused, naming the first.
        let twice = try box.embargo(at: "2027-01-07 09:00:00", ["release", "plan", "--project", SampleProject.name, "--kind", "patch",
                                                                "--next-window", "--offline"])
        #expect(twice.status == 3 && twice.stderr.contains("1.0.2 is planned already, by release \(id)"), "\(twice.stderr)")

        // A merge after the cutoff (end of Tuesday) is listed and kept out unless asked for.
        try box.merge("task: #3400102 Late change", file: "src/late.txt", on: "1.1.x", remote: remote, at: "2027-01-06T08:00:00Z")
        let late = try box.embargo(at: "2027-01-06 09:00:00", ["release", "tag", id, "--yes"])
        #expect(late.status == 3)
        #expect(late.stderr.contains("merged after the merge cutoff") && late.stderr.contains("Late change"))
        #expect(late.stderr.contains("--include-late"))
        // Scripts must say yes: nothing is pushed without a confirmation.
        let unconfirmed = try box.embargo(at: "2027-01-06 09:00:00", ["release", "tag", id, "--include-late"])
        #expect(unconfirmed.status == 64)
        #expect(!(try fixture.remoteRefs()).contains("refs/tags/1.1.1"))

        let tagged = try box.ok(at: "2027-01-06 09:05:00", ["release", "tag", id, "--yes", "--include-late"])
        // Tagged, its versions are no longer only planned: the next window may be planned.
        let window = try box.json(box.ok(at: "2027-01-07 09:00:00", ["release", "plan", "--project", SampleProject.name, "--kind", "patch",
                                                                   "--next-window", "--offline", "--json"]).stdout)["release"] as? [String: Any]
        #expect(window?["planned_at"] as? String == "2027-01-20T16:00:00Z")
        try box.ok(["release", "drop", try #require(window?["id"] as? String)])
        #expect(tagged.stdout.contains("next: the publishing manager checks the tags with 'embargo release verify \(id)'"))
        let refs = try fixture.remoteRefs()
        #expect(refs.contains("refs/tags/1.0.2") && refs.contains("refs/tags/1.1.1"))
        // Built assets are in the tag only; the changelog is on the branch.
        #expect(try box.run("git", ["--git-dir", remote.path, "cat-file", "-e", "1.1.1:dist/info.yml"]).status == 0)
        #expect(try box.run("git", ["--git-dir", remote.path, "cat-file", "-e", "1.1.x:dist/info.yml"]).status != 0)
        let changelog = try box.run("git", ["--git-dir", remote.path, "show", "1.1.x:CHANGELOG.md"]).stdout
        #expect(changelog.contains("## 1.1.1") && changelog.contains("Keep the greeting short"))
        // The entry credits the By: lines, as the release notes do, not the commits' git author.
        #expect(changelog.contains("[bob](https://www.drupal.org/u/bob)"), "\(changelog)")
        #expect(try fixture.show(id)["status"] as? String == "tagged")

        let verified = try box.ok(at: "2027-01-06 10:00:00", ["release", "verify", id])
        #expect(!verified.stdout.contains("FAIL"))
        #expect(verified.stdout.contains("every planned issue is in the log of a tag"))

        // The notes of the tags: the new format under its type with every By: line credited, the old one under Changes.
        let notes = try box.ok(["notes", id]).stdout
        #expect(notes.contains("## 1.1.1") && notes.contains("## 1.0.2"))
        #expect(notes.contains("Bugs") && notes.contains("Keep the greeting short"))
        #expect(notes.contains("[alice](https://www.drupal.org/u/alice)") && notes.contains("[bob](https://www.drupal.org/u/bob)"))
        #expect(notes.contains("Tidy the settings form") && notes.contains("[carol](https://www.drupal.org/u/carol)"))
        #expect(!notes.contains("Changelog for"), "the release's own changelog commit is not a change")
        let node = try box.ok(["release", "node", id]).stdout
        #expect(node.contains("Version: 1.1.1") && node.contains("tick \"Bug fixes\"") && !node.contains("Security Team"))
        let issue = try box.ok(["release", "issue", id]).stdout
        #expect(issue.contains("Title: Release 1.0.2 and 1.1.1") && issue.contains("Category: Task") && issue.contains("Tags: release"))
        #expect(issue.contains("then 'embargo release published \(id) --url URL')") && !issue.contains("--sa-url"), "\(issue)")

        try box.ok(at: "2027-01-06 16:30:00", ["release", "published", id, "--url", "https://www.drupal.org/project/sample_module/releases/1.1.1"])
        #expect(try fixture.show(id)["status"] as? String == "published")
        try box.ok(["people", "set", "alice", "--org", "Acme"])
        let announcement = try box.ok(["release", "announce", id, "--highlight", "3400100"]).stdout
        let four = try box.embargo(["release", "announce", id] + ["1", "2", "3", "4"].flatMap { ["--highlight", $0] })
        #expect(four.status == 64 && four.stderr.contains("up to three highlights"), "\(four.stderr)")
        #expect(announcement.contains("Thanks to 4 contributors from 1 organization for 3 issues."), "\(announcement)")
        #expect(announcement.contains("[1.1.1](https://www.drupal.org/project/sample_module/releases/1.1.1)"))
        #expect(announcement.contains("[#3400100](https://www.drupal.org/i/3400100) Keep the greeting short"))
        let list = try box.ok(["release", "list"]).stdout
        #expect(list.contains(id) && list.contains("published"))
    }

    /// A minor release with release candidates: rc1 fails QA and is not
    /// published; rc2 passes and is.
    @Test func aMinorReleaseWithTwoCandidatesAndQA() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try KindsFixture(box)
        try box.merge("feat: #3400200 Greet in several languages\n\nBy: dora", file: "src/languages.txt", on: "1.1.x",
                      remote: fixture.sample.remote, at: "2027-01-04T10:00:00Z")
        let rc1 = try box.json(box.ok(["release", "plan", "--project", SampleProject.name, "--kind", "minor", "--branch", "1.1.x",
                                       "--stability", "rc", "--json"]).stdout)["release"] as? [String: Any]
        let first = try #require(rc1?["id"] as? String)
        #expect(fixture.versions(try #require(rc1)) == ["1.2.0-rc1"])
        #expect((rc1?["versions"] as? [[String: Any]])?.first?["new_branch"] as? String == "1.2.x")
        try box.ok(["release", "tag", first, "--yes"])
        #expect(try fixture.remoteRefs().contains("refs/heads/1.2.x"))
        // The branch the release made is one of the project's release branches now.
        #expect(try box.ok(["project", "show", SampleProject.name]).stdout.contains("1.2.x"))
        try box.ok(["release", "qa", first, "--fail", "--note", "the settings form breaks"])
        // A minor release on a patch Wednesday is allowed, with a warning naming the rule.
        let wednesday = try box.embargo(["release", "plan", "--project", SampleProject.name, "--kind", "minor", "--branch", "1.0.x",
                                         "--at", "2027-01-06T16:00Z"])
        #expect(wednesday.status == 0 && wednesday.stderr.contains("drupal.patch-wednesday"))
        let refused = try box.embargo(["release", "published", first, "--url", "https://example.org/rc1"])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("QA failed") && refused.stderr.contains("the settings form breaks"))
        // A passed QA written into the store around embargo is no signed QA: still refused.
        try box.tamper(as: "alice") { db, _ in
            try db.execute(sql: "INSERT INTO release_qa (release, at, by, passed, note) VALUES (?, '2099-01-01T00:00:00Z', 'alice', 1, '')",
                           arguments: [first])
        }
        let forged = try box.embargo(["release", "published", first, "--url", "https://example.org/rc1"])
        #expect(forged.status == 3 && forged.stderr.contains("QA failed"), "\(forged.stderr)")

        try box.merge("fix: #3400201 Repair the settings form\n\nBy: erin", file: "src/settings.txt", on: "1.2.x",
                      remote: fixture.sample.remote, at: "2027-01-05T10:00:00Z")
        let rc2 = try box.json(box.ok(["release", "plan", "--project", SampleProject.name, "--kind", "minor", "--branch", "1.1.x",
                                       "--stability", "rc", "--json"]).stdout)["release"] as? [String: Any]
        let second = try #require(rc2?["id"] as? String)
        #expect(fixture.versions(try #require(rc2)) == ["1.2.0-rc2"])
        #expect((rc2?["versions"] as? [[String: Any]])?.first?["branch"] as? String == "1.2.x")
        let unpublished = try box.embargo(["release", "published", second])
        #expect(unpublished.status == 3, "an untagged release was published")
        try box.ok(["release", "tag", second, "--yes"])
        try box.ok(["release", "verify", second])
        let noQA = try box.embargo(["release", "published", second])
        #expect(noQA.status == 3 && noQA.stderr.contains("no QA is recorded"))
        // QA by whoever tagged goes through, and says it is meant as a second look.
        let qa = try box.ok(["release", "qa", second, "--pass"])
        #expect(qa.stderr.contains("warning: you tagged \(second) yourself"), "\(qa.stderr)")
        try box.ok(["release", "published", second, "--url", "https://example.org/rc2"])
        let node = try box.ok(["release", "node", second]).stdout
        #expect(node.contains("Release candidate 2 of 1.2.0"))
    }

    /// A breaking change makes a major release on a new branch; its upgrade
    /// path, attached from a file, is in the change record.
    @Test func aMajorReleaseWithABreakingChangeAndItsChangeRecord() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try KindsFixture(box)
        try box.merge("Issue #3400500 by hank: Rename the greeter service (Breaking Change)", file: "src/rename.txt", on: "1.1.x",
                      remote: fixture.sample.remote, at: "2027-01-04T10:00:00Z")
        let planned = try box.json(box.ok(["release", "plan", "--project", SampleProject.name, "--kind", "major", "--branch", "1.1.x", "--json"]).stdout)
        let release = try #require(planned["release"] as? [String: Any])
        let id = try #require(release["id"] as? String)
        #expect(fixture.versions(release) == ["2.0.0"])
        #expect((release["versions"] as? [[String: Any]])?.first?["new_branch"] as? String == "2.0.x")
        let missing = try box.embargo(["release", "change-record", id, "--issue", "3400500"])
        #expect(missing.status == 1 && missing.stderr.contains("has no upgrade path"))
        try "Rename every use of sample_module.greeter to sample_module.welcome.\n".write(toFile: box.path("upgrade.md"), atomically: true, encoding: .utf8)
        try box.ok(["release", "upgrade-path", id, "--issue", "3400500", "--file", box.path("upgrade.md")])
        let notes = try box.ok(["notes", id]).stdout
        #expect(notes.contains("Upgrade Path") && notes.contains("Rename every use of sample_module.greeter to sample_module.welcome."))
        let record = try box.ok(["release", "change-record", id, "--issue", "3400500"]).stdout
        #expect(record.contains("Title: Rename the greeter service"))
        #expect(record.contains("Introduced in branch: 2.0.x") && record.contains("Introduced in version: 2.0.0"))
        #expect(record.contains("Issue links: https://www.drupal.org/i/3400500"))
        #expect(record.contains("Rename every use of sample_module.greeter to sample_module.welcome."))
        #expect(try box.embargo(["release", "change-record", id, "--issue", "3400020"]).status == 1, "an issue outside the release has a change record")
    }

    /// A critical release goes out on any day, here a Friday; a tag not yet
    /// published can be taken back.
    @Test func aCriticalReleaseOnAFridayAndARevertedTag() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try KindsFixture(box)
        try box.merge("fix: #3400300 Stop the crash on empty names\n\nBy: frank", file: "src/crash.txt", on: "1.1.x",
                      remote: fixture.sample.remote, at: "2027-01-08T08:00:00Z")
        // The next window of a patch release is a Wednesday at 16:00 UTC.
        let next = try box.json(box.ok(at: "2027-01-08 08:30:00", ["release", "plan", "--project", SampleProject.name, "--kind", "patch",
                                                                 "--next-window", "--json"]).stdout)
        #expect((next["release"] as? [String: Any])?["planned_at"] as? String == "2027-01-13T16:00:00Z")
        // A critical release takes the version first: the scheduled one is planned again after it.
        let critical = ["release", "plan", "--project", SampleProject.name, "--kind", "critical", "--branch", "1.1.x", "--at", "2027-01-08T10:00Z"]
        #expect(try box.embargo(at: "2027-01-08 08:30:00", critical).stderr.contains("1.1.1 is planned already"))
        let dropped = try #require((next["release"] as? [String: Any])?["id"] as? String)
        try box.ok(["release", "drop", dropped])
        let planned = try box.json(box.ok(at: "2027-01-08 08:30:00", ["release", "plan", "--project", SampleProject.name, "--kind", "critical",
                                                                    "--branch", "1.1.x", "--at", "2027-01-08T10:00Z", "--json"]).stdout)
        let id = try #require((planned["release"] as? [String: Any])?["id"] as? String)
        #expect(id != dropped, "a dropped release's id is not given again: the audit trail names it")
        try box.ok(at: "2027-01-08 09:00:00", ["release", "tag", id, "--yes"])
        #expect(try fixture.remoteRefs().contains("refs/tags/1.1.1"))

        let reverted = try box.ok(["release", "revert", id]).stdout
        #expect(reverted.contains("deleted tags 1.1.1 on origin"))
        #expect(reverted.contains("tell the publishing manager"))
        #expect(!(try fixture.remoteRefs()).contains("refs/tags/1.1.1"))
        #expect(try box.run("git", ["-C", fixture.sample.repository.path, "rev-parse", "--verify", "--quiet", "refs/tags/1.1.1"]).status != 0)
        #expect(try fixture.show(id)["status"] as? String == "planned")

        // Tagged again, the branch keeps its one changelog entry for 1.1.1.
        try box.ok(at: "2027-01-08 09:30:00", ["release", "tag", id, "--yes"])
        #expect(try fixture.remoteRefs().contains("refs/tags/1.1.1"))
        let changelog = try box.run("git", ["--git-dir", fixture.sample.remote.path, "show", "1.1.x:CHANGELOG.md"]).stdout
        #expect(changelog.components(separatedBy: "## 1.1.1\n").count == 2, "\(changelog)")
        try box.ok(["release", "verify", id])
    }
}

@Suite("a security release in drupal.org's order: tag first, then the SA")
struct SecurityReleaseDayCLITests {
    /// One advisory and one ordinary fix on the same Wednesday: the tag is
    /// refused the day before, pushed at 11:00 UTC of the disclosure day
    /// without --early, exactly as reviewed; the SA closes the embargo.
    @Test func taggedAtElevenOnTheDisclosureDayAndClosedWithTheSA() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)
        // An ordinary fix merged before the pre-release goes out with the security fix.
        try box.merge("fix: #3400400 Fix a typo in the help text\n\nBy: gina", file: "help.txt", on: "1.1.x",
                      remote: release.sample.remote, at: "2026-01-01T00:00:00Z")
        try box.ok(["patch", "verify", "ADV-2026-001"])
        try release.approvedPrerelease()
        // The pre-release made the advisory's security release, at its disclosure, with its versions.
        let listed = try box.json(box.ok(["release", "list", "--json"]).stdout)["releases"] as? [[String: Any]]
        let planned = try #require(listed?.first { ($0["advisories"] as? [String]) == ["ADV-2026-001"] })
        let id = try #require(planned["id"] as? String)
        #expect(planned["kind"] as? String == "security")
        #expect(planned["planned_at"] as? String == "2027-01-06T16:00:00Z")
        #expect((planned["versions"] as? [[String: Any]])?.compactMap { $0["version"] as? String } == ["1.0.2", "1.1.1"])
        #expect(try box.embargo(["release", "plan", "--project", SampleProject.name, "--kind", "security", "--advisory", "ADV-2026-001"]).status == 3,
                "an advisory went into two releases")

        let before = try box.run("git", ["ls-remote", release.sample.remote.path]).stdout
        let dayBefore = try box.embargo(at: "2027-01-05 12:00:00", ["release", "tag", id, "--yes"])
        #expect(dayBefore.status == 3)
        #expect(dayBefore.stderr.contains("rule drupal.tag-day") && dayBefore.stderr.contains("2027-01-06T00:00:00Z"))
        #expect(try box.run("git", ["ls-remote", release.sample.remote.path]).stdout == before)

        try box.ok(at: "2027-01-06 11:00:00", ["release", "tag", id, "--yes"])
        let shown = try box.json(box.ok(["release", "show", id, "--json"]).stdout)["release"] as? [String: Any]
        #expect(shown?["status"] as? String == "tagged")
        let refs = try box.run("git", ["ls-remote", release.sample.remote.path]).stdout
        for version in shown?["versions"] as? [[String: Any]] ?? [] {
            // Exactly the reviewed objects: the tag object id is the one the security team approved.
            let object = try #require(version["tag_object"] as? String)
            #expect(refs.contains("\(object)\trefs/tags/\(version["version"] as? String ?? "-")\n"))
        }
        // The ordinary fix is in the tag too.
        #expect(try box.run("git", ["--git-dir", release.sample.remote.path, "cat-file", "-e", "1.1.1:help.txt"]).status == 0)
        // Until the SA is out, the advisory is embargoed in the store, its fix public;
        // 'publish' does not end the embargo before its time on its own.
        #expect(try box.ok(["advisory", "show", "ADV-2026-001"]).stdout.contains("approved, tagged with \(id): the SA publishes it"))
        let publish = try box.embargo(at: "2027-01-06 12:00:00", ["publish", "ADV-2026-001", "--out", box.path("too-soon")])
        #expect(publish.status == 3, "\(publish.stderr)")
        #expect(publish.stderr.contains("was tagged first, in drupal.org's order; the advisory stays embargoed until 2027-01-06T16:00:00Z"))
        #expect(try box.advisoryStatus() == "approved")
        #expect(!FileManager.default.fileExists(atPath: box.path("too-soon/advisory.osv.json")))
        // A dry run of publishing it early shows the pushed release staying as it is, not one dated anew.
        let dryRun = try box.ok(at: "2027-01-06 12:00:00", ["publish", "ADV-2026-001", "--dry-run", "--early", "--reason", "a test"]).stdout
        #expect(dryRun.contains("push: every branch and tag is already on origin") && !dryRun.contains("would push"), "\(dryRun)")
        let status = try box.ok(["status", "ADV-2026-001"]).stdout
        #expect(status.contains("release \(id) is tagged and public; the SA is not published yet"))
        #expect(status.contains("embargo release published \(id) --sa-url URL"))
        let node = try box.ok(["release", "node", id]).stdout
        #expect(node.contains("tick \"Security update\"") && node.contains("coordinated with the Drupal Security Team")
                && node.contains("Short description: (none"))

        // A backup steps in: another member who may publish records the SA, not only who tagged.
        try box.addMember("carol", role: "publisher")
        let published = try box.ok(at: "2027-01-06 16:20:00", ["release", "published", id, "--sa-url", "https://www.drupal.org/sa-contrib-2027-001",
                                                                "--url", "https://www.drupal.org/project/sample_module/releases/1.1.1",
                                                                "--out", box.path("public"), "--identity", box.path("carol.identity")])
        #expect(try box.advisoryStatus() == "published")
        // The advisory had no SA id: the address names it, and the way to record it is said.
        #expect(published.stdout.contains("--sa-id SA-CONTRIB-2027-001 --reason TEXT"), "\(published.stdout)")
        #expect(FileManager.default.fileExists(atPath: box.path("public/advisory.osv.json")))
        let announcement = try box.ok(["release", "announce", id]).stdout
        #expect(announcement.contains("Everyone using sample_module should update now."))
        #expect(!announcement.lowercased().contains("scripting") && !announcement.contains("htmlspecialchars"))
    }
}

extension SecurityReleaseDayCLITests {
    /// Tagged the day before with --early REASON: pushed, and dated when it
    /// happened (tags and changelog), the reason on the signed trail.
    @Test func taggedEarlyWithAReasonIsDatedWhenItHappened() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)
        try release.approvedPrerelease()
        let listed = try box.json(box.ok(["release", "list", "--json"]).stdout)["releases"] as? [[String: Any]]
        let id = try #require(listed?.first?["id"] as? String)
        try box.ok(at: "2027-01-05 12:00:00", ["release", "tag", id, "--yes", "--early", "the distributions ship on Tuesday"])
        let tagger = try box.run("git", ["--git-dir", release.sample.remote.path, "for-each-ref", "--format=%(taggerdate:iso-strict)", "refs/tags/1.1.1"]).stdout
        // The clock runs on from the faked start: the tag is dated within the minutes after it.
        #expect(tagger.hasPrefix("2027-01-05T12:0"), "\(tagger)")
        let changelog = try box.run("git", ["--git-dir", release.sample.remote.path, "show", "1.1.1:CHANGELOG.md"]).stdout
        #expect(changelog.contains("Released 2027-01-05"), "\(changelog)")
        let trail = try box.ok(["audit", "list", "--advisory", "ADV-2026-001"]).stdout
        #expect(trail.contains("early: the distributions ship on Tuesday"), "\(trail)")
    }

    /// The pre-push guard lets exactly the approved release's tag through,
    /// from the start of the disclosure day: pushed by hand from the
    /// reviewed git bundle, refused the day before, accepted on the day;
    /// another commit carrying the fix stays refused.
    @Test func theGuardLetsTheApprovedTagThroughOnTheDisclosureDayOnly() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)
        try box.ok(["guard", "install", "--project", SampleProject.name])
        try release.approvedPrerelease()
        try Self.fetchReviewedTag(box, release)

        let dayBefore = try box.run("faketime", ["2027-01-05 12:00:00", "git", "-C", release.repo.path, "push", "origin", "refs/tags/1.1.1"])
        #expect(dayBefore.status != 0, "the approved tag went out the day before")
        #expect(dayBefore.stderr.contains("ADV-2026-001"))
        // The same fix in another commit is no approved object: refused on the day too.
        try box.git(["-C", release.repo.path, "checkout", "--quiet", "-b", "copy", "1.1.1^{commit}"])
        try box.git(["-C", release.repo.path, "commit", "--quiet", "--allow-empty", "-m", "Another commit on top"])
        let other = try box.run("faketime", ["2027-01-06 11:00:00", "git", "-C", release.repo.path, "push", "origin", "copy"])
        #expect(other.status != 0, "a commit that is not the approved release carried the fix out")
        let onTheDay = try box.run("faketime", ["2027-01-06 11:00:00", "git", "-C", release.repo.path, "push", "origin", "refs/tags/1.1.1"])
        #expect(onTheDay.status == 0, "the approved tag was refused on the disclosure day: \(onTheDay.stderr)")
        #expect(try box.run("git", ["ls-remote", release.sample.remote.path, "refs/tags/1.1.1"]).stdout.contains("refs/tags/1.1.1"))
    }

    /// An approval written into the table around embargo, with no signed
    /// entry behind it, lets nothing through the guard on the disclosure day.
    @Test func theGuardIgnoresAnApprovalTheTrailDoesNotHold() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)
        let manifest = try #require(try release.prerelease()["manifest_sha256"] as? String)
        try box.tamper(as: "alice") { db, _ in
            try db.execute(sql: "INSERT INTO approvals (advisory, prerelease, manifest_hash, approved_at, approved_by) SELECT advisory, seq, manifest_hash, created_at, 'bob' FROM prereleases WHERE manifest_hash = ?",
                           arguments: [manifest])
            try db.execute(sql: "UPDATE advisories SET status = 'approved' WHERE id = 'ADV-2026-001'")
        }
        try box.ok(["guard", "install", "--project", SampleProject.name])
        try Self.fetchReviewedTag(box, release)
        let onTheDay = try box.run("faketime", ["2027-01-06 11:00:00", "git", "-C", release.repo.path, "push", "origin", "refs/tags/1.1.1"])
        #expect(onTheDay.status != 0, "a forged approval let the tag through")
    }

    /// Puts the reviewed tag 1.1.1 into the project's clone from the bundle in
    /// the outbox, as a maintainer would push it by hand.
    static func fetchReviewedTag(_ box: Sandbox, _ release: ReleaseFixture) throws {
        let outbox = box.root.appendingPathComponent("outbox")
        let bundle = try #require(try FileManager.default.contentsOfDirectory(atPath: outbox.path).first { $0.hasSuffix(".tar.age") })
        let unpack = box.root.appendingPathComponent("unpacked")
        try FileManager.default.createDirectory(at: unpack, withIntermediateDirectories: true)
        #expect(try box.run("age", ["-d", "-i", box.path("bob.identity"), "-o", unpack.appendingPathComponent("bundle.tar").path,
                                    outbox.appendingPathComponent(bundle).path]).status == 0)
        #expect(try box.run("tar", ["-xf", "bundle.tar"], directory: unpack).status == 0)
        try box.git(["-C", release.repo.path, "fetch", "--quiet", unpack.appendingPathComponent("artifacts/sample_module-1.1.1.git-bundle").path,
                     "refs/tags/1.1.1:refs/tags/1.1.1"])
    }
}

@Suite("releases in a team store")
struct ReleaseTeamCLITests {
    /// A release planned on one machine, and QA recorded on another, reach
    /// every member through the team remote, each under its signed entry.
    @Test func aReleaseAndItsQAReachTheTeam() throws {
        let team = try Team(members: [("quinn", "qa")])
        defer { team.remove() }
        let planned = try team["alice"].json(team["alice"].ok(["release", "plan", "--project", "sample", "--kind", "minor", "--json"]).stdout)
        let id = try #require((planned["release"] as? [String: Any])?["id"] as? String)
        try team["alice"].ok(["store", "sync"])
        try team["quinn"].ok(["store", "sync"])
        try team["quinn"].ok(["release", "qa", id, "--fail", "--note", "the form breaks"])
        try team["quinn"].ok(["store", "sync"])
        try team["alice"].ok(["store", "sync"])
        for name in ["alice", "quinn"] {
            let shown = try team[name].json(team[name].ok(["release", "show", id, "--json"]).stdout)["release"] as? [String: Any]
            #expect((shown?["qa"] as? [[String: Any]])?.first?["note"] as? String == "the form breaks", "\(name)")
            try team[name].ok(["audit", "verify"])
        }
        // QA may record results, not plan releases.
        #expect(try team["quinn"].embargo(["release", "plan", "--project", "sample", "--kind", "patch"]).status == 3)
    }
}

extension ReleaseTeamCLITests {
    /// Two members plan a release each while offline: both take the same
    /// number; the second to sync gets the next one, said in one line, and
    /// its QA and audit entries follow the new number.
    @Test func releasesPlannedOfflineOnTwoMachinesGetNumbersOfTheirOwn() throws {
        let team = try Team(members: [("bob", "preparer")])
        defer { team.remove() }
        try team["alice"].ok(["store", "sync"])
        try team["bob"].ok(["store", "sync"])
        let offline = ["GIT_ALLOW_PROTOCOL": "ssh"]
        let alice = try team["alice"].json(team["alice"].ok(["release", "plan", "--project", "sample", "--kind", "minor", "--json", "--offline"],
                                                             env: offline).stdout)["release"] as? [String: Any]
        let bob = try team["bob"].json(team["bob"].ok(["release", "plan", "--project", "sample", "--kind", "major", "--json", "--offline"],
                                                         env: offline).stdout)["release"] as? [String: Any]
        let taken = try #require(alice?["id"] as? String)
        #expect(bob?["id"] as? String == taken, "both machines should have picked the same number offline")
        try team["bob"].ok(["release", "qa", taken, "--fail", "--note", "major not ready"], env: offline)
        try team["alice"].ok(["store", "sync"])
        let synced = try team["bob"].ok(["store", "sync"])
        let renamed = String(format: "REL-%@-%03d", String(taken.dropFirst(4).prefix(4)), Int(taken.suffix(3))! + 1)
        #expect((synced.stdout + synced.stderr).contains("renumbered \(taken) to \(renamed)"))
        for name in ["alice", "bob"] {
            try team[name].ok(["store", "sync"])
            let list = try team[name].json(team[name].ok(["release", "list", "--json"]).stdout)["releases"] as? [[String: Any]] ?? []
            #expect(list.first { $0["id"] as? String == taken }?["kind"] as? String == "minor", "\(name)")
            let moved = list.first { $0["id"] as? String == renamed }
            #expect(moved?["kind"] as? String == "major", "\(name)")
            #expect((moved?["qa"] as? [[String: Any]])?.first?["note"] as? String == "major not ready", "\(name)")
            try team[name].ok(["audit", "verify"])
        }
    }
}

@Suite("a security release carrying two advisories")
struct TwoAdvisoriesReleaseCLITests {
    /// The fix of ADV-2026-001 on both branches and a second advisory's fix
    /// on 1.1.x, released on one Wednesday: one pre-release holds both, each
    /// advisory is approved on it, the tags carry both fixes, and each SA
    /// closes its own advisory.
    @Test func onePrereleaseEachApprovedOneTagBothPublished() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)
        try Self.addSecondAdvisory(box, release, at: "2027-01-06T17:00Z")

        // One release is public at one moment: advisories disclosed at different times are refused together.
        let apart = try box.embargo(["release", "plan", "--project", SampleProject.name, "--kind", "security",
                                     "--advisory", "ADV-2026-001", "--advisory", "ADV-2026-002"])
        #expect(apart.status == 3)
        #expect(apart.stderr.contains("ADV-2026-001 at 2027-01-06T16:00:00Z, ADV-2026-002 at 2027-01-06T17:00:00Z"), "\(apart.stderr)")
        try box.ok(["schedule", "ADV-2026-002", "--at", "2027-01-06T16:00Z"])
        let planned = try box.json(box.ok(["release", "plan", "--project", SampleProject.name, "--kind", "security",
                                           "--advisory", "ADV-2026-001", "--advisory", "ADV-2026-002", "--json"]).stdout)["release"] as? [String: Any]
        let id = try #require(planned?["id"] as? String)

        // Building the pre-release of either builds it for both.
        let report = try box.json(box.ok(["prerelease", "ADV-2026-002", "--out", box.path("outbox"), "--json"]).stdout)
        let manifest = try #require(report["manifest"] as? [String: Any])
        #expect(manifest["advisories"] as? [String] == ["ADV-2026-001", "ADV-2026-002"])
        #expect((manifest["public_digests"] as? [String: String])?.count == 2)
        let hash = try #require(report["manifest_sha256"] as? String)
        let bundle = try #require(report["bundle"] as? String)
        for advisory in ["ADV-2026-001", "ADV-2026-002"] {
            #expect(try box.advisoryStatus(advisory) == "prereleased")
        }
        let opened = try box.json(box.ok(["prerelease", "verify", bundle, "--identity", box.path("bob.identity"), "--json"]).stdout)
        let paths = (opened["files"] as? [[String: String]] ?? []).compactMap { $0["path"] }
        for path in ["advisory/ADV-2026-001/drupal-sa.txt", "advisory/ADV-2026-002/osv.json"] {
            #expect(paths.contains(path), "\(paths)")
        }
        #expect(paths.contains { $0.hasPrefix("patches/ADV-2026-002/1.1.x/0001-") })
        #expect(paths.contains { $0.hasPrefix("patches/ADV-2026-001/1.0.x/0001-") })

        // Approved for one advisory only, the tags hold a fix nobody approved: refused, nothing pushed.
        try box.ok(["approve", "ADV-2026-001", "--sha256", hash, "--identity", box.path("bob.identity")])
        let waiting = try box.ok(["status", "ADV-2026-001"]).stdout
        #expect(waiting.contains("ADV-2026-002, released with it, is prereleased") && waiting.contains("embargo approve ADV-2026-002 --sha256 \(hash)"),
                "\(waiting)")
        let before = try box.run("git", ["ls-remote", release.sample.remote.path]).stdout
        let half = try box.embargo(at: "2027-01-06 11:00:00", ["release", "tag", id, "--yes"])
        #expect(half.status == 3)
        #expect(half.stderr.contains("ADV-2026-002, released with ADV-2026-001, has no approval of the pre-release they share"), "\(half.stderr)")
        #expect(try box.run("git", ["ls-remote", release.sample.remote.path]).stdout == before)

        // Reverting one takes both back: they share the pre-release and its approvals.
        let reverted = try box.ok(["revert", "ADV-2026-002"]).stdout
        #expect(reverted.contains("ADV-2026-001, released with ADV-2026-002, is ready again"), "\(reverted)")
        for advisory in ["ADV-2026-001", "ADV-2026-002"] {
            #expect(try box.advisoryStatus(advisory) == "ready")
        }
        try FileManager.default.removeItem(atPath: bundle)
        let again = try box.json(box.ok(["prerelease", "ADV-2026-001", "--out", box.path("outbox"), "--json"]).stdout)
        let newHash = try #require(again["manifest_sha256"] as? String)
        let stale = try box.embargo(["approve", "ADV-2026-002", "--sha256", hash, "--identity", box.path("bob.identity")])
        #expect(stale.status == 3, "an approval of the reverted pre-release counted")
        for advisory in ["ADV-2026-001", "ADV-2026-002"] {
            try box.ok(["approve", advisory, "--sha256", newHash, "--identity", box.path("bob.identity")])
        }
        try box.ok(at: "2027-01-06 11:00:00", ["release", "tag", id, "--yes"])
        let remote = release.sample.remote.path
        #expect(try box.run("git", ["--git-dir", remote, "show", "1.1.1:src/Form/SettingsForm.php"]).stdout.contains("LIMIT = 5"))
        #expect(try box.run("git", ["--git-dir", remote, "show", "1.1.1:src/Controller/PageController.php"]).stdout.contains("htmlspecialchars"))
        #expect(try box.run("git", ["--git-dir", remote, "show", "1.0.2:src/Form/SettingsForm.php"]).stdout.contains("LIMIT = 10"))

        // Each advisory is closed by its own SA.
        let vague = try box.embargo(at: "2027-01-06 16:20:00", ["release", "published", id, "--sa-url", "https://www.drupal.org/sa-contrib-2027-001"])
        #expect(vague.status == 64)
        #expect(vague.stderr.contains("say whose SA") && vague.stderr.contains("--sa-url ADV-2026-002=URL"), "\(vague.stderr)")
        try box.ok(at: "2027-01-06 16:20:00", ["release", "published", id,
                                                "--sa-url", "ADV-2026-001=https://www.drupal.org/sa-contrib-2027-001",
                                                "--sa-url", "adv-2026-002=https://www.drupal.org/sa-contrib-2027-002",
                                                "--out", box.path("public")])
        for advisory in ["ADV-2026-001", "ADV-2026-002"] {
            #expect(try box.advisoryStatus(advisory) == "published")
            #expect(FileManager.default.fileExists(atPath: box.path("public/\(advisory)/advisory.osv.json")))
        }
        let closed = try box.json(box.ok(["release", "show", id, "--json"]).stdout)["release"] as? [String: Any]
        #expect(closed?["status"] as? String == "published")
        #expect(closed?["sa_url"] as? String
                == "ADV-2026-001=https://www.drupal.org/sa-contrib-2027-001 ADV-2026-002=https://www.drupal.org/sa-contrib-2027-002")
        try box.ok(["audit", "verify"])
    }
}

extension TwoAdvisoriesReleaseCLITests {
    /// ADV-2026-002, a second advisory of the fixture's project, fixed on
    /// 1.1.x only (in another file than ADV-2026-001), verified, disclosed at `at`.
    static func addSecondAdvisory(_ box: Sandbox, _ release: ReleaseFixture, at: String) throws {
        try box.ok(["advisory", "create", "--project", SampleProject.name, "--title", "The settings list has no upper bound",
                    "--public-title", "Denial of service", "--branch", "1.1.x",
                    "--risk", "AC:None/A:None/CI:None/II:None/E:Theoretical/TD:All"])
        try box.ok(["advisory", "status", "ADV-2026-002", "confirmed"])
        try box.git(["-C", release.repo.path, "checkout", "--quiet", "-b", "fix-limit", "1.1.x"])
        let form = release.repo.appendingPathComponent("src/Form/SettingsForm.php")
        try String(contentsOf: form, encoding: .utf8).replacingOccurrences(of: "LIMIT = 10", with: "LIMIT = 5")
            .write(to: form, atomically: true, encoding: .utf8)
        try box.git(["-C", release.repo.path, "commit", "--quiet", "-am", "Issue #3400031 by maintainer: Show five settings per page"])
        try box.git(["-C", release.repo.path, "checkout", "--quiet", "1.1.x"])
        try box.ok(["patch", "add", "ADV-2026-002", "--branch", "1.1.x", "--from-ref", "fix-limit"])
        try box.ok(["patch", "verify", "ADV-2026-002"])
        try box.ok(["schedule", "ADV-2026-002", "--at", at])
    }

    /// An advisory found after the first one's pre-release was approved joins
    /// its release: its own release is dropped, the approved pre-release no
    /// longer counts, and the next one holds both fixes.
    @Test func anAdvisoryAddedLaterVoidsTheEarlierPrerelease() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)
        try release.approvedPrerelease()
        try Self.addSecondAdvisory(box, release, at: "2027-01-06T16:00Z")
        try box.ok(["prerelease", "ADV-2026-002", "--out", box.path("second")])
        let releases = try box.json(box.ok(["release", "list", "--json"]).stdout)["releases"] as? [[String: Any]] ?? []
        let ids = releases.compactMap { $0["id"] as? String }
        #expect(ids.count == 2)
        let (carrier, own) = (ids[0], ids[1])

        // A new plan for both is refused and points at adding the second to the first's release.
        let planBoth = try box.embargo(["release", "plan", "--project", SampleProject.name, "--kind", "security",
                                        "--advisory", "ADV-2026-001", "--advisory", "ADV-2026-002", "--offline"])
        #expect(planBoth.status == 3 && planBoth.stderr.contains("'embargo release add \(carrier) --advisory ADV-2026-002'"), "\(planBoth.stderr)")
        try box.ok(["schedule", "ADV-2026-002", "--at", "2027-01-06T17:00Z"])
        #expect(try box.embargo(["release", "add", carrier, "--advisory", "ADV-2026-002"]).status == 3, "joined a release disclosed at another time")
        try box.ok(["schedule", "ADV-2026-002", "--at", "2027-01-06T16:00Z"])
        let added = try box.ok(["release", "add", carrier, "--advisory", "ADV-2026-002"]).stdout
        #expect(added.contains("dropped \(own)") && added.contains("\(carrier) carries ADV-2026-001, ADV-2026-002"), "\(added)")
        let listed = try box.json(box.ok(["release", "list", "--json"]).stdout)["releases"] as? [[String: Any]] ?? []
        #expect(listed.compactMap { $0["id"] as? String } == [carrier])
        for advisory in ["ADV-2026-001", "ADV-2026-002"] {
            #expect(try box.advisoryStatus(advisory) == "ready", "\(advisory)")
        }
        // The approval of the pre-release without the second fix is void: nothing can be tagged from it.
        let stale = try box.embargo(at: "2027-01-06 11:00:00", ["release", "tag", carrier, "--yes"])
        #expect(stale.status == 3 && stale.stderr.contains("ADV-2026-001 has no pre-release"), "\(stale.stderr)")
        let both = try box.json(box.ok(["prerelease", "ADV-2026-001", "--out", box.path("both"), "--json"]).stdout)
        #expect((both["manifest"] as? [String: Any])?["advisories"] as? [String] == ["ADV-2026-001", "ADV-2026-002"])
        try box.ok(["audit", "verify"])
    }
}

extension SecurityReleaseDayCLITests {
    /// The advisory's security release, approved and tagged at 11:00 UTC on the
    /// disclosure day (its SA id set first, if given): the fixture and the release id.
    static func taggedFirst(_ box: Sandbox, saID: String? = nil, at time: String = "2027-01-06 11:00:00") throws -> (ReleaseFixture, String, Run) {
        let release = try ReleaseFixture(box)
        if let saID { try box.ok(["advisory", "edit", "ADV-2026-001", "--sa-id", saID]) }
        try release.approvedPrerelease()
        let listed = try box.json(box.ok(["release", "list", "--json"]).stdout)["releases"] as? [[String: Any]]
        let id = try #require(listed?.first?["id"] as? String)
        let tagged = try box.ok(at: time, ["release", "tag", id, "--yes"])
        return (release, id, tagged)
    }

    /// A security release tagged first whose SA is not out may be taken back
    /// (drupal.org: a tag that is not yet published may be reverted): the tags
    /// go, and the message says the release commits stay on the branches.
    @Test func aReleaseTaggedFirstIsRevertedBeforeItsSA() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (release, id, tagged) = try Self.taggedFirst(box, at: "2027-01-06 13:00:00")
        #expect(try box.run("git", ["ls-remote", release.sample.remote.path]).stdout.contains("refs/tags/1.1.1"))
        // Its public issue reads as any release's; its own steps, in drupal.org's order, are said beside it.
        let issue = try box.ok(["release", "issue", id])
        #expect(issue.stdout.contains("Release nodes made from the tags") && !issue.stdout.lowercased().contains("security")
                && !issue.stdout.contains("sa-url"), "\(issue.stdout)")
        #expect(issue.stderr.contains("tell the Security Team on the private issue") && issue.stderr.contains("'embargo release published \(id) --url URL --sa-url URL'"),
                "\(issue.stderr)")
        // Past 11:00 UTC the tags are late for the Security Team: said when they are pushed.
        #expect(tagged.stdout.contains("warning: the tags were due by 2027-01-06T11:00:00Z"), "\(tagged.stdout)")
        let reverted = try box.ok(at: "2027-01-06 14:00:00", ["revert", "ADV-2026-001"]).stdout
        #expect(reverted.contains("stay on") && reverted.contains("tell the security team"), "\(reverted)")
        #expect(!(try box.run("git", ["ls-remote", release.sample.remote.path]).stdout.contains("refs/tags/1.1.1")))
        #expect(try box.advisoryStatus() == "ready")
        try box.ok(["audit", "verify"])
    }
}

extension ReleaseKindsCLITests {
    /// Breaking changes need a major release: a patch release that would
    /// carry one is refused, naming it, unless the reason to do so anyway is
    /// given (and recorded on the signed trail). A patch release is not
    /// tagged before its merge cutoff either.
    @Test func aPatchReleaseDoesNotCarryABreakingChangeUnasked() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try KindsFixture(box)
        try box.merge("fix: #3400200 Allow an empty API key (Breaking Change)\n\nBy: erin", file: "src/key.txt", on: "1.1.x",
                      remote: fixture.sample.remote, at: "2027-01-04T10:00:00Z")
        let planned = try box.json(box.ok(at: "2027-01-04 09:00:00", ["release", "plan", "--project", SampleProject.name, "--kind", "patch",
                                                                    "--at", "2027-01-06T16:00Z", "--json"]).stdout)
        let id = try #require((planned["release"] as? [String: Any])?["id"] as? String)
        // Before the merge cutoff (end of Tuesday), merges still to come would miss the release.
        let tooSoon = try box.embargo(at: "2027-01-05 12:00:00", ["release", "tag", id, "--yes"])
        #expect(tooSoon.status == 3 && tooSoon.stderr.contains("is tagged after its merge cutoff (2027-01-05T23:59:59Z)"), "\(tooSoon.stderr)")
        let refused = try box.embargo(at: "2027-01-06 09:00:00", ["release", "tag", id, "--yes"])
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("breaking changes need a major release") && refused.stderr.contains("1.1.1: #3400200 Allow an empty API key"),
                "\(refused.stderr)")
        #expect(!(try fixture.remoteRefs()).contains("refs/tags/1.1.1"))
        try box.ok(at: "2027-01-06 09:05:00", ["release", "tag", id, "--yes", "--allow-breaking", "the key was never enforced"])
        #expect(try fixture.remoteRefs().contains("refs/tags/1.1.1"))
        let trail = try box.ok(["audit", "list"]).stdout
        #expect(trail.contains("breaking changes allowed: the key was never enforced"), "\(trail)")
        // Published after the window (16:00-20:00 UTC): recorded, with a warning naming the rule.
        let late = try box.ok(at: "2027-01-06 21:00:00", ["release", "published", id, "--url", "https://example.org/1.1.1"])
        #expect(late.stdout.contains("warning: ") && late.stdout.contains("drupal.window"), "\(late.stdout)")
    }
}

extension SecurityReleaseDayCLITests {
    /// The SA's address names its id; one that is not the advisory's is
    /// refused before anything is published (a wrong address, or a wrong id).
    @Test func anSAAddressNamingAnotherIdIsRefused() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let (_, id, _) = try Self.taggedFirst(box, saID: "SA-CONTRIB-2027-001")
        let wrong = try box.embargo(at: "2027-01-06 16:20:00", ["release", "published", id, "--sa-url", "https://www.drupal.org/sa-contrib-2027-009",
                                                                "--out", box.path("public")])
        #expect(wrong.status == 3, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("is SA-CONTRIB-2027-009, but the SA id of ADV-2026-001 is SA-CONTRIB-2027-001"), "\(wrong.stderr)")
        #expect(try box.advisoryStatus() == "approved")
        try box.ok(at: "2027-01-06 16:25:00", ["release", "published", id, "--sa-url", "https://www.drupal.org/sa-contrib-2027-001",
                                                "--out", box.path("public")])
        #expect(try box.advisoryStatus() == "published")
    }
}

extension ReleaseKindsCLITests {
    /// A scheduled patch release of every branch leaves out a branch with
    /// nothing since its last release (its notes would say "No changes").
    @Test func aPatchReleaseLeavesOutABranchWithoutChanges() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try KindsFixture(box)
        try box.merge("fix: #3400500 Keep the greeting short\n\nBy: alice", file: "src/short.txt", on: "1.1.x",
                      remote: fixture.sample.remote, at: "2027-01-04T10:00:00Z")
        let planned = try box.json(box.ok(at: "2027-01-04 09:00:00", ["release", "plan", "--project", SampleProject.name, "--kind", "patch",
                                                                    "--at", "2027-01-06T16:00Z", "--json"]).stdout)
        #expect(fixture.versions(try #require(planned["release"] as? [String: Any])) == ["1.1.1"])
    }
}
