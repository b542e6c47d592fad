@testable import EmbargoKit
import Foundation
import Testing

/// The sample module with extra files on 1.0.x, and a series per branch that
/// changes, adds, deletes and renames files, some with spaces or non-ASCII
/// letters in their names (which git quotes in the patch headers).
struct ReleaseBuilderFixture {
    let root: URL
    let sample: SampleProject
    let plans: [(ReleasePlan, String)]
    let runner = SystemProcessRunner()

    init() throws {
        let root = try TemporaryDirectory.create(prefix: "embargo-builder-test")
        let sample = try SampleProject.create(at: root)
        let git = Git(repository: sample.repository, runner: SystemProcessRunner(), environment: SampleProject.gitEnvironment())
        func write(_ path: String, _ text: String) throws {
            let url = sample.repository.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        func run(_ arguments: [String]) throws -> String {
            let result = try git.run(arguments)
            #expect(result.status == 0, "git \(arguments.joined(separator: " ")): \(result.stderrText)")
            return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try write("docs/guide.txt", "How to use the module.\n")
        try write("src/Legacy.php", "<?php\n\n// Kept for old sites.\n")
        try write("src/Ancien nom é.php", "<?php\n\nfunction old_name() {\n  return 1;\n}\n\nfunction other() {\n  return 2;\n}\n")
        try write(".gitattributes", "*.php diff=php\n")
        _ = try run(["checkout", "--quiet", "1.0.x"])
        _ = try run(["add", "--all"])
        _ = try run(["commit", "--quiet", "-m", "Issue #3400012 by maintainer: Documentation and helpers"])

        _ = try run(["checkout", "--quiet", "-b", "fix-1.0.x"])
        let controller = "src/Controller/PageController.php"
        try write(controller, try String(contentsOf: sample.repository.appendingPathComponent(controller), encoding: .utf8)
            .replacingOccurrences(of: "'Hello ' . $name", with: "'Hello ' . htmlspecialchars($name)"))
        try write("src/Ünïcode helper.php", "<?php\n\nfunction helper() {}\n")
        _ = try run(["rm", "--quiet", "src/Legacy.php"])
        _ = try run(["mv", "src/Ancien nom é.php", "src/Nouveau.php"])
        try write("src/Nouveau.php", "<?php\n\nfunction new_name() {\n  return 1;\n}\n\nfunction other() {\n  return 2;\n}\n")
        _ = try run(["add", "--all"])
        _ = try run(["commit", "--quiet", "-m", "Issue #3400030 by maintainer: Tidy the page title"])
        let series10 = try run(["format-patch", "--stdout", "-M", "1.0.x..fix-1.0.x"]) + "\n"

        _ = try run(["checkout", "--quiet", "-b", "fix-1.1.x", "1.1.x"])
        let greeter = "src/Service/Greeter.php"
        try write(greeter, try String(contentsOf: sample.repository.appendingPathComponent(greeter), encoding: .utf8)
            .replacingOccurrences(of: "'Hello ' . $name", with: "'Hello ' . htmlspecialchars($name)"))
        _ = try run(["commit", "--quiet", "-am", "Issue #3400031 by maintainer: Tidy the greeting"])
        let series11 = try run(["format-patch", "--stdout", "1.1.x..fix-1.1.x"]) + "\n"
        _ = try run(["checkout", "--quiet", "1.1.x"])

        func plan(_ branch: String, _ version: String, _ previous: String) throws -> ReleasePlan {
            ReleasePlan(branch: branch, baseCommit: try run(["rev-parse", "refs/heads/\(branch)"]), version: version,
                        previousVersion: previous, patchIDs: [], timestamp: 1_799_251_200,
                        committer: "Release Manager <release@example.org>", packageName: SampleProject.name,
                        buildCommand: nil, requiredPaths: [])
        }
        self.root = root
        self.sample = sample
        plans = [(try plan("1.0.x", "1.0.2", "1.0.1"), series10), (try plan("1.1.x", "1.1.1", "1.1.0"), series11)]
        #expect(series10.contains("rename from \"src/Ancien nom \\303\\251.php\""), "the fixture no longer has a quoted rename")
    }

    func remove() { TemporaryDirectory.remove(root) }

    /// Builds and packages both branches in one clone of the given kind.
    func build(_ workTree: PrivateClone.WorkTree) throws -> (clone: PrivateClone, outputs: [ReleaseBuilder.Output]) {
        let clone = try PrivateClone(repository: sample.repository, runner: runner, workTree: workTree)
        let builder = ReleaseBuilder(clone: clone, runner: runner)
        let built = try plans.map { try builder.build($0.0, series: $0.1, project: SampleProject.name) }
        let artifacts = clone.root.appendingPathComponent("artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        return (clone, try builder.package(built, into: artifacts))
    }
}

@Suite("release builder: the same plan gives the same release in a sparse and a full checkout")
struct ReleaseBuilderTests {
    @Test func aSparseCheckoutMakesTheSameCommitsTagsAndArchivesAsAFullOne() throws {
        let fixture = try ReleaseBuilderFixture()
        defer { fixture.remove() }
        let full = try fixture.build(.full)
        defer { full.clone.remove() }
        let sparse = try fixture.build(.sparse)
        defer { sparse.clone.remove() }

        for (a, b) in zip(full.outputs, sparse.outputs) {
            #expect(a.release.branchHead == b.release.branchHead, "\(a.release.plan.branch): branch heads differ")
            #expect(a.release.releaseCommit == b.release.releaseCommit)
            #expect(a.release.tagObject == b.release.tagObject)
            #expect(a.release.archives.count == 2)
            #expect(a.release.archives == b.release.archives, "\(a.release.plan.branch): archives differ")
            #expect(a.release == b.release)
            #expect(a.notes == b.notes)
        }
        #expect(Set(full.outputs.map(\.release.tagObject)).count == 2)

        // The hashes are those of the files, and the files hold the fix.
        for output in sparse.outputs {
            for (url, archive) in zip(output.archiveFiles, output.release.archives) {
                let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int
                #expect(size == archive.size)
                let sum = try fixture.runner.run("sha256sum", [url.path], environment: nil, directory: nil, input: nil)
                #expect(sum.stdoutText.prefix(64) == archive.sha256, "\(archive.name): the recorded hash is not the file's")
            }
        }
        let listing = try Git(repository: sparse.clone.worktree, runner: fixture.runner)
            .output(["ls-tree", "-r", "--name-only", "refs/tags/1.0.2"])
        #expect(listing.contains("src/Nouveau.php") && listing.contains("docs/guide.txt") && !listing.contains("src/Legacy.php"))

        // The sparse clone holds only what the last series touched, CHANGELOG.md and the attributes;
        // the full one every file.
        func exists(_ clone: PrivateClone, _ path: String) -> Bool {
            FileManager.default.fileExists(atPath: clone.worktree.appendingPathComponent(path).path)
        }
        for path in ["CHANGELOG.md", "src/Service/Greeter.php"] {
            #expect(exists(sparse.clone, path), "the sparse checkout lacks \(path)")
        }
        for path in ["sample_module.info.yml", "src/Form/SettingsForm.php", "src/Controller/PageController.php"] {
            #expect(!exists(sparse.clone, path), "the sparse checkout holds \(path), which the series does not touch")
            #expect(exists(full.clone, path))
        }
    }

    @Test func theSeriesPathsIncludeRenameSourcesAndQuotedNames() throws {
        let fixture = try ReleaseBuilderFixture()
        defer { fixture.remove() }
        let clone = try PrivateClone(repository: fixture.sample.repository, runner: fixture.runner, workTree: .sparse)
        defer { clone.remove() }
        let paths = clone.touchedPaths(fixture.plans[0].1)
        #expect(Set(paths) == ["src/Controller/PageController.php", "src/Ünïcode helper.php", "src/Legacy.php",
                               "src/Nouveau.php", "src/Ancien nom é.php"])
        #expect(PrivateClone.escapedPattern("a b/[x]*?.php") == "a\\ b/\\[x\\]\\*\\?.php")
    }
}

extension ReleaseBuilderTests {
    /// The notes name the organizations the team's credits give, but the
    /// CHANGELOG.md of the release commit comes from git alone: publication
    /// builds the release again and needs the very commit of the pre-release,
    /// even after the credits changed.
    @Test func creditsChangeTheNotesButNotTheReleaseCommit() throws {
        let fixture = try ReleaseBuilderFixture()
        defer { fixture.remove() }
        var (plan, series) = fixture.plans[1]
        plan.changelogLayout = ReleasePlan.currentChangelogLayout
        var builds: [ReleaseBuilder.Output] = []
        for organization in ["Acme", "Beta"] {
            let clone = try PrivateClone(repository: fixture.sample.repository, runner: fixture.runner, workTree: .sparse)
            defer { clone.remove() }
            let people = PeopleDirectory([CreditedPerson(username: "maintainer", organization: organization)])
            let output = try ReleaseBuilder(clone: clone, runner: fixture.runner).build(plan, series: series, project: SampleProject.name,
                                                                                         people: people)
            let git = Git(repository: clone.worktree, runner: fixture.runner)
            let changelog = try git.output(["show", "\(output.release.releaseCommit):CHANGELOG.md"])
            #expect(changelog.contains("## 1.1.1\n\nReleased 2027-01-06.\n\nIssues resolved since 1.1.0: 1\n"))
            #expect(changelog.contains("### Changes\n\n- [#3400031](https://www.drupal.org/i/3400031): Tidy the greeting\n"))
            #expect(!changelog.contains("Organizations"))
            builds.append(output)
        }
        #expect(builds[0].release == builds[1].release)
        #expect(builds.map { $0.notes.organizations?.map(\.name) } == [["Acme"], ["Beta"]])
        #expect(builds[0].notes.markdown.contains("### Organizations (1)\n\n- Acme (1)\n"))
    }
}
