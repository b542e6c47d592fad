import EmbargoKit
import Foundation
import Testing

/// A pre-released, approved advisory whose disclosure time has come.
struct PublishFixture {
    let release: ReleaseFixture
    var box: Sandbox { release.box }
    var remote: URL { release.sample.remote }

    init(_ box: Sandbox) throws {
        release = try ReleaseFixture(box)
        _ = try release.prerelease()
        try box.ok(["approve", "ADV-2026-001", "--bundle", try bundle(), "--identity", box.path("bob.identity")])
        try box.ok(["schedule", "ADV-2026-001", "--at", "2026-01-07T16:00Z", "--allow-violation", "the release day is in the past for this test"])
    }

    func manifest() throws -> [[String: Any]] {
        let run = try box.ok(["prerelease", "verify", try bundle(), "--identity", box.path("bob.identity"), "--json"])
        return try #require((box.json(run.stdout)["manifest"] as? [String: Any])?["branches"] as? [[String: Any]])
    }

    func bundle() throws -> String {
        let outbox = box.root.appendingPathComponent("outbox")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: outbox.path).first { $0.hasSuffix(".tar.age") })
        return outbox.appendingPathComponent(name).path
    }

    func remoteRefs() throws -> String {
        try box.run("git", ["ls-remote", remote.path]).stdout
    }

    func status() throws -> String? { try box.advisoryStatus() }

    /// The remote holds exactly the manifest's branch heads and tags.
    func expectPublished(_ manifest: [[String: Any]], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let refs = try remoteRefs()
        for branch in manifest {
            let plan = branch["plan"] as? [String: Any]
            let name = plan?["branch"] as? String ?? "?"
            let version = plan?["version"] as? String ?? "?"
            #expect(refs.contains("\(branch["branch_head"] as? String ?? "-")\trefs/heads/\(name)"), sourceLocation: sourceLocation)
            #expect(refs.contains("\(branch["tag_object"] as? String ?? "-")\trefs/tags/\(version)\n"), sourceLocation: sourceLocation)
            #expect(refs.contains("\(branch["release_commit"] as? String ?? "-")\trefs/tags/\(version)^{}"), sourceLocation: sourceLocation)
        }
        #expect(try status() == "published", sourceLocation: sourceLocation)
    }
}

@Suite("publication through the CLI")
struct PublishCLITests {
    /// `git remote add origin ../module.git` is read against the project's
    /// clone, not against the throwaway clone the release is pushed from.
    @Test func aRemoteGivenAsARelativePathIsReadAgainstTheProjectsClone() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try PublishFixture(box)
        let manifest = try fixture.manifest()
        let repo = fixture.release.repo.standardizedFileURL.pathComponents
        let remote = fixture.remote.standardizedFileURL.pathComponents
        let common = zip(repo, remote).prefix { $0 == $1 }.count
        let relative = (Array(repeating: "..", count: repo.count - common) + remote.dropFirst(common)).joined(separator: "/")
        try box.git(["-C", fixture.release.repo.path, "remote", "set-url", "origin", relative])

