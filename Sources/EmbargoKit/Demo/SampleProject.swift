import EmbargoStore
import Foundation

/// Generates a small Drupal-style module repository with two release
/// branches, release tags and a bare "public" remote, for the demo and tests.
public struct SampleProject: Sendable {
    public let root: URL
    public var repository: URL { root.appendingPathComponent("sample_module") }
    public var remote: URL { root.appendingPathComponent("public-remote.git") }
    public static let name = "sample_module"
    public static let branches = ["1.0.x", "1.1.x"]

    /// Environment for git that ignores the user's and system's configuration
    /// and fixes identity and dates, so the repository is the same every time.
    public static func gitEnvironment(base: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var env = base
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        env["GIT_AUTHOR_NAME"] = "Sample Maintainer"
        env["GIT_AUTHOR_EMAIL"] = "maintainer@example.org"
        env["GIT_COMMITTER_NAME"] = "Sample Maintainer"
        env["GIT_COMMITTER_EMAIL"] = "maintainer@example.org"
        env["GIT_AUTHOR_DATE"] = "2026-01-05T12:00:00Z"
        env["GIT_COMMITTER_DATE"] = "2026-01-05T12:00:00Z"
        return env
    }

    /// Creates the repository under `root` (which must exist).
    public static func create(at root: URL, runner: ProcessRunner = SystemProcessRunner()) throws -> SampleProject {
        let sample = SampleProject(root: root)
        let env = gitEnvironment()
        let top = Git(repository: root, runner: runner, environment: env)
        try check(top.run(["init", "--quiet", "--bare", "--initial-branch=main", sample.remote.path]))
        try check(top.run(["init", "--quiet", "--initial-branch=1.0.x", sample.repository.path]))
        let git = Git(repository: sample.repository, runner: runner, environment: env)

        func commit(_ path: String, _ content: String, _ message: String) throws {
            let file = sample.repository.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: file, atomically: true, encoding: .utf8)
            try check(git.run(["add", "--", path]))
            try check(git.run(["commit", "--quiet", "-m", message]))
        }
        func tag(_ name: String) throws {
            try check(git.run(["tag", "-a", name, "-m", "Release \(name)"]))
        }

        try commit("sample_module.info.yml", "name: Sample module\ntype: module\ncore_version_requirement: ^10 || ^11\n",
                   "Issue #3400001 by maintainer: Initial module")
        try commit("src/Controller/PageController.php",
                   "<?php\n\nnamespace Drupal\\sample_module\\Controller;\n\nfinal class PageController {\n  public function title(string $name): string {\n    return 'Hello ' . $name;\n  }\n}\n",
                   "Issue #3400002 by maintainer, contributor: Add the page controller")
        try commit("CHANGELOG.md", "# Changelog\n\n## 1.0.0\n\n- Initial release.\n", "Issue #3400003 by maintainer: Changelog for 1.0.0")
        try tag("1.0.0")
        try commit("src/Form/SettingsForm.php", "<?php\n\nnamespace Drupal\\sample_module\\Form;\n\nfinal class SettingsForm {\n  public const LIMIT = 10;\n}\n",
                   "Issue #3400010 by contributor: Add a settings form")
        try commit("CHANGELOG.md", "# Changelog\n\n## 1.0.1\n\n- Settings form.\n\n## 1.0.0\n\n- Initial release.\n",
                   "Issue #3400011 by maintainer: Changelog for 1.0.1")
        try tag("1.0.1")
        try check(git.run(["checkout", "--quiet", "-b", "1.1.x"]))
        try commit("src/Service/Greeter.php", "<?php\n\nnamespace Drupal\\sample_module\\Service;\n\nfinal class Greeter {\n  public function greet(string $name): string {\n    return 'Hello ' . $name;\n  }\n}\n",
                   "Issue #3400020 by contributor, reviewer: Add the greeter service (Breaking Change)")
        try commit("CHANGELOG.md", "# Changelog\n\n## 1.1.0\n\n- Greeter service.\n\n## 1.0.1\n\n- Settings form.\n\n## 1.0.0\n\n- Initial release.\n",
                   "Issue #3400021 by maintainer: Changelog for 1.1.0")
        try tag("1.1.0")
        try check(git.run(["remote", "add", "origin", sample.remote.path]))
        try check(git.run(["push", "--quiet", "origin", "1.0.x", "1.1.x", "--tags"]))
        return sample
    }

    private static func check(_ result: ProcessResult) throws {
        guard result.status == 0 else {
            throw EmbargoError(.failure, "git failed while creating the sample project: \(firstLine(result.stderrText))")
        }
    }
}
