import EmbargoKit
import Foundation
import Testing

/// The sample module with an advisory whose fix is verified on both branches,
/// and bob from the security team.
struct ReleaseFixture {
    let box: Sandbox
    let sample: SampleProject

    init(_ box: Sandbox) throws {
        self.box = box
        try box.initStore()
        try box.addMember("bob", role: "security")
        let root = box.root.appendingPathComponent("sample")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        sample = try SampleProject.create(at: root)
        try box.ok(["project", "add", SampleProject.name, "--repo", sample.repository.path, "--remote", "origin",
                    "--branch", "1.0.x", "--branch", "1.1.x"])
        try box.ok(["advisory", "create", "--project", SampleProject.name, "--title", "Page title is not escaped",
                    "--public-title", "Cross site scripting", "--risk", "AC:Basic/A:None/CI:Some/II:Some/E:Theoretical/TD:Default"])
        try box.ok(["advisory", "status", "ADV-2026-001", "confirmed"])
        try box.ok(["schedule", "ADV-2026-001", "--at", "2027-01-06T16:00Z"])
        try Self.addTitleFix(box, repo: repo)
        try box.git(["-C", repo.path, "branch", "--quiet", "-D", "fix-1.0.x", "fix-1.1.x"])
        try box.ok(["patch", "verify", "ADV-2026-001"])
    }

    var repo: URL { sample.repository }

    /// The fix of the sample module's page title, committed on a branch
    /// `fix-B` of each release branch B and added as B's series of ADV-2026-001.
    static func addTitleFix(_ box: Sandbox, repo: URL) throws {
        for branch in ["1.0.x", "1.1.x"] {
            try box.git(["-C", repo.path, "checkout", "--quiet", "-b", "fix-\(branch)", branch])
            let file = repo.appendingPathComponent("src/Controller/PageController.php")
            let text = try String(contentsOf: file, encoding: .utf8)
            try text.replacingOccurrences(of: "'Hello ' . $name", with: "'Hello ' . htmlspecialchars($name)")
                .write(to: file, atomically: true, encoding: .utf8)
            try box.git(["-C", repo.path, "commit", "--quiet", "-am", "Issue #3400030 by maintainer: Tidy the page title"])
            try box.ok(["patch", "add", "ADV-2026-001", "--branch", branch, "--from-ref", "fix-\(branch)"])
        }
        try box.git(["-C", repo.path, "checkout", "--quiet", "1.1.x"])
    }

    /// A pre-release into `outbox` (unless `extra` names another `--out`). A bundle is never
    /// replaced, so the one an earlier call left there goes first: it was sent.
    func prerelease(_ extra: [String] = [], env: [String: String] = [:]) throws -> [String: Any] {
        if !extra.contains("--out") {
            let outbox = box.root.appendingPathComponent("outbox")
            for name in (try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? [] where name.contains(".prerelease.tar.") {
                try FileManager.default.removeItem(at: outbox.appendingPathComponent(name))
            }
        }
        let run = try box.ok(["prerelease", "ADV-2026-001", "--out", box.path("outbox"), "--json"] + extra, env: env)
        return try box.json(run.stdout)
    }

    /// A pre-release approved by bob of the security team: its manifest's SHA-256.
    @discardableResult
    func approvedPrerelease() throws -> String {
        let manifest = try #require(try prerelease()["manifest_sha256"] as? String)
        try box.ok(["approve", "ADV-2026-001", "--sha256", manifest, "--identity", box.path("bob.identity")])
        return manifest
    }

    func manifestBranches(_ report: [String: Any]) throws -> [[String: Any]] {
        try #require((report["manifest"] as? [String: Any])?["branches"] as? [[String: Any]])
    }

    func aliceKey() throws -> String {
        try box.json(box.ok(["identity", "show", "--json"]).stdout)["signing_key"] as! String
    }
}

@Suite("pre-release bundles through the CLI")
struct PrereleaseCLITests {
    @Test func aRecipientOpensAndChecksTheBundleWithStandardTools() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        let objectsBefore = try box.run("git", ["-C", fixture.repo.path, "cat-file", "--batch-all-objects", "--batch-check"]).stdout
        let report = try fixture.prerelease()
        let bundle = try #require(report["bundle"] as? String)
        #expect(bundle.hasSuffix("sample_module-1.0.2-1.1.1.prerelease.tar.age"))
        // Nothing of the fix entered the project's repository, nothing is left in temporary directories.
        #expect(try box.run("git", ["-C", fixture.repo.path, "cat-file", "--batch-all-objects", "--batch-check"]).stdout == objectsBefore)
        #expect(box.files(under: box.root.appendingPathComponent("tmp")).isEmpty)

