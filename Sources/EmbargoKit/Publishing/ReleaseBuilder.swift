import EmbargoCrypto
import EmbargoStore
import Foundation

/// Everything that decides the bits of one branch's release. Re-running the
/// builder with the same plan gives the same commit ids, tag object id and
/// archive bytes.
public struct ReleasePlan: Codable, Sendable, Equatable {
    public var branch: String
    public var baseCommit: String
    public var version: String
    public var previousVersion: String?
    /// `git patch-id --stable` of each patch, in order (the text is in the bundle and the store).
    public var patchIDs: [String]
    /// Unix seconds used as committer and tagger time (and changelog author time).
    public var timestamp: Int
    public var committer: String
    public var packageName: String
    public var buildCommand: String?
    public var requiredPaths: [String]
    /// How the CHANGELOG.md entry is written: nil for the layout of the plans
    /// made before drupal.org's newer message format was read (their release
    /// commits must come out the same), else `currentChangelogLayout`.
    public var changelogLayout: Int? = nil

    /// The layout of `ReleaseNotes.markdown`, which new plans use.
    public static let currentChangelogLayout = 2

    enum CodingKeys: String, CodingKey {
        case branch, version, timestamp, committer
        case changelogLayout = "changelog_layout"
        case baseCommit = "base_commit"
        case previousVersion = "previous_version"
        case patchIDs = "patch_ids"
        case packageName = "package_name"
        case buildCommand = "build_command"
        case requiredPaths = "required_paths"
    }
}

public struct ArchiveInfo: Codable, Sendable, Equatable {
    public var name: String
    public var sha256: String
    public var size: Int
}

/// What the builder produced for one branch: the manifest entry.
public struct BranchRelease: Codable, Sendable, Equatable {
    public var plan: ReleasePlan
    /// The commit the release branch moves to (patches and changelog).
    public var branchHead: String
    /// The commit the tag points to (the branch head, or a build commit on top of it).
    public var releaseCommit: String
    public var tagName: String
    public var tagObject: String
    public var archives: [ArchiveInfo]

    enum CodingKeys: String, CodingKey {
        case plan, archives
        case branchHead = "branch_head"
        case releaseCommit = "release_commit"
        case tagName = "tag_name"
        case tagObject = "tag_object"
    }
}

/// Builds release commits, tags and archives in a private clone.
public struct ReleaseBuilder {
    let clone: PrivateClone
    let runner: ProcessRunner

    public init(clone: PrivateClone, runner: ProcessRunner) {
        self.clone = clone
        self.runner = runner
    }

    public struct Output {
        /// The manifest entry; its `archives` are empty until `package` wrote them.
        public var release: BranchRelease
        public var notes: ReleaseNotes
        /// Archive files written by `package`.
        public var archiveFiles: [URL] = []
        /// A git bundle with the release commits and the tag (`git fetch` takes it), written by `package`.
        public var gitBundle: URL?
    }

