@testable import EmbargoKit
import Foundation
import Testing

@Suite("git: branch heads and the programs started")
struct GitTests {
    let runner = SystemProcessRunner()

    @Test func branchHeadsComeFromTheRemoteBranchElseTheLocalOne() throws {
        let root = try TemporaryDirectory.create(prefix: "embargo-git-test")
        defer { TemporaryDirectory.remove(root) }
        let sample = try SampleProject.create(at: root)
        let git = Git(repository: sample.repository, runner: runner, environment: SampleProject.gitEnvironment())
        func revParse(_ name: String) throws -> String { try git.output(["rev-parse", "--verify", "\(name)^{commit}"]) }
        // 1.0.x only on the remote; 1.1.x local and ahead of the remote; 2.0.x local only; 3.0.x nowhere.
        _ = try git.output(["fetch", "--quiet", "origin"])
        _ = try git.output(["commit", "--quiet", "--allow-empty", "-m", "Issue #3400040 by maintainer: Local work"])
        _ = try git.output(["branch", "--quiet", "2.0.x"])
        _ = try git.output(["branch", "--quiet", "-D", "1.0.x"])
        let heads = try git.branchCommits(["1.0.x", "1.1.x", "2.0.x", "3.0.x"], remote: "origin")
        // What the team sees wins over this clone's own commits.
        #expect(heads == ["1.0.x": try revParse("refs/remotes/origin/1.0.x"), "1.1.x": try revParse("refs/remotes/origin/1.1.x"),
                          "2.0.x": try revParse("refs/heads/2.0.x")])
        #expect(heads["1.1.x"] != (try revParse("refs/heads/1.1.x")))
        #expect(try git.branchCommits(["1.0.x"], remote: nil).isEmpty)
        #expect(try git.branchCommits(["1.1.x"], remote: nil) == ["1.1.x": try revParse("refs/heads/1.1.x")])
        #expect(try git.branchCommit("1.1.x", remote: "origin") == heads["1.1.x"])
    }

    @Test func theProgramComesFromThePathOfTheGivenEnvironment() throws {
        let root = try TemporaryDirectory.create(prefix: "embargo-path-test")
        defer { TemporaryDirectory.remove(root) }
        for name in ["first", "second"] {
            let directory = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let script = directory.appendingPathComponent("embargo-path-probe")
            try "#!/bin/sh\necho \(name) \"$@\"\n".write(to: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        }
        let first = root.appendingPathComponent("first").path, second = root.appendingPathComponent("second").path
        for (path, expected) in [("\(first):\(second):/bin", "first a b\n"), ("\(second):\(first):/bin", "second a b\n")] {
            let result = try runner.run("embargo-path-probe", ["a", "b"], environment: ["PATH": path], directory: nil, input: nil)
            #expect(result.status == 0)
            #expect(result.stdoutText == expected)
        }
        // A directory named like the program is skipped, as the shell skips it.
        try FileManager.default.createDirectory(at: root.appendingPathComponent("third/embargo-path-probe"), withIntermediateDirectories: true)
        let skipped = try runner.run("embargo-path-probe", [], environment: ["PATH": "\(root.path)/third:\(second):/bin"],
                                     directory: nil, input: nil)
        #expect(skipped.stdoutText == "second\n")
    }
}
