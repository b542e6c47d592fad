import EmbargoCrypto
import EmbargoStore
import Foundation
import GRDB

/// A stored patch: where it sits in its series and what it is. The text
/// itself is an encrypted blob.
public struct PatchRecord: Codable, Sendable, Equatable, FetchableRecord {
    public var advisory: String
    public var branch: String
    public var position: Int
    public var blob: String
    public var subject: String
    public var message: String
    public var author: String
    public var authorDate: String
    public var patchID: String
    public var files: [String]
    public var size: Int
    public var addedAt: String
    public var addedBy: String

    enum CodingKeys: String, CodingKey {
        case advisory, branch, position, blob, subject, message, author, files, size
        case authorDate = "author_date"
        case patchID = "patch_id"
        case addedAt = "added_at"
        case addedBy = "added_by"
    }

    public init(row: Row) throws {
        advisory = row["advisory"]
        branch = row["branch"]
        position = row["position"]
        blob = row["blob"]
        subject = row["subject"]
        message = row["message"]
        author = row["author"]
        authorDate = row["author_date"]
        patchID = row["patch_id"]
        files = try Advisory.decode(row["files"])
        size = row["size"]
        addedAt = row["added_at"]
        addedBy = row["added_by"]
    }
}

/// The outcome of checking one branch's series.
public struct BranchCheck: Codable, Sendable, Equatable {
    public enum Result: String, Codable, Sendable {
        case clean, conflict
        case testsPassed = "tests-passed"
        case testsFailed = "tests-failed"
        case noPatches = "no-patches"
    }

    public var branch: String
    public var head: String
    public var patches: Int
    public var result: Result
    public var conflictingFiles: [String]
    public var detail: String
    /// Everything the project's test command printed (for --verbose); the
    /// detail keeps its last 40 lines.
    public var testOutput: String = ""

    enum CodingKeys: String, CodingKey {
        case branch, head, patches, result, detail
        case conflictingFiles = "conflicting_files"
    }

    public var ok: Bool { result == .clean || result == .testsPassed }
}

extension Workspace {
    // MARK: Adding and removing