    /// Applies the series, commits the CHANGELOG entry, optionally builds and
    /// commits assets for the tag only, and tags. The archives come from `package`.
    ///
    /// `people` names the organizations in `Output.notes`. CHANGELOG.md is
    /// made from the history alone: publication builds the release again and
    /// requires the very commits of the pre-release, whatever the team's
    /// credits file says by then.
    public func build(_ plan: ReleasePlan, series: String, project: String, people: PeopleDirectory? = nil) throws -> Output {
        let date = "@\(plan.timestamp) +0000"
        guard let committer = plan.committer.wholeMatch(of: /(.+) <([^<>]+)>/) else {
            throw EmbargoError(.failure, "the committer '\(plan.committer)' is not 'Name <email>'")
        }
        if plan.buildCommand != nil, clone.workTree != .full {
            throw EmbargoError(.failure, "the build command of \(plan.branch) needs a full checkout of the private clone")
        }
        var env = clone.environment
        env["GIT_COMMITTER_NAME"] = String(committer.1)
        env["GIT_COMMITTER_EMAIL"] = String(committer.2)
        env["GIT_COMMITTER_DATE"] = date
        let git = Git(repository: clone.worktree, runner: runner, environment: env)
        func must(_ arguments: [String], input: [UInt8]? = nil) throws -> String {
            let result = try git.run(["-c", "core.hooksPath=/dev/null"] + arguments, input: input)
            guard result.status == 0 else {
                throw EmbargoError(.failure, "git \(arguments.first ?? "") failed while building \(plan.version): \(firstLine(result.stderrText))")
            }
            return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        // 1. The fix, on the branch head the pre-release found.
        if case .conflict(let files, _) = try clone.apply(series: series, onto: plan.baseCommit, environment: env) {
            throw EmbargoError(.failure, "the series for \(plan.branch) no longer applies (conflicts in \(files.joined(separator: ", ")))",
                               hint: "verify the series on the branch's new head: 'embargo patch verify ID'")
        }

        // 2. The release notes, in CHANGELOG.md, in a commit of their own.
        let range = plan.previousVersion.map { "refs/tags/\($0)..HEAD" } ?? "HEAD"
        let commits = try NoteCommit.read(git, range: range)
        let released = Date(timeIntervalSince1970: TimeInterval(plan.timestamp))
        let notes = ReleaseNotes(project: project, version: plan.version, previous: plan.previousVersion, date: released, commits: commits,
                                 people: people)
        let changelogURL = clone.worktree.appendingPathComponent("CHANGELOG.md")
        let shown = try git.run(["show", "HEAD:CHANGELOG.md"])
        let existing = shown.status == 0 ? shown.stdoutText : nil
        let changelog: String
        switch plan.changelogLayout {
        case nil:
            changelog = LegacyChangelogNotes(project: project, version: plan.version, previous: plan.previousVersion, date: released,
                                             commits: commits).changelog(updating: existing)
        case ReleasePlan.currentChangelogLayout:
            changelog = ReleaseNotes(project: project, version: plan.version, previous: plan.previousVersion, date: released, commits: commits)
                .changelog(updating: existing)
        case let layout?:
            throw EmbargoError(.failure, "the plan of \(plan.version) asks for changelog layout \(layout), which this version of embargo does not know",
                               hint: "use the embargo version that made the pre-release, or make a new pre-release")
        }
        var authorEnv = env
        authorEnv["GIT_AUTHOR_NAME"] = String(committer.1)
        authorEnv["GIT_AUTHOR_EMAIL"] = String(committer.2)
        authorEnv["GIT_AUTHOR_DATE"] = date
        let commitGit = Git(repository: clone.worktree, runner: runner, environment: authorEnv)
        // A branch that has this version's entry already (a tag taken back and made again) keeps it as it is.
        let entered = existing?.split(separator: "\n").contains { $0 == "## \(plan.version)" } ?? false
        if !entered {
            try Data(changelog.utf8).write(to: changelogURL)
            _ = try must(["add", "--", "CHANGELOG.md"])
            let commit = try commitGit.run(["-c", "core.hooksPath=/dev/null", "commit", "--quiet", "--no-verify", "-m", "Changelog for \(plan.version)"])
            guard commit.status == 0 else { throw EmbargoError(.failure, "cannot commit the changelog: \(firstLine(commit.stderrText))") }
        }

        // 3. Built assets, committed for the tag only: the branch moves to the changelog
        //    commit, read here before a build commit goes on top of it.
        var branchHead: String?
        if let command = plan.buildCommand {
            branchHead = try must(["rev-parse", "HEAD"])
            let result = try clone.runTests(command)
            guard result.status == 0 else {
                throw EmbargoError(.failure, "the build command failed on \(plan.branch) with exit code \(result.status)",
                                   hint: "check the build command ('embargo project show \(project)') and the build")
            }
            for path in plan.requiredPaths where !FileManager.default.fileExists(atPath: clone.worktree.appendingPathComponent(path).path) {
                throw EmbargoError(.failure, "the build did not produce the required path \(path) on \(plan.branch)")
            }
            if !plan.requiredPaths.isEmpty { _ = try must(["add", "--force", "--"] + plan.requiredPaths) }
            _ = try must(["add", "--all"])
            if try git.run(["diff", "--cached", "--quiet"]).status != 0 {
                let build = try commitGit.run(["-c", "core.hooksPath=/dev/null", "commit", "--quiet", "--no-verify", "-m", "Build assets for \(plan.version)"])
                guard build.status == 0 else { throw EmbargoError(.failure, "cannot commit the built assets: \(firstLine(build.stderrText))") }
            }
        }

        // 4. The annotated tag, on HEAD: the build commit if there is one. A clone made
        //    after publication already has the public tag; `--force` makes it again here,
        //    to compare, and never reuses it.
        _ = try must(["tag", "--force", "--annotate", "--message", "Release \(plan.version)", "--", plan.version, "HEAD"])
        let ids = try must(["rev-parse", "HEAD", "refs/tags/\(plan.version)"]).split(whereSeparator: \.isNewline).map(String.init)
        guard ids.count == 2 else { throw EmbargoError(.failure, "git rev-parse gave no tag object for \(plan.version)") }
        let release = BranchRelease(plan: plan, branchHead: branchHead ?? ids[0], releaseCommit: ids[0], tagName: plan.version,
                                    tagObject: ids[1], archives: [])
        return Output(release: release, notes: notes)
    }

    /// Writes each release's archives, as drupal.org-style packages (`NAME/`
    /// prefix), and its git bundle into `directory`, and fills in the archive
    /// hashes. The archives come from the tags alone, so every `git archive`
    /// runs at the same time as the others; the bytes do not depend on it.
    public func package(_ outputs: [Output], into directory: URL) throws -> [Output] {
        var packaged = outputs
        var jobs: [@Sendable () throws -> ArchiveInfo] = []
        for (index, output) in outputs.enumerated() {
            let plan = output.release.plan
            let tag = "refs/tags/\(output.release.tagName)"
            // The new commits and the tag as a git bundle, so a reviewer can fetch the exact
            // release commit into a clone of the project and compare it with the archives.
            let bundle = directory.appendingPathComponent("\(plan.packageName)-\(plan.version).git-bundle")
            let made = try clone.git.run(["bundle", "create", "--quiet", bundle.path, tag, "^\(plan.baseCommit)"])
            guard made.status == 0 else {
                throw EmbargoError(.failure, "git bundle failed while building \(plan.version): \(firstLine(made.stderrText))")
            }
            packaged[index].gitBundle = bundle
            for format in ["tar.gz", "zip"] {
                let name = "\(plan.packageName)-\(plan.version).\(format)"
                let url = directory.appendingPathComponent(name)
                packaged[index].archiveFiles.append(url)
                let git = clone.git
                jobs.append {
                    let result = try git.run(["archive", "--format=\(format)", "--prefix=\(plan.packageName)/", "--output=\(url.path)", tag])
                    guard result.status == 0 else {
                        throw EmbargoError(.failure, "git archive failed while building \(plan.version): \(firstLine(result.stderrText))")
                    }
                    let (sha256, size) = try fileDigest(url)
                    return ArchiveInfo(name: name, sha256: sha256, size: size)
                }
            }
        }
        let archives = try runConcurrently(jobs)
        for index in packaged.indices {
            packaged[index].release.archives = Array(archives[(index * 2)..<(index * 2 + 2)])
        }
        return packaged
    }
}

/// The SHA-256 (hex) and size of a file, read in pieces rather than whole.
func fileDigest(_ url: URL) throws -> (sha256: String, size: Int) {
    let fd = open(url.path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw EmbargoError(.failure, "cannot read \(url.lastPathComponent): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    let digest = StreamingDigest(.sha256)
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var size = 0
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw EmbargoError(.failure, "cannot read \(url.lastPathComponent): \(String(cString: strerror(errno)))")
        }
        if count == 0 { break }
        digest.update(buffer[0..<count])
        size += count
    }
    return (hex(digest.finalize()), size)
}

/// Runs independent blocking jobs (each mostly waiting for a child process) on
/// threads of their own, all at once, and returns their results in order; the
/// first error, in job order, is thrown once every job has ended.
func runConcurrently<T: Sendable>(_ jobs: [@Sendable () throws -> T]) throws -> [T] {
    let results = ConcurrentResults<T>(count: jobs.count)
    let group = DispatchGroup()
    for (index, job) in jobs.enumerated() {
        group.enter()
        let thread = Thread {
            results.set(index, Result { try job() })
            group.leave()
        }
        thread.start()
    }
    group.wait()
    return try results.values()
}

// Each slot is written by one job's thread under `lock`, and read after every job left the group.
private final class ConcurrentResults<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<T, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<T, any Error>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func values() throws -> [T] {
        lock.lock()
        defer { lock.unlock() }
        return try slots.map { try $0!.get() }
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

extension ReleaseBuilder.Output {
    /// The changes its notes mark breaking, each with its version (`1.2.1: #3500060 Drop the legacy API`).
    var breakingChanges: [String] {
        notes.issues.filter(\.breaking).map { "\(release.plan.version): \($0.number.map { "#\($0) " } ?? "")\($0.summary)" }
    }
}