        try box.ok(["publish", "ADV-2026-001", "--out", box.path("public")])
        try fixture.expectPublished(manifest)
    }

    @Test func twoBranchesPublishedInOneAtomicPushExactlyAsReviewed() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try PublishFixture(box)
        let manifest = try fixture.manifest()
        let before = try fixture.remoteRefs()

        let dry = try box.ok(["publish", "ADV-2026-001", "--dry-run", "--out", box.path("public")])
        #expect(dry.stdout.contains("[dry run] would push atomically to origin"))
        #expect(try fixture.remoteRefs() == before, "a dry run changed the remote")
        #expect(try fixture.status() == "approved")
        #expect(!FileManager.default.fileExists(atPath: box.path("public")))

        let published = try box.ok(["publish", "ADV-2026-001", "--out", box.path("public")])
        #expect(published.stdout.contains("re-created 2 release(s): identical to the pre-release manifest"))
        try fixture.expectPublished(manifest)

        // Archives rebuilt from the public tags have the manifest's hashes.
        let clone = box.root.appendingPathComponent("public-clone")
        try box.git(["clone", "--quiet", fixture.remote.path, clone.path])
        for branch in manifest {
            let version = (branch["plan"] as? [String: Any])?["version"] as? String ?? "?"
            for archive in branch["archives"] as? [[String: Any]] ?? [] {
                let name = archive["name"] as? String ?? "?"
                let format = name.hasSuffix(".zip") ? "zip" : "tar.gz"
                try box.git(["-C", clone.path, "archive", "--format=\(format)", "--prefix=sample_module/", "--output=\(box.path(name))", version])
                let hash = try box.run("sha256sum", [box.path(name)]).stdout.prefix(64)
                #expect(String(hash) == archive["sha256"] as? String, "\(name) rebuilt from the public tag differs")
            }
        }
        // The public documents, valid OSV among them, and no private title anywhere.
        let files = try FileManager.default.contentsOfDirectory(atPath: box.path("public")).sorted()
        #expect(files.contains("advisory.osv.json") && files.contains("announcement.slack.txt") && files.contains("release-notes-1.0.2.md"))
        for file in files {
            let text = try String(contentsOfFile: box.path("public/\(file)"), encoding: .utf8)
            #expect(!text.contains("Page title is not escaped"), "\(file) holds the private title")
            #expect(!text.contains("EMBARGOED"), "\(file) is still marked as a draft")
        }
        let osv = try box.json(try String(contentsOfFile: box.path("public/advisory.osv.json"), encoding: .utf8))
        #expect(((osv["affected"] as? [[String: Any]])?.first?["database_specific"] as? [String: Any])?["affected_versions"] as? String
                == "<1.0.2 || >=1.1.0 <1.1.1")
        #expect(osv["published"] != nil)

        // Publishing again says so and changes nothing.
        let refs = try fixture.remoteRefs()
        let again = try box.ok(["publish", "ADV-2026-001"])
        #expect(again.stdout.contains("already published"))
        #expect(try fixture.remoteRefs() == refs)
        // Exports no longer need --draft; revert is refused.
        try box.ok(["export", "ADV-2026-001", "--format", "drupal"])
        let revert = try box.embargo(["revert", "ADV-2026-001"])
        #expect(revert.status == 3)
        #expect(revert.stderr.contains("fix forward"))
        // The maintainer's clone has the tags now, and its remote-tracking branches are at the release heads.
        #expect(try box.run("git", ["-C", fixture.release.repo.path, "rev-parse", "--verify", "refs/tags/1.0.2"]).status == 0)
        for branch in manifest {
            let name = (branch["plan"] as? [String: Any])?["branch"] as? String ?? "?"
            let tracking = try box.run("git", ["-C", fixture.release.repo.path, "rev-parse", "refs/remotes/origin/\(name)"]).stdout
            #expect(tracking.trimmingCharacters(in: .newlines) == branch["branch_head"] as? String, "origin/\(name) was not fetched")
        }
    }

    @Test func aBuildCommandRunsOnTheWholeTreeAndItsCommitIsRebuiltIdentically() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)
        // The build reads a file the fix does not touch, so it needs every file of the branch.
        try box.ok(["project", "set", SampleProject.name, "--build-command", "mkdir -p dist && cp sample_module.info.yml dist/info.yml",
                    "--required-path", "dist"])
        let branches = try release.manifestBranches(release.prerelease())
        for branch in branches {
            #expect(branch["release_commit"] as? String != branch["branch_head"] as? String, "no build commit for the tag")
        }
        try release.approvedPrerelease()
        try box.ok(["schedule", "ADV-2026-001", "--at", "2026-01-07T16:00Z", "--allow-violation", "the release day is in the past for this test"])
        let published = try box.ok(["publish", "ADV-2026-001", "--out", box.path("public")])
        #expect(published.stdout.contains("re-created 2 release(s): identical to the pre-release manifest"))
        let refs = try box.run("git", ["ls-remote", release.sample.remote.path]).stdout
        for branch in branches {
            let version = (branch["plan"] as? [String: Any])?["version"] as? String ?? "?"
            #expect(refs.contains("\(branch["release_commit"] as? String ?? "-")\trefs/tags/\(version)^{}"))
            let built = try box.run("git", ["--git-dir", release.sample.remote.path, "show", "\(version):dist/info.yml"])
            #expect(built.status == 0 && built.stdout.hasPrefix("name: Sample module"), "\(version) lacks the built file")
        }
    }

    @Test func refusedBeforeTheDisclosureTimeUnlessEarlyWithAReason() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try PublishFixture(box)
        try box.ok(["schedule", "ADV-2026-001", "--at", "2099-01-07T16:00Z", "--allow-violation", "far away"])
        let before = try fixture.remoteRefs()
        let refused = try box.embargo(["publish", "ADV-2026-001"])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("the embargo of ADV-2026-001 lasts until 2099-01-07T16:00:00Z"))
        #expect(try fixture.remoteRefs() == before)
        #expect(try box.embargo(["publish", "ADV-2026-001", "--early"]).status == 64)
        let started = Int(Date().timeIntervalSince1970)
        let published = try box.ok(["publish", "ADV-2026-001", "--early", "--reason", "exploited in the wild", "--out", box.path("public")])
        #expect(published.stdout.contains("dated the release at the publication time: every commit holds the reviewed tree, author and message"))
        #expect(try box.ok(["timeline", "ADV-2026-001"]).stdout.contains("before the disclosure time: exploited in the wild"))

        // Tags, commits, changelog and SA all carry the publication time, not the scheduled one.
        let osv = try box.json(String(decoding: try Data(contentsOf: URL(fileURLWithPath: box.path("public/advisory.osv.json"))), as: UTF8.self))
        let saDate = try #require((osv["published"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(Int(saDate.timeIntervalSince1970) >= started)
        for branch in try fixture.manifest() {
            let version = try #require((branch["plan"] as? [String: Any])?["version"] as? String)
            let dates = try box.run("git", ["--git-dir", fixture.remote.path, "for-each-ref", "--format=%(taggerdate:unix) %(*committerdate:unix)",
                                            "refs/tags/\(version)"]).stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            #expect(dates == [Int(saDate.timeIntervalSince1970), Int(saDate.timeIntervalSince1970)], "\(version) is not dated at the publication")
            let changelog = try box.run("git", ["--git-dir", fixture.remote.path, "show", "\(version):CHANGELOG.md"]).stdout
            let day = String(ISO8601DateFormatter().string(from: saDate).prefix(10))
            #expect(changelog.contains("Released \(day)."), "the changelog of \(version) is not dated \(day)")
            let reviewed = try #require(branch["release_commit"] as? String)
            #expect(try box.run("git", ["--git-dir", fixture.remote.path, "cat-file", "-e", reviewed]).status != 0,
                    "the reviewed commit itself went public although it is dated at the scheduled time")
        }
        #expect(try fixture.status() == "published")
    }

    /// A build whose output depends on the date cannot be re-dated without
    /// changing what was reviewed: the early publication stops before any push.
    @Test func anEarlyPublicationWhoseBuildDependsOnTheDateIsRefusedBeforeAnyPush() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)
        try box.ok(["project", "set", SampleProject.name, "--build-command", "mkdir -p dist && git log -1 --format=%cd > dist/when.txt",
                    "--required-path", "dist"])
        try release.approvedPrerelease()
        try box.ok(["schedule", "ADV-2026-001", "--at", "2099-01-07T16:00Z", "--allow-violation", "far away"])
        let before = try box.run("git", ["ls-remote", release.sample.remote.path]).stdout
        let refused = try box.embargo(["publish", "ADV-2026-001", "--early", "--reason", "exploited in the wild", "--out", box.path("public")])
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("differs from the reviewed one in more than its dates"))
        #expect(try box.run("git", ["ls-remote", release.sample.remote.path]).stdout == before)
    }

    @Test func aMovedBranchIsRefusedBeforeAnyPush() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try PublishFixture(box)
        // Someone pushes to 1.1.x after the pre-release.
        let other = box.root.appendingPathComponent("other")
        try box.git(["clone", "--quiet", "--branch", "1.1.x", fixture.remote.path, other.path])
        try box.git(["-C", other.path, "commit", "--quiet", "--allow-empty", "-m", "Issue #3400099 by someone: Late change"])
        try box.git(["-C", other.path, "push", "--quiet", "origin", "1.1.x"])
        let before = try fixture.remoteRefs()
        let refused = try box.embargo(["publish", "ADV-2026-001"])
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("branch 1.1.x moved since the pre-release"))
        #expect(refused.stderr.contains("new pre-release"))
        #expect(try fixture.remoteRefs() == before)
        #expect(try fixture.status() == "approved")
    }

    @Test func aReleaseThatDoesNotRebuildToTheReviewedIdsIsRefusedBeforeAnyPush() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try PublishFixture(box)
        // Someone moves the previous release's tag: the release notes, and so the
        // changelog commit, come out different from what the security team reviewed.
        try box.git(["-C", fixture.release.repo.path, "tag", "--force", "--annotate", "--message", "Release 1.0.1", "1.0.1", "1.0.0^{commit}"])
        let before = try fixture.remoteRefs()
        let refused = try box.embargo(["publish", "ADV-2026-001", "--out", box.path("public")])
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("the release of 1.0.x differs from the pre-release (branch head, release commit, tag object)"),
                "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing was pushed"))
        #expect(try fixture.remoteRefs() == before)
        #expect(try fixture.status() == "approved")
        #expect(!FileManager.default.fileExists(atPath: box.path("public")))
    }

    @Test func aRemoteThatRejectsThePushLeavesNothingHalfPublished() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try PublishFixture(box)
        // The remote refuses tags (a pre-receive hook), so the atomic push fails as a whole.
        let hook = fixture.remote.appendingPathComponent("hooks/pre-receive")
        try "#!/bin/sh\nwhile read old new ref; do case \"$ref\" in refs/tags/*) echo 'tags are frozen' >&2; exit 1;; esac; done\nexit 0\n"
            .write(to: hook, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)
        let before = try fixture.remoteRefs()
        let rejected = try box.embargo(["publish", "ADV-2026-001"])
        #expect(rejected.status == 1)
        #expect(rejected.stderr.contains("rejected the push, nothing was published"))
        #expect(try fixture.remoteRefs() == before, "the remote changed after a rejected push")
        #expect(try fixture.status() == "approved")
        // Once the remote accepts, publication completes.
        try FileManager.default.removeItem(at: hook)
        try box.ok(["publish", "ADV-2026-001", "--out", box.path("public")])
        try fixture.expectPublished(fixture.manifest())
    }

    @Test(arguments: ["checked", "rebuilt", "pushed", "fetched", "marked", "exported", "guarded"])
    func killedAfterEachJournalStepAndRunAgainEndsComplete(_ step: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try PublishFixture(box)
        let manifest = try fixture.manifest()
        let killed = try box.embargo(["publish", "ADV-2026-001", "--out", box.path("public")], env: ["EMBARGO_STOP_AFTER_STEP": step])
        #expect(killed.status != 0, "publish was not stopped after \(step)")
        try box.ok(["store", "verify"])
        let resumed = try box.ok(["publish", "ADV-2026-001", "--out", box.path("public")])
        #expect(resumed.status == 0)
        try fixture.expectPublished(manifest)
        // No duplicates: one tag per version on the remote, one publication entry, the public files there.
        let tags = try fixture.remoteRefs().split(separator: "\n").filter { $0.hasSuffix("refs/tags/1.0.2") || $0.hasSuffix("refs/tags/1.1.1") }
        #expect(tags.count == 2)
        let audit = try box.json(box.ok(["audit", "--advisory", "ADV-2026-001", "--json"]).stdout)["entries"] as? [[String: Any]] ?? []
        #expect(audit.filter { $0["action"] as? String == "advisory.publish" }.count == 1)
        #expect(FileManager.default.fileExists(atPath: box.path("public/advisory.osv.json")))
        #expect(try box.ok(["publish", "ADV-2026-001"]).stdout.contains("already published"))
        try box.ok(["audit", "verify"])
    }

    @Test func approvalsRevertNotesAndAnnouncement() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let release = try ReleaseFixture(box)
        // Only the security role approves; there is nothing to approve before a pre-release.
        #expect(try box.embargo(["approve", "ADV-2026-001", "--identity", box.path("bob.identity")]).status == 3)
        _ = try release.prerelease()
        let manifest = try #require(try release.prerelease()["manifest_sha256"] as? String)
        let alice = try box.embargo(["approve", "ADV-2026-001", "--sha256", manifest])
        #expect(alice.status == 3)
        #expect(alice.stderr.contains("needs role security"))
        // Alice prepared the release, so she cannot vouch for an outside team's approval either (four eyes)...
        let external = ["approve", "ADV-2026-001", "--external", "Drupal Security Team", "--ref", "https://security.drupal.org/node/1",
                        "--sha256", manifest]
        let own = try box.embargo(external)
        #expect(own.status == 3)
        #expect(own.stderr.contains("four eyes"))
        // ...a publisher who did not prepare it can.
        try box.addMember("carol", role: "publisher")
        try box.ok(external + ["--identity", box.path("carol.identity")])
        #expect(try box.json(box.ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["advisory"]
                .flatMap { ($0 as? [String: Any])?["status"] as? String } == "approved")
        // A new pre-release voids the approval: publication is refused until approved again.
        _ = try release.prerelease()
        try box.ok(["schedule", "ADV-2026-001", "--at", "2026-01-07T16:00Z", "--allow-violation", "past"])
        let unapproved = try box.embargo(["publish", "ADV-2026-001"])
        #expect(unapproved.status == 3)
        #expect(unapproved.stderr.contains("no approval of its current pre-release"))

        // Revert before publication: back to ready, the pre-release no longer counts.
        let reverted = try box.ok(["revert", "ADV-2026-001"])
        #expect(reverted.stdout.contains("ADV-2026-001 is ready again"))
        #expect(try box.embargo(["approve", "ADV-2026-001", "--identity", box.path("bob.identity")]).status == 3)

        // Notes from the history since the previous release, with an upgrade path for breaking changes.
        let repo = release.repo
        try box.git(["-C", repo.path, "checkout", "--quiet", "1.1.x"])
        try box.git(["-C", repo.path, "commit", "--quiet", "--allow-empty", "-m", "Issue #3400050 by ann, bob: Rename the greeter option (Breaking Change)"])
        try box.git(["-C", repo.path, "commit", "--quiet", "--allow-empty", "-m", "Issue #3400051 by ann: Faster greetings"])
        try box.git(["-C", repo.path, "push", "--quiet", "origin", "1.1.x"])
        try box.ok(["patch", "verify", "ADV-2026-001"])
        let notes = try box.ok(["notes", "ADV-2026-001"]).stdout
        #expect(notes.contains("## 1.1.1"))
        #expect(notes.contains("Issues resolved since 1.1.0: 3"))
        #expect(notes.contains("### Upgrade Path\n\n- [#3400050](https://www.drupal.org/i/3400050): Rename the greeter option\n"))
        #expect(notes.contains("- [ann](https://www.drupal.org/u/ann) (2)"))
        #expect(notes.contains("[#3400030](https://www.drupal.org/i/3400030): Tidy the page title\n"))
        #expect(notes.contains("- Contributors: 3\n- Issues: 3\n- Commits: 3\n"))
        #expect(!notes.contains("escaped"))
        let html = try box.ok(["notes", "ADV-2026-001", "--format", "html"]).stdout
        #expect(html.contains("<h3>Upgrade Path</h3>"))

        let slack = try box.ok(["announce", "ADV-2026-001", "--format", "slack"]).stdout
        #expect(slack.contains("New releases of *sample_module* are out: 1.0.2 and 1.1.1"))
        #expect(slack.contains("<https://www.drupal.org/project/sample_module/releases/1.1.1|sample_module 1.1.1>"))
        // The announcement passes the leak linter: nothing about the vulnerability.
        for word in ["security", "vulnerab", "escape", "title", "XSS"] { #expect(!slack.localizedCaseInsensitiveContains(word)) }
    }
}