    /// Adds the commits `base..ref` of the project's repository (default base:
    /// the merge base of `ref` with the branch) to the branch's series, or puts
    /// them in the place of patch `replacing`. Commits that are public already
    /// (on a branch or tag of the project's remote) are refused; a ref that
    /// forks from the branch before its current head is `notice`d.
    @discardableResult
    public func addPatches(_ id: String, branch: String, fromRef ref: String, base: String?, replacing: Int? = nil,
                           notice: (String) -> Void = { _ in }) throws -> [PatchRecord] {
        try Permissions.require(.patch, by: member)
        let (advisory, project) = try advisoryAndProject(id)
        try checkBranch(branch, of: advisory)
        let git = environment.git(URL(fileURLWithPath: project.repoPath))
        guard !ref.hasPrefix("-"), let tip = try? git.output(["rev-parse", "--verify", "--quiet", "--end-of-options", "\(ref)^{commit}"]),
              !tip.isEmpty
        else {
            throw EmbargoError(.failure, "ref \(ref) not found in \(project.repoPath)", hint: "pass a branch, tag or commit of that repository")
        }
        let from: String
        if let base {
            guard !base.hasPrefix("-"), let resolved = try? git.output(["rev-parse", "--verify", "--quiet", "--end-of-options", "\(base)^{commit}"]),
                  !resolved.isEmpty
            else { throw EmbargoError(.failure, "base \(base) not found in \(project.repoPath)") }
            from = resolved
        } else {
            guard let head = try git.branchCommit(branch, remote: project.remote) else {
                throw EmbargoError(.failure, "branch \(branch) not found in \(project.repoPath)")
            }
            from = try git.output(["merge-base", head, tip])
            if from != head {
                let behind = (try? git.output(["rev-list", "--count", "\(from)..\(head)"])) ?? "some"
                notice("\(ref) is not based on the current head of \(branch): it forks \(behind) commit(s) before it; run 'embargo patch verify \(advisory.id)' to see whether the series applies")
            }
        }
        // An embargoed fix is private: commits the remote has on a branch or tag are public already.
        let commits = try git.output(["rev-list", "\(from)..\(tip)"]).split(separator: "\n")
        let unpublished = Set(try git.output(["rev-list", "\(from)..\(tip)", "--not", "--remotes=\(project.remote)", "--tags"]).split(separator: "\n"))
        if let published = commits.last(where: { !unpublished.contains($0) }) {
            let subject = (try? git.output(["log", "-1", "--format=%s", String(published)])) ?? ""
            throw EmbargoError(.refused, "\(commits.filter { !unpublished.contains($0) }.count) of the commits \(from.prefix(12))..\(ref) are public already, on a branch or tag of \(project.remote), e.g. \(published.prefix(12)) '\(subject.prefix(60))'",
                               hint: "pass --base to start after them; if the fix itself is public, the embargo is broken: 'embargo broken \(advisory.id) --reason TEXT'")
        }
        let formatted = try git.run(["format-patch", "--stdout", "--binary", "--no-signature", "--no-stat", "\(from)..\(tip)"])
        guard formatted.status == 0 else {
            throw EmbargoError(.failure, "git format-patch failed: \(firstLine(formatted.stderrText))")
        }
        guard !formatted.stdout.isEmpty else {
            throw EmbargoError(.failure, "there are no commits between \(from.prefix(12)) and \(ref)",
                               hint: "pass --base to choose where the fix starts")
        }
        return try storePatches(advisory, branch: branch, patches: Mbox.parse(formatted.stdout), source: "commits \(from.prefix(12))..\(ref)",
                                replacing: replacing)
    }

    /// Adds patches from an mbox file, or a plain diff with a message and author.
    @discardableResult
    public func addPatches(_ id: String, branch: String, file bytes: [UInt8], message: String?, author: String?,
                           replacing: Int? = nil) throws -> [PatchRecord] {
        try Permissions.require(.patch, by: member)
        let (advisory, project) = try advisoryAndProject(id)
        try checkBranch(branch, of: advisory)
        let text = String(decoding: bytes.prefix(200), as: UTF8.self)
        let patches: [MailPatch]
        if text.hasPrefix("From ") {
            patches = try Mbox.parse(bytes)
        } else {
            guard let message, let author else {
                // What is wrong with the file comes first: no message makes a binary or empty file a diff.
                _ = try PlainDiff.gitForm(try Mbox.checkedText(bytes)) { _ in true }
                throw EmbargoError(.usage, "a plain diff needs --message and --author",
                                   hint: "or pass 'git format-patch' output, which carries both")
            }
            // Which paths the branch has settles how a `diff -u` names its files.
            let git = environment.git(URL(fileURLWithPath: project.repoPath))
            let head = try git.branchCommit(branch, remote: project.remote)
            patches = [try Mbox.fromDiff(bytes, message: message, author: author, date: environment.clock.now()) { path in
                guard let head, let found = try? git.run(["cat-file", "-e", "\(head):\(path)"]) else { return false }
                return found.status == 0
            }]
        }
        return try storePatches(advisory, branch: branch, patches: patches, source: "a patch file", replacing: replacing)
    }