        let unpack = box.root.appendingPathComponent("unpacked")
        try FileManager.default.createDirectory(at: unpack, withIntermediateDirectories: true)
        let decrypted = try box.run("age", ["-d", "-i", box.path("bob.identity"), "-o", unpack.appendingPathComponent("bundle.tar").path, bundle])
        #expect(decrypted.status == 0, "age -d: \(decrypted.stderr)")
        #expect(try box.run("tar", ["-xf", "bundle.tar"], directory: unpack).status == 0)
        let minisign = try box.run("minisign", ["-Vm", "SHA256SUMS", "-P", fixture.aliceKey()], directory: unpack)
        #expect(minisign.status == 0, "minisign: \(minisign.stdout)\(minisign.stderr)")
        let sums = try box.run("sha256sum", ["-c", "SHA256SUMS"], directory: unpack)
        #expect(sums.status == 0, "sha256sum: \(sums.stdout)")
        #expect(sums.stdout.contains("artifacts/sample_module-1.0.2.tar.gz: OK"))
        for path in ["manifest.json", "advisory/drupal-sa.txt", "advisory/osv.json", "release-notes/1.0.x.md", "release-notes/1.1.x.md",
                     "artifacts/sample_module-1.1.1.zip"] {
            #expect(FileManager.default.fileExists(atPath: unpack.appendingPathComponent(path).path), "bundle lacks \(path)")
        }
        #expect(box.files(under: unpack.appendingPathComponent("patches/1.0.x")).count == 1)

        // The archive holds the fix and the CHANGELOG entry.
        #expect(try box.run("tar", ["-xzf", "artifacts/sample_module-1.0.2.tar.gz"], directory: unpack).status == 0)
        let controller = try String(contentsOf: unpack.appendingPathComponent("sample_module/src/Controller/PageController.php"), encoding: .utf8)
        #expect(controller.contains("htmlspecialchars($name)"))
        let changelog = try String(contentsOf: unpack.appendingPathComponent("sample_module/CHANGELOG.md"), encoding: .utf8)
        #expect(changelog.hasPrefix("# Changelog\n\n## 1.0.2\n\nReleased 2027-01-06."))
        #expect(changelog.contains("Tidy the page title"))

        // The release commit from the git bundle is the manifest's, and its archive is the manifest's archive.
        let manifest = try fixture.manifestBranches(report)
        let checkout = box.root.appendingPathComponent("reviewer")
        try box.git(["clone", "--quiet", fixture.repo.path, checkout.path])
        for branch in manifest {
            let plan = try #require(branch["plan"] as? [String: Any])
            let version = try #require(plan["version"] as? String)
            try box.git(["-C", checkout.path, "fetch", "--quiet", unpack.appendingPathComponent("artifacts/sample_module-\(version).git-bundle").path,
                         "refs/tags/\(version):refs/tags/\(version)"])
            #expect(try box.run("git", ["-C", checkout.path, "rev-parse", "\(version)^{commit}"]).stdout.trimmingCharacters(in: .newlines)
                    == branch["release_commit"] as? String)
            #expect(try box.run("git", ["-C", checkout.path, "rev-parse", version]).stdout.trimmingCharacters(in: .newlines)
                    == branch["tag_object"] as? String)
            let archive = box.path("rebuilt-\(version).tar.gz")
            try box.git(["-C", checkout.path, "archive", "--format=tar.gz", "--prefix=sample_module/", "--output=\(archive)", version])
            let rebuilt = try box.run("sha256sum", [archive]).stdout.prefix(64)
            let expected = (branch["archives"] as? [[String: Any]])?.first { ($0["name"] as? String)?.hasSuffix(".tar.gz") == true }?["sha256"] as? String
            #expect(String(rebuilt) == expected, "the archive of the release commit differs from the bundle's")
        }

        // embargo's own verification agrees, with the store or with the signer's key alone.
        let verified = try box.ok(["prerelease", "verify", bundle, "--identity", box.path("bob.identity")]).stdout
        #expect(verified.hasPrefix("bundle ok: signed by alice"))
        let standalone = try box.ok(["prerelease", "verify", bundle, "--identity", box.path("bob.identity"), "--signer-key", fixture.aliceKey()],
                                    env: ["EMBARGO_STORE": box.path("no-store-here")])
        #expect(standalone.stdout.hasPrefix("bundle ok"))

        // The advisory is prereleased, and the timeline and audit trail say so.
        let shown = try box.json(box.ok(["advisory", "show", "ADV-2026-001", "--json"]).stdout)["advisory"] as? [String: Any]
        #expect(shown?["status"] as? String == "prereleased")
        let timeline = try box.ok(["timeline", "ADV-2026-001"]).stdout
        #expect(timeline.contains("pre-release 1.0.2, 1.1.1 sent to 1 recipient(s)"))
    }

    @Test func buildingTwiceGivesIdenticalCommitsTagsAndArchives() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        let first = try fixture.manifestBranches(fixture.prerelease())
        let second = try fixture.manifestBranches(fixture.prerelease())
        for (a, b) in zip(first, second) {
            #expect(a["release_commit"] as? String == b["release_commit"] as? String)
            #expect(a["tag_object"] as? String == b["tag_object"] as? String)
            #expect(a["branch_head"] as? String == b["branch_head"] as? String)
            let hashes = { (x: [String: Any]) in (x["archives"] as? [[String: Any]])?.compactMap { $0["sha256"] as? String } }
            #expect(hashes(a) == hashes(b) && hashes(a)?.count == 2)
        }
        #expect(Set(first.compactMap { $0["release_commit"] as? String }).count == 2)
    }

    /// A release tagged on a branch after the first pre-release moves the next
    /// one's version; the advisory drafts in the new bundle name that version too.
    @Test func aNewPrereleaseDraftsTheAdvisoryForItsOwnVersions() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        #expect(try fixture.manifestBranches(fixture.prerelease()).compactMap { ($0["plan"] as? [String: Any])?["version"] as? String }
                == ["1.0.2", "1.1.1"])
        // A regular release of 1.0.x, made public meanwhile.
        try box.git(["-C", fixture.repo.path, "checkout", "--quiet", "1.0.x"])
        try "Notes.\n".write(to: fixture.repo.appendingPathComponent("NOTES.md"), atomically: true, encoding: .utf8)
        try box.git(["-C", fixture.repo.path, "add", "NOTES.md"])
        try box.git(["-C", fixture.repo.path, "commit", "--quiet", "-m", "Add notes"])
        try box.git(["-C", fixture.repo.path, "tag", "-a", "1.0.2", "-m", "Release 1.0.2"])
        try box.git(["-C", fixture.repo.path, "push", "--quiet", "origin", "1.0.x", "1.0.2"])
        try box.git(["-C", fixture.repo.path, "checkout", "--quiet", "1.1.x"])
        try box.ok(["patch", "verify", "ADV-2026-001"])

        let report = try fixture.prerelease()
        #expect(try fixture.manifestBranches(report).compactMap { ($0["plan"] as? [String: Any])?["version"] as? String } == ["1.0.3", "1.1.1"])
        let unpack = box.root.appendingPathComponent("second")
        try FileManager.default.createDirectory(at: unpack, withIntermediateDirectories: true)
        let bundle = try #require(report["bundle"] as? String)
        #expect(try box.run("age", ["-d", "-i", box.path("bob.identity"), "-o", unpack.appendingPathComponent("bundle.tar").path, bundle]).status == 0)
        #expect(try box.run("tar", ["-xf", "bundle.tar"], directory: unpack).status == 0)
        let osv = try box.json(String(contentsOf: unpack.appendingPathComponent("advisory/osv.json"), encoding: .utf8))
        let fixed = ((osv["affected"] as? [[String: Any]]) ?? []).flatMap { ($0["ranges"] as? [[String: Any]]) ?? [] }
            .flatMap { ($0["events"] as? [[String: Any]]) ?? [] }.compactMap { $0["fixed"] as? String }
        #expect(fixed.sorted() == ["1.0.3", "1.1.1"], "\(osv)")
        let drupal = try String(contentsOf: unpack.appendingPathComponent("advisory/drupal-sa.txt"), encoding: .utf8)
        #expect(drupal.contains("1.0.3") && !drupal.contains("1.0.2 or"), "\(drupal)")
    }

    /// Commit ids and tag objects of a fixed plan, as the versions before the sparse
    /// checkout made them: pre-releases built by those still publish. The series
    /// renames a file with a quoted name, deletes one and adds one. A pre-release
    /// made now writes the drupal.org layout of release notes into CHANGELOG.md
    /// (other ids, pinned too); its plan without `changelog_layout`, as earlier
    /// versions wrote it, still builds the very commits and tags they made.
    @Test func releaseIdsAreTheOnesEarlierVersionsGave() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        try box.addMember("bob", role: "security")
        let repo = box.root.appendingPathComponent("repo")
        let remote = box.root.appendingPathComponent("remote.git")
        func write(_ path: String, _ text: String) throws {
            let url = repo.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: false, encoding: .utf8)
        }
        func git(_ arguments: [String]) throws { try box.git(["-C", repo.path] + arguments) }
        try box.git(["init", "--quiet", "--bare", remote.path])
        try box.git(["init", "--quiet", "--initial-branch=1.0.x", repo.path])
        try write("src/Greeter.php", "<?php\nfunction greet($n) {\n  return \"Hello \" . $n;\n}\n")
        try write("src/Old name é.php", "old\n")
        try write("src/Legacy.php", "legacy\n")
        try write("docs/guide.txt", "doc\n")
        try write("CHANGELOG.md", "# Changelog\n\n## 1.0.0\n\n- First.\n")
        try write(".gitattributes", "*.php diff=php\n")
        try git(["add", "-A"])
        try git(["commit", "--quiet", "-m", "Issue #1 by a: Initial"])
        try git(["tag", "-a", "-m", "Release 1.0.0", "1.0.0"])
        try git(["branch", "1.1.x"])
        try git(["checkout", "--quiet", "1.1.x"])
        try write("src/Feature.php", "new\n")
        try git(["add", "-A"])
        try git(["commit", "--quiet", "-m", "Issue #2 by b: Feature"])
        try git(["tag", "-a", "-m", "Release 1.1.0", "1.1.0"])
        try git(["remote", "add", "origin", remote.path])
        try git(["push", "--quiet", "origin", "1.0.x", "1.1.x", "--tags"])
        try box.ok(["project", "add", "mod", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x", "--branch", "1.1.x"])
        try box.ok(["advisory", "create", "--project", "mod", "--title", "Greeter"])
        try box.ok(["advisory", "status", "ADV-2026-001", "confirmed"])
        try box.ok(["schedule", "ADV-2026-001", "--at", "2027-01-06T16:00Z"])
        for branch in ["1.0.x", "1.1.x"] {
            try git(["checkout", "--quiet", "-b", "fix-\(branch)", branch])
            try write("src/Greeter.php", "<?php\nfunction greet($n) {\n  return \"Hello \" . htmlspecialchars($n);\n}\n")
            try git(["mv", "src/Old name é.php", "src/Renamed.php"])
            try write("src/Renamed.php", "old\nmore\n")
            try git(["rm", "--quiet", "src/Legacy.php"])
            try write("src/Ünï helper.php", "helper\n")
            try git(["add", "-A"])
            try git(["commit", "--quiet", "-m", "Issue #3 by c: Tidy the greeting"])
            try box.ok(["patch", "add", "ADV-2026-001", "--branch", branch, "--from-ref", "fix-\(branch)"])
        }
        try git(["checkout", "--quiet", "1.1.x"])
        try box.ok(["patch", "verify", "ADV-2026-001"])
        let report = try box.json(box.ok(["prerelease", "ADV-2026-001", "--out", box.path("outbox"), "--json"]).stdout)
        let branches = try #require((report["manifest"] as? [String: Any])?["branches"] as? [[String: Any]])
        #expect(branches.map { $0["branch_head"] as? String } == ["5c31f107e1122d1df4428f8da66f83e47afba027", "bdbf18c54fdc9c5dbc485d0bfeeb67190dce7c2b"])
        #expect(branches.map { $0["release_commit"] as? String } == branches.map { $0["branch_head"] as? String })
        #expect(branches.map { $0["tag_object"] as? String } == ["bbb04b03cc54c6f9d733f29bd88265ecf9cb67c6", "ce3381968a01ca3e29b495475a9e4fd03566cd3a"])

        // The same plans as an earlier version wrote them: no changelog layout.
        let runner = SystemProcessRunner()
        let clone = try PrivateClone(repository: repo, runner: runner, workTree: .sparse)
        defer { clone.remove() }
        let builder = ReleaseBuilder(clone: clone, runner: runner)
        var earlier: [BranchRelease] = []
        for branch in branches {
            var plan = try #require(branch["plan"] as? [String: Any])
            #expect(plan.removeValue(forKey: "changelog_layout") as? Int == ReleasePlan.currentChangelogLayout)
            let decoded = try JSONDecoder().decode(ReleasePlan.self, from: JSONSerialization.data(withJSONObject: plan))
            let series = try box.ok(["patch", "show", "ADV-2026-001", "--branch", decoded.branch]).stdout
            earlier.append(try builder.build(decoded, series: series, project: "mod").release)
        }
        #expect(earlier.map(\.branchHead) == ["0ef204abeed15f23c328a23fe999ee5a6d9bdcdf", "92b450aa6249776ab54f54f627ab4f2b64387032"])
        #expect(earlier.map(\.tagObject) == ["895d5c42bcd91ce1209b9b4aad1164faee0c2ffb", "f4214045deafcb410a60d768200cbfdee29ecbe7"])
    }

    @Test func anOpenPGPRecipientDecryptsWithGPG() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        let gnupg = box.root.appendingPathComponent("gnupg")
        try FileManager.default.createDirectory(at: gnupg, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let env = ["GNUPGHOME": gnupg.path]
        let key = try box.run("gpg", ["--batch", "--passphrase", "", "--quick-gen-key", "Security Team <security@example.org>",
                                      "default", "default", "never"], env: env)
        #expect(key.status == 0, "gpg --quick-gen-key: \(key.stderr)")
        let report = try fixture.prerelease(["--gpg-recipient", "security@example.org"], env: env)
        let gpgBundle = try #require(report["gpg_bundle"] as? String)
        let unpack = box.root.appendingPathComponent("gpg-unpacked")
        try FileManager.default.createDirectory(at: unpack, withIntermediateDirectories: true)
        let decrypted = try box.run("gpg", ["--batch", "--quiet", "--decrypt", "--output", unpack.appendingPathComponent("bundle.tar").path, gpgBundle], env: env)
        #expect(decrypted.status == 0, "gpg --decrypt: \(decrypted.stderr)")
        #expect(try box.run("tar", ["-xf", "bundle.tar"], directory: unpack).status == 0)
        #expect(try box.run("minisign", ["-Vm", "SHA256SUMS", "-P", fixture.aliceKey()], directory: unpack).status == 0)
        #expect(try box.run("sha256sum", ["-c", "--quiet", "SHA256SUMS"], directory: unpack).status == 0)
        #expect((report["recipients"] as? [String])?.contains("gpg:security@example.org") == true)
    }

    @Test func refusalsAndDamagedBundles() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        let report = try fixture.prerelease()
        let bundle = try #require(report["bundle"] as? String)

        // A flipped byte anywhere: exit 4; a foreign identity without the store, which cannot tell it from damage: exit 4.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: bundle))
        for position in [10, bytes.count / 2, bytes.count - 3] {
            var damaged = bytes
            damaged[position] ^= 0x20
            try damaged.write(to: URL(fileURLWithPath: box.path("damaged.age")))
            let result = try box.embargo(["prerelease", "verify", box.path("damaged.age"), "--identity", box.path("bob.identity")])
            #expect(result.status == 4, "flip at \(position): \(result.stderr)")
        }
        try box.ok(["identity", "new", "--out", box.path("eve.identity")])
        let foreign = try box.embargo(["prerelease", "verify", bundle, "--identity", box.path("eve.identity"), "--signer-key", fixture.aliceKey()])
        #expect(foreign.status == 4)
        #expect(foreign.stderr.contains("cannot be opened with this identity"))
        // An unknown signer: exit 4.
        let other = try box.json(box.ok(["identity", "show", "--identity", box.path("eve.identity"), "--json"]).stdout)["signing_key"] as! String
        let unknown = try box.embargo(["prerelease", "verify", bundle, "--identity", box.path("bob.identity"), "--signer-key", other])
        #expect(unknown.status == 4)
        #expect(unknown.stderr.contains("not signed by a known member"))
        bytes.removeAll()

        // The branch moved on the remote: the pre-release fetches it, the series is no longer
        // verified on its head; refused before building.
        let colleague = box.root.appendingPathComponent("colleague")
        try box.git(["clone", "--quiet", "--branch", "1.0.x", fixture.sample.remote.path, colleague.path])
        try box.git(["-C", colleague.path, "commit", "--quiet", "--allow-empty", "-m", "Issue #3400040 by maintainer: Unrelated"])
        try box.git(["-C", colleague.path, "push", "--quiet", "origin", "1.0.x"])
        let moved = try box.embargo(["prerelease", "ADV-2026-001", "--out", box.path("outbox")])
        #expect(moved.status == 3)
        #expect(moved.stderr.contains("the series for 1.0.x is not verified on the branch's current head"))

        // Without a security member and without --recipient there is nobody to send to.
        try box.ok(["patch", "verify", "ADV-2026-001"])
        try box.ok(["member", "role", "bob", "qa"])
        let nobody = try box.embargo(["prerelease", "ADV-2026-001", "--out", box.path("outbox")])
        #expect(nobody.status == 3)
        #expect(nobody.stderr.contains("no member has the security role"))
        // A qa member may not build a pre-release.
        let qa = try box.embargo(["prerelease", "ADV-2026-001", "--out", box.path("outbox"), "--identity", box.path("bob.identity")])
        #expect(qa.status == 3)
        #expect(qa.stderr.contains("needs role admin or preparer"))
    }
}