    /// Stores `patches` at the end of the branch's series, or in the place of
    /// patch `replacing` (later patches move down). A patch that is the same
    /// change (patch id) as another one of the series is refused.
    private func storePatches(_ advisory: Advisory, branch: String, patches: [MailPatch], source: String,
                              replacing: Int? = nil) throws -> [PatchRecord] {
        let project = try project(named: advisory.project).project
        let git = environment.git(URL(fileURLWithPath: project.repoPath))
        // Ask git to parse each patch (nothing is applied), and get its stable patch id.
        var ids: [String] = []
        for (index, patch) in patches.enumerated() {
            guard patch.text.utf8.count <= Limits.patchBytes else {
                throw EmbargoError(.usage, "patch \(index + 1) ('\(patch.subject.prefix(60))') is larger than \(Limits.patchBytes) bytes, the most a patch may be",
                                   hint: "see \"Limits\" in the README")
            }
            let check = try git.run(["apply", "--numstat", "-"], input: Array(patch.text.utf8))
            guard check.status == 0 else {
                throw EmbargoError(.failure, "patch \(index + 1) ('\(patch.subject.prefix(60))') is malformed: \(firstLine(check.stderrText))",
                                   hint: "create it again with 'git format-patch', 'git diff' or 'diff -u OLD NEW', and do not edit it by hand")
            }
            let patchID = try git.run(["patch-id", "--stable"], input: Array(patch.text.utf8))
            guard patchID.status == 0, let value = patchID.stdoutText.split(separator: " ").first, value.count == 40 else {
                throw EmbargoError(.failure, "patch \(index + 1) ('\(patch.subject.prefix(60))') changes no file that git can identify",
                                   hint: "create it again with 'git format-patch', 'git diff' or 'diff -u OLD NEW'")
            }
            ids.append(String(value))
        }
        let stamp = now
        let action = replacing == nil ? "patch.add" : "patch.replace"
        let what = replacing.map { "patch \($0) of \(branch) replaced by \(patches.count) patch(es)" } ?? "\(patches.count) patch(es) on \(branch)"
        let records = try audited(action, advisory.id, detail: "\(what) from \(source)") { db -> [PatchRecord] in
            let series = try Self.patchRecords(db, advisory.id, branch: branch)
            if let replacing, !series.contains(where: { $0.position == replacing }) {
                throw EmbargoError(.failure, "advisory \(advisory.id) has no patch \(replacing) on \(branch)",
                                   hint: "run 'embargo patch list \(advisory.id)'")
            }
            for (patch, patchID) in zip(patches, ids) {
                if let same = series.first(where: { $0.patchID == patchID && $0.position != replacing }) {
                    throw EmbargoError(.refused, "'\(patch.subject.prefix(60))' is the same change as patch \(same.position) of the \(branch) series",
                                       hint: "to change that patch, run 'embargo patch replace \(advisory.id) --branch \(branch) \(same.position) --from-ref REF'")
                }
            }
            var position = series.last?.position ?? 0
            if let replacing {
                // Make room: the patches after the replaced one move down by what comes in, less one.
                try db.execute(sql: "DELETE FROM patches WHERE advisory = ? AND branch = ? AND position = ?",
                               arguments: [advisory.id, branch, replacing])
                try db.execute(sql: "UPDATE patches SET position = -(position + ?) WHERE advisory = ? AND branch = ? AND position > ?",
                               arguments: [patches.count - 1, advisory.id, branch, replacing])
                try db.execute(sql: "UPDATE patches SET position = -position WHERE advisory = ? AND branch = ? AND position < 0",
                               arguments: [advisory.id, branch])
                position = replacing - 1
            }
            for (patch, patchID) in zip(patches, ids) {
                position += 1
                let blob = try store.putBlob(Array(patch.text.utf8), in: db)
                try db.execute(
                    sql: """
                        INSERT INTO patches (advisory, branch, position, blob, subject, message, author, author_date, patch_id,
                                             files, size, added_at, added_by)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [advisory.id, branch, position, blob, patch.subject, patch.message, patch.author, patch.date,
                                patchID, try Advisory.encodeJSON(patch.files), patch.text.utf8.count, stamp, member.name])
            }
            try Self.record(db, advisory.id, at: stamp, actor: member.name, kind: replacing == nil ? "patch-added" : "patch-replaced",
                            summary: replacing.map { "patch \($0) of \(branch) replaced by \(patches.count) patch(es) from \(source)" }
                                ?? "\(patches.count) patch(es) added to \(branch) from \(source)")
            if advisory.status == .confirmed {
                _ = try transition(advisory.id, to: .fixing, kind: "status", note: "patches added", in: db)
            }
            return try Self.patchRecords(db, advisory.id, branch: branch)
        }
        if replacing != nil {
            let referenced = try store.read { db in Set(try String.fetchAll(db, sql: "SELECT blob FROM patches")) }
            store.removeUnreferencedBlobs(keeping: referenced)
        }
        try refreshGuard(project: project.name)
        return records
    }

    /// Removes patch `position` from a branch's series; later patches move up.
    public func removePatch(_ id: String, branch: String, position: Int) throws {
        try Permissions.require(.patch, by: member)
        let (advisory, project) = try advisoryAndProject(id)
        let stamp = now
        try audited("patch.remove", advisory.id, detail: "patch \(position) of \(branch)") { db in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM patches WHERE advisory = ? AND branch = ? AND position = ?",
                                   arguments: [advisory.id, branch, position]) == 1
            else {
                throw EmbargoError(.failure, "advisory \(advisory.id) has no patch \(position) on \(branch)",
                                   hint: "run 'embargo patch list \(advisory.id)'")
            }
            try db.execute(sql: "DELETE FROM patches WHERE advisory = ? AND branch = ? AND position = ?",
                           arguments: [advisory.id, branch, position])
            try db.execute(sql: "UPDATE patches SET position = position - 1 WHERE advisory = ? AND branch = ? AND position > ?",
                           arguments: [advisory.id, branch, position])
            try Self.record(db, advisory.id, at: stamp, actor: member.name, kind: "patch-removed",
                            summary: "patch \(position) removed from \(branch)")
        }
        let referenced = try store.read { db in Set(try String.fetchAll(db, sql: "SELECT blob FROM patches")) }
        store.removeUnreferencedBlobs(keeping: referenced)
        try refreshGuard(project: project.name)
    }

    // MARK: Reading

    public func patches(_ id: String) throws -> [PatchRecord] {
        try store.read { db in
            let advisory = try Self.fetchAdvisory(db, id)
            return try PatchRecord.fetchAll(db, sql: "SELECT * FROM patches WHERE advisory = ? ORDER BY branch, position",
                                            arguments: [advisory.id])
        }
    }

    /// The text of one patch, or of a branch's whole series (an mbox).
    public func patchText(_ id: String, branch: String, position: Int? = nil) throws -> String {
        let records = try patches(id).filter { $0.branch == branch && (position == nil || $0.position == position) }
        guard !records.isEmpty else {
            throw EmbargoError(.failure, position.map { "advisory \(id.uppercased()) has no patch \($0) on \(branch)" }
                               ?? "advisory \(id.uppercased()) has no patches on \(branch)",
                               hint: "run 'embargo patch list \(id.uppercased())'")
        }
        return try seriesText(records)
    }

    /// The patches' texts, in the order given, as one mbox.
    func seriesText(_ records: [PatchRecord]) throws -> String {
        try records.map { String(decoding: try store.blob($0.blob), as: UTF8.self) }.joined()
    }

    static func patchRecords(_ db: Database, _ id: String, branch: String) throws -> [PatchRecord] {
        try PatchRecord.fetchAll(db, sql: "SELECT * FROM patches WHERE advisory = ? AND branch = ? ORDER BY position",
                                 arguments: [id, branch])
    }

    /// Whether `last`, the newest check of a branch (head, series, result),
    /// passed on exactly this series and on the branch's current `head`.
    static func isVerified(_ series: [PatchRecord], last: Row?, head: String?) -> Bool {
        guard !series.isEmpty, let last, let head else { return false }
        return (last["series"] as String) == seriesFingerprint(series) && (last["head"] as String) == head
            && ["clean", "tests-passed"].contains(last["result"] as String)
    }

    /// A fingerprint of a branch's series, so a check can tell it is still current.
    static func seriesFingerprint(_ records: [PatchRecord]) -> String {
        Digest.sha256(Array(records.map(\.blob).joined(separator: ",").utf8)).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Verification

    /// Applies each branch's series onto the current head of that branch in a
    /// throwaway clone, runs the project's test command there if one is set,
    /// and records the outcome. The project's repository is not changed.
    public func verifyPatches(_ id: String, offline: Bool = false, progress: (String) -> Void = { _ in }) throws -> [BranchCheck] {
        try Permissions.require(.patch, by: member)
        let advisory = try advisory(id)
        let details = try project(named: advisory.project)
        let project = details.project
        progress("fetching \(project.remote)")
        try fetchProject(project, offline: offline)
        let repository = URL(fileURLWithPath: project.repoPath)
        let git = environment.git(repository)
        let all = try patches(advisory.id)
        var checks: [BranchCheck] = []
        // The test command needs every file; applying alone needs only those the series touch.
        let clone = try PrivateClone(repository: repository, runner: environment.runner,
                                     workTree: advisory.branches.allSatisfy { details.testCommand(for: $0) == nil } ? .sparse : .full)
        defer { clone.remove() }
        var fingerprints: [String: String] = [:]
        let heads = try git.branchCommits(advisory.branches, remote: project.remote)
        for branch in advisory.branches {
            let series = all.filter { $0.branch == branch }
            guard let head = heads[branch] else {
                throw EmbargoError(.failure, "branch \(branch) not found in \(project.repoPath)")
            }
            guard !series.isEmpty else {
                checks.append(BranchCheck(branch: branch, head: head, patches: 0, result: .noPatches, conflictingFiles: [], detail: "no patches"))
                continue
            }
            fingerprints[branch] = Self.seriesFingerprint(series)
            progress("applying \(series.count) patch(es) to \(branch) at \(head.prefix(12))")
            switch try clone.apply(series: try seriesText(series), onto: head) {
            case .conflict(let files, let message):
                checks.append(BranchCheck(branch: branch, head: head, patches: series.count, result: .conflict,
                                          conflictingFiles: files, detail: message))
            case .applied:
                guard let command = details.testCommand(for: branch) else {
                    checks.append(BranchCheck(branch: branch, head: head, patches: series.count, result: .clean, conflictingFiles: [],
                                              detail: "applies cleanly"))
                    continue
                }
                progress("running the tests on \(branch): \(command)")
                let result = try clone.runTests(command)
                let output = result.stdoutText + result.stderrText
                let tail = output.split(whereSeparator: \.isNewline).suffix(40).joined(separator: "\n")
                checks.append(BranchCheck(branch: branch, head: head, patches: series.count,
                                          result: result.status == 0 ? .testsPassed : .testsFailed, conflictingFiles: [],
                                          detail: result.status == 0 ? "tests passed" : "tests failed with exit code \(result.status)\n\(tail)",
                                          testOutput: output))
            }
        }
        let stamp = now
        try audited("patch.verify", advisory.id, detail: checks.map { "\($0.branch): \($0.result.rawValue)" }.joined(separator: ", ")) { db in
            for check in checks where check.result != .noPatches {
                try db.execute(
                    sql: "INSERT INTO patch_checks (advisory, branch, checked_at, head, series, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [advisory.id, check.branch, stamp, check.head, fingerprints[check.branch] ?? "", check.result.rawValue,
                                check.detail])
            }
            try Self.record(db, advisory.id, at: stamp, actor: member.name, kind: "patches-verified",
                            summary: checks.map { "\($0.branch): \($0.result.rawValue)" }.joined(separator: ", "))
            // A verified fix makes the advisory ready, whatever step before it the team left it
            // at: a draft is confirmed on the way, and each move is on the timeline.
            var current = try Self.fetchAdvisory(db, advisory.id)
            let steps: [(AdvisoryStatus, AdvisoryStatus, String)] = [
                (.draft, .confirmed, "confirmed by a verified fix"), (.confirmed, .fixing, "patches verified"),
                (.fixing, .ready, "every branch's series verified"),
            ]
            if checks.allSatisfy(\.ok), checks.contains(where: { $0.result != .noPatches }) {
                for (from, to, note) in steps where current.status == from {
                    current = try transition(advisory.id, to: to, kind: "status", note: note, in: db)
                }
            }
        }
        return checks
    }

    /// Whether every affected branch's current series passed its latest check
    /// on the branch's current head.
    public func verifiedSeries(_ id: String) throws -> [String: Bool] {
        let (advisory, project) = try advisoryAndProject(id)
        let git = environment.git(URL(fileURLWithPath: project.repoPath))
        return try verifiedSeries(advisory, heads: try git.branchCommits(advisory.branches, remote: project.remote))
    }

    /// `verifiedSeries(_:)` with the branch heads already read.
    func verifiedSeries(_ advisory: Advisory, heads: [String: String]) throws -> [String: Bool] {
        try store.read { db in
            var result: [String: Bool] = [:]
            for branch in advisory.branches {
                let series = try Self.patchRecords(db, advisory.id, branch: branch)
                let last = try Row.fetchOne(
                    db, sql: "SELECT head, series, result FROM patch_checks WHERE advisory = ? AND branch = ? ORDER BY seq DESC LIMIT 1",
                    arguments: [advisory.id, branch])
                result[branch] = Self.isVerified(series, last: last, head: heads[branch])
            }
            return result
        }
    }

    // MARK: Private branch

    /// Recreates a local branch with the series applied, for further work.
    /// The fix is then in the local repository; the caller warns about it.
    public func checkoutPatches(_ id: String, branch: String, as name: String?) throws -> String {
        try Permissions.require(.patch, by: member)
        let (advisory, project) = try advisoryAndProject(id)
        try checkBranch(branch, of: advisory)
        let repository = URL(fileURLWithPath: project.repoPath)
        let git = environment.git(repository)
        let target = name ?? "wip/\(branch)"
        guard try git.isValidBranchName(target) else { throw EmbargoError(.usage, "'\(EmbargoError.quoted(target))' is not a valid branch name") }
        if try git.run(["rev-parse", "--verify", "--quiet", "refs/heads/\(target)"]).status == 0 {
            throw EmbargoError(.failure, "branch \(target) already exists in \(project.repoPath)", hint: "pass --as NAME to choose another name")
        }
        guard let head = try git.branchCommit(branch, remote: project.remote) else {
            throw EmbargoError(.failure, "branch \(branch) not found in \(project.repoPath)")
        }
        let text = try patchText(advisory.id, branch: branch)
        let clone = try PrivateClone(repository: repository, runner: environment.runner, workTree: .sparse)
        defer { clone.remove() }
        if case .conflict(let files, _) = try clone.apply(series: text, onto: head) {
            throw EmbargoError(.failure, "the series does not apply to \(branch): conflicts in \(files.joined(separator: ", "))",
                               hint: "run 'embargo patch verify \(advisory.id)'")
        }
        let tip = try clone.git.output(["rev-parse", "HEAD"])
        let fetch = try git.run(["fetch", "--quiet", "--no-tags", clone.worktree.path, "\(tip):refs/heads/\(target)"])
        guard fetch.status == 0 else {
            throw EmbargoError(.failure, "cannot create branch \(target): \(firstLine(fetch.stderrText))")
        }
        try audited("patch.checkout", advisory.id, detail: "\(branch) as local branch \(target)") { db in
            try Self.record(db, advisory.id, at: now, actor: member.name, kind: "patch-checkout",
                            summary: "series for \(branch) checked out as local branch \(target)")
        }
        return target
    }
}
