import EmbargoCrypto
import EmbargoStore
import Foundation
import GRDB

/// The pre-push guard's list: salted hashes of the `git patch-id --stable` of
/// every embargoed patch of a repository, each with its advisory id and the
/// fingerprint of its hunks (`HunkFingerprint`).
///
/// It lives in `<git common dir>/embargo/guard.json` so that the hook can check
/// a push without unlocking the store. It holds no patch text, no title and no
/// patch id in clear: each hash is hex HMAC-SHA256 keyed with the salt (32
/// random bytes, kept across refreshes) over the patch id's 40 hex characters,
/// and each hunk is the sorted HMACs of its normalised changed lines.
///
/// ```json
/// {"entries":[{"advisory":"ADV-2026-001","hash":"5c0f...","hunks":[["81e2...","d03a..."]]}],"format_version":2,"salt":"9a41..."}
/// ```
public struct GuardList: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var hash: String
        public var advisory: String
        /// Keyed hashes of each hunk's changed lines; absent in lists of format 1.
        public var hunks: [[String]]?
    }

    /// An approved release's object (a tag, its commit, the branch head it
    /// moves to) that may be pushed from `from` on: the tag-first order of a
    /// security release, where the preparer pushes the tag on the disclosure
    /// day. Keyed like the entries; the file names no object.
    public struct Released: Codable, Sendable, Equatable {
        public var hash: String
        public var advisory: String
        public var from: String
    }

    public static let formatVersion = 2

    public var formatVersion: Int
    public var salt: String
    public var entries: [Entry]
    /// Absent in lists written before releases were let through.
    public var released: [Released]?

    enum CodingKeys: String, CodingKey {
        case salt, entries, released
        case formatVersion = "format_version"
    }

    /// A new, empty list with a fresh random salt.
    static func fresh() throws -> GuardList {
        GuardList(formatVersion: formatVersion, salt: Hex.encode(try Random.bytes(32)), entries: [], released: [])
    }

    /// The entry hash of a patch id (lowercase hex, as git prints it).
    func hash(patchID: String) -> String {
        Hex.encode(HMAC.sha256(key: Hex.decode(salt) ?? [], data: Array(patchID.lowercased().utf8)))
    }

    /// The hash of a normalised changed line (`HunkFingerprint`), apart from
    /// patch ids by its prefix. Truncated to 128 bits: enough to never collide
    /// by chance among a push's lines, and a smaller file.
    func hash(line: String) -> String {
        Hex.encode(Array(HMAC.sha256(key: Hex.decode(salt) ?? [], data: Array("line \(line)".utf8)).prefix(16)))
    }

    /// Decodes a list, refusing one this version cannot read.
    static func decode(_ bytes: [UInt8], path: String) throws -> GuardList {
        let list: GuardList
        do {
            list = try JSONDecoder().decode(GuardList.self, from: Data(bytes))
        } catch {
            throw EmbargoError(.failure, "the pre-push guard list \(path) is damaged",
                               hint: "run 'embargo guard install --project P' to rewrite it")
        }
        // Format 1 is format 2 without hunks: its entries match by patch id only.
        guard (1...formatVersion).contains(list.formatVersion) else {
            throw EmbargoError(.failure, "the pre-push guard list \(path) has format version \(list.formatVersion), this embargo reads \(formatVersion)",
                               hint: "use the embargo version that wrote it, or rewrite it with 'embargo guard install --project P'")
        }
        guard let salt = Hex.decode(list.salt), salt.count >= 16 else {
            throw EmbargoError(.failure, "the pre-push guard list \(path) has no valid salt",
                               hint: "run 'embargo guard install --project P' to rewrite it")
        }
        return list
    }

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(self)) + [0x0A]
    }
}

/// A pushed (or unpushed) commit that carries an embargoed fix.
public struct GuardHit: Sendable, Equatable {
    public var commit: String
    public var advisory: String
}

/// Commits that together carry most of an embargoed patch's hunks: the fix
/// squashed into other changes, re-indented, or split over several commits.
public struct GuardPartialHit: Sendable, Equatable {
    public var advisory: String
    /// The share of the patch's fingerprinted lines found, 0...1.
    public var share: Double
    /// The commits that change those lines, in the order git listed them.
    public var commits: [String]
}

/// What a check looked at and what it found.
public struct GuardReport: Sendable, Equatable {
    public var list: URL
    /// Commits examined (merges excluded: they have no patch id of their own).
    public var commits: Int
    public var hits: [GuardHit]
    /// Patches found by their hunks, of advisories no commit carries exactly; at most one per advisory.
    public var partialHits: [GuardPartialHit] = []

    public var refuses: Bool { !hits.isEmpty || !partialHits.isEmpty }
}

/// One line git gives a pre-push hook on standard input.
public struct PushUpdate: Sendable, Equatable {
    public var localRef: String
    public var localSHA: String
    public var remoteRef: String
    public var remoteSHA: String

    public init(localRef: String, localSHA: String, remoteRef: String, remoteSHA: String) {
        self.localRef = localRef
        self.localSHA = localSHA
        self.remoteRef = remoteRef
        self.remoteSHA = remoteSHA
    }

    /// Parses `<local ref> <local sha> <remote ref> <remote sha>` lines.
    public static func parse(_ text: String) throws -> [PushUpdate] {
        try text.split(whereSeparator: \.isNewline).compactMap { line -> PushUpdate? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if fields.isEmpty { return nil }
            guard fields.count == 4, isObjectName(fields[1]), isObjectName(fields[3]) else {
                throw EmbargoError(.usage, "'\(line.prefix(120))' is not a pre-push line",
                                   hint: "git passes '<local ref> <local sha> <remote ref> <remote sha>' lines to the hook")
            }
            return PushUpdate(localRef: fields[0], localSHA: fields[1].lowercased(), remoteRef: fields[2], remoteSHA: fields[3].lowercased())
        }
    }

    static func isObjectName(_ text: String) -> Bool {
        (text.count == 40 || text.count == 64) && text.allSatisfy(\.isHexDigit)
    }

    static func isZero(_ sha: String) -> Bool { sha.allSatisfy { $0 == "0" } }
}

/// The pre-push guard of one repository: its list, its hook and the check.
/// Needs only git, never the store, so the hook runs without an identity.
public struct PushGuard: Sendable {
    public let git: Git

    /// The line that marks a hook as ours, so reinstalling replaces it instead of chaining it.
    static let marker = "# embargo pre-push guard"
    static let chainedName = "pre-push.embargo-chained"

    public init(repository: URL, environment: Environment) {
        git = environment.git(repository)
    }

    // MARK: Locations

    /// `<git common dir>/embargo/guard.json`: shared by every worktree of the repository.
    public func listURL() throws -> URL {
        let common = try gitPath(["rev-parse", "--path-format=absolute", "--git-common-dir"])
        return common.appendingPathComponent("embargo").appendingPathComponent("guard.json")
    }

    /// The hooks directory git runs hooks from (`core.hooksPath` when set).
    public func hooksDirectory() throws -> URL {
        try gitPath(["rev-parse", "--path-format=absolute", "--git-path", "hooks"])
    }

    private func gitPath(_ arguments: [String]) throws -> URL {
        let result = try git.run(arguments)
        let path = result.stdoutText.trimmingCharacters(in: .newlines)
        guard result.status == 0, !path.isEmpty else {
            throw EmbargoError(.failure, "\(git.repository.path) is not a git repository",
                               hint: "pass the repository with --repo PATH")
        }
        return URL(fileURLWithPath: path)
    }

    // MARK: The list

    /// The list, or nil when there is none.
    public func loadList() throws -> GuardList? {
        try loadList(at: listURL())
    }

    private func loadList(at url: URL) throws -> GuardList? {
        guard let bytes = try SafeFile.read(url) else { return nil }
        return try GuardList.decode(bytes, path: url.path)
    }

    /// Replaces the list with hashes of `patches` (patch id, advisory id and
    /// the normalised lines of each hunk), keeping the salt of the current
    /// list when it is readable.
    @discardableResult
    func writeList(_ patches: [(patchID: String, advisory: String, hunks: [[String]])],
                   released: [(object: String, advisory: String, from: Date)] = []) throws -> GuardList {
        let url = try listURL()
        var list: GuardList
        if let current = try? loadList(at: url) { list = current } else { list = try GuardList.fresh() }
        list.formatVersion = GuardList.formatVersion
        var seen = Set<String>()
        list.entries = patches.map { patch in
            // Sorted within a hunk and among hunks, so the file does not reveal the order of the lines.
            let hunks = patch.hunks.map { Array(Set($0.map(list.hash(line:)))).sorted() }.filter { !$0.isEmpty }.sorted { $0.lexicographicallyPrecedes($1) }
            return GuardList.Entry(hash: list.hash(patchID: patch.patchID), advisory: patch.advisory, hunks: hunks)
        }
            .filter { seen.insert("\($0.advisory) \($0.hash)").inserted }
            // Sorted by hash within an advisory, so the file does not reveal the order of a series.
            .sorted { ($0.advisory, $0.hash) < ($1.advisory, $1.hash) }
        list.released = released.map { GuardList.Released(hash: list.hash(patchID: $0.object), advisory: $0.advisory, from: Timestamp.string($0.from)) }
            .sorted { ($0.advisory, $0.hash) < ($1.advisory, $1.hash) }
        try SafeFile.makePrivateDirectory(url.deletingLastPathComponent())
        try SafeFile.replaceAtomically(url, bytes: list.encoded(), mode: 0o600)
        return list
    }

    // MARK: Checking

    /// Checks the commits a push would send. `remote` is the name git passes the
    /// hook; when it names a configured remote, commits already on its
    /// remote-tracking branches are not checked again. Nil when there is no list.
    public func check(push updates: [PushUpdate], remote: String?, now: Date = Date()) throws -> GuardReport? {
        let url = try listURL()
        guard let list = try loadList(at: url) else { return nil }
        // An approved release's own objects go out from their time on (and what they contain with them).
        let allowed = Set((list.released ?? []).filter { Timestamp.parse($0.from).map { $0 <= now } ?? false }.map(\.hash))
        let released = updates.map(\.localSHA).filter { !PushUpdate.isZero($0) && allowed.contains(list.hash(patchID: $0)) }
        let tips = updates.map(\.localSHA).filter { !PushUpdate.isZero($0) && !released.contains($0) }
        guard !tips.isEmpty else { return GuardReport(list: url, commits: 0, hits: []) }
        var exclusions: [String] = released
        // A name with glob characters would widen --remotes= to other remotes and hide commits.
        if let remote, !remote.hasPrefix("-"), remote.rangeOfCharacter(from: CharacterSet(charactersIn: "*?[\\")) == nil,
           try git.hasRemote(remote)
        {
            exclusions.append("--remotes=\(remote)")
        }
        for update in updates where !PushUpdate.isZero(update.remoteSHA) {
            // The remote's old tip is only known here if it was fetched; otherwise nothing can be excluded for it.
            if try git.run(["rev-parse", "--verify", "--quiet", "\(update.remoteSHA)^{commit}"]).status == 0 {
                exclusions.append(update.remoteSHA)
            }
        }
        return try check(revisions: tips + (exclusions.isEmpty ? [] : ["--not"] + exclusions), list: list, url: url)
    }

    /// Checks the commits of local branches that are on no remote-tracking branch.
    /// Nil when there is no list.
    public func checkUnpushed() throws -> GuardReport? {
        let url = try listURL()
        guard let list = try loadList(at: url) else { return nil }
        return try check(revisions: ["--branches", "--not", "--remotes"], list: list, url: url)
    }

    /// The local branches that contain `commit`, to say where a hit is.
    public func branches(containing commit: String) throws -> [String] {
        guard PushUpdate.isObjectName(commit) else { return [] }
        let result = try git.run(["for-each-ref", "--format=%(refname:short)", "--contains", commit, "refs/heads"])
        return result.status == 0 ? result.stdoutText.split(whereSeparator: \.isNewline).map(String.init) : []
    }

    private func check(revisions: [String], list: GuardList, url: URL) throws -> GuardReport {
        // One `git log -p` for all commits, fed to one `git patch-id`. The diff
        // options that only change presentation are pinned to git's defaults,
        // so a user's configuration (noprefix, colour, external diff) cannot
        // change the patch id; --binary matches how 'patch add' stores patches.
        let log = try git.run(["log", "--no-merges", "--patch", "--format=commit %H", "--no-color", "--no-ext-diff", "--no-textconv",
                               "--binary", "--src-prefix=a/", "--dst-prefix=b/", "--no-show-signature"] + revisions)
        guard log.status == 0 else {
            throw EmbargoError(.failure, "git log failed in \(git.repository.path): \(firstLine(log.stderrText))")
        }
        // Split at every line break: a line of a diff may end in CRLF, which Swift reads as one character.
        let commits = HunkFingerprint.commits(ofLog: log.stdout).count
        guard commits > 0 else { return GuardReport(list: url, commits: 0, hits: []) }
        let ids = try git.run(["patch-id", "--stable"], input: log.stdout)
        guard ids.status == 0 else {
            throw EmbargoError(.failure, "git patch-id failed in \(git.repository.path): \(firstLine(ids.stderrText))")
        }
        var advisories: [String: [String]] = [:]
        for entry in list.entries { advisories[entry.hash, default: []].append(entry.advisory) }
        var hits: [GuardHit] = []
        var matched = Set<String>()
        for line in ids.stdoutText.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ")
            guard fields.count == 2 else { continue }
            let hash = list.hash(patchID: String(fields[0]))
            for advisory in advisories[hash] ?? [] {
                hits.append(GuardHit(commit: String(fields[1]), advisory: advisory))
                matched.insert(advisory)
            }
        }
        return GuardReport(list: url, commits: commits, hits: hits,
                           partialHits: Self.partialHits(list, log: log.stdout, skipping: matched))
    }

    /// The patches whose hunks the commits of `log` hold together, for
    /// advisories not already found by patch id: the best share per advisory.
    static func partialHits(_ list: GuardList, log: [UInt8], skipping matched: Set<String>) -> [GuardPartialHit] {
        let fingerprinted = list.entries.filter { !matched.contains($0.advisory) && !($0.hunks ?? []).isEmpty }
        guard !fingerprinted.isEmpty else { return [] }
        var pushed: [String: Set<String>] = [:]
        for (line, commits) in HunkFingerprint.changedLines(ofLog: log) { pushed[list.hash(line: line), default: []].formUnion(commits) }
        let order = HunkFingerprint.commits(ofLog: log)
        var best: [String: GuardPartialHit] = [:]
        for entry in fingerprinted {
            guard let found = HunkFingerprint.match(entry.hunks ?? [], in: pushed),
                  found.share > best[entry.advisory]?.share ?? 0 else { continue }
            best[entry.advisory] = GuardPartialHit(advisory: entry.advisory, share: found.share,
                                                   commits: order.filter(found.commits.contains))
        }
        return best.values.sorted { $0.advisory < $1.advisory }
    }

    // MARK: The hook

    /// The hook: runs `embargo guard check --hook` on the push, then the hook
    /// that was there before, each with git's arguments and the same standard
    /// input (saved to a file first, since both read it to the end).
    static func hookScript(executable: String, project: String) -> String {
        let quoted = "'" + executable.replacingOccurrences(of: "'", with: "'\\''") + "'"
        return """
            #!/bin/sh
            \(marker): refuses a push that carries an embargoed fix.
            # Written by 'embargo guard install --project \(project)'; reinstalling replaces this file. A
            # pre-push hook that was here before is kept as \(chainedName)
            # and runs after the check, with the same arguments and input.
            embargo=\(quoted)
            if ! command -v "$embargo" >/dev/null 2>&1; then
                echo "embargo pre-push guard: $embargo not found; the push is refused" >&2
                echo "reinstall the guard with 'embargo guard install --project \(project)'" >&2
                exit 1
            fi
            input=$(mktemp) || exit 1
            trap 'rm -f "$input"' EXIT
            cat >"$input" || exit 1
            "$embargo" guard check --hook --repo "$(git rev-parse --absolute-git-dir)" "$@" <"$input" || exit $?
            chained="$(dirname "$0")/\(chainedName)"
            if [ -x "$chained" ]; then
                "$chained" "$@" <"$input" || exit $?
            fi
            exit 0

            """
    }

    /// Writes the hook, keeping a foreign pre-push hook as the chained one.
    /// Returns the chained hook's location when there is one.
    func installHook(executable: String, project: String) throws -> (hook: URL, chained: URL?) {
        let directory = try hooksDirectory()
        let hook = directory.appendingPathComponent("pre-push")
        let chained = directory.appendingPathComponent(Self.chainedName)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw EmbargoError(.failure, "cannot create the hooks directory \(directory.path)")
        }
        // attributesOfItem does not follow symbolic links, so a dangling link still counts as a hook.
        let exists = { (url: URL) in (try? FileManager.default.attributesOfItem(atPath: url.path)) != nil }
        if exists(hook) {
            let current = (try? SafeFile.read(hook)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            if !current.contains(Self.marker) {
                guard !exists(chained) else {
                    throw EmbargoError(.failure, "\(hook.path) is another tool's hook and \(chained.path) already exists",
                                       hint: "merge the two hooks into \(chained.lastPathComponent) by hand, remove pre-push, then install again")
                }
                guard rename(hook.path, chained.path) == 0 else {
                    throw EmbargoError(.failure, "cannot rename \(hook.path): \(String(cString: strerror(errno)))")
                }
            }
        }
        try SafeFile.replaceAtomically(hook, bytes: Array(Self.hookScript(executable: executable, project: project).utf8), mode: 0o755)
        return (hook, exists(chained) ? chained : nil)
    }
}

/// What `guard install` did.
public struct GuardInstallation: Sendable, Equatable {
    public var hook: URL
    /// The pre-push hook that was there before, kept and run after the check.
    public var chained: URL?
    public var list: URL
    public var entries: Int
    public var advisories: [String]
}

extension Workspace {
    /// Installs the pre-push guard in a project's repository and writes its list.
    /// `executable` is what the hook runs: the absolute path of this embargo.
    public func installGuard(project name: String, executable: String) throws -> GuardInstallation {
        try Permissions.require(.patch, by: member)
        let project = try project(named: name).project
        let pushGuard = PushGuard(repository: URL(fileURLWithPath: project.repoPath), environment: environment)
        let (hook, chained) = try pushGuard.installHook(executable: executable, project: project.name)
        let list = try writeGuardList(project)
        try audited("guard.install", project.name, detail: "pre-push hook in \(hook.path)") { _ in }
        return GuardInstallation(hook: hook, chained: chained, list: try pushGuard.listURL(), entries: list.entries.count,
                                 advisories: Array(Set(list.entries.map(\.advisory))).sorted())
    }

    /// Keeps the pre-push guard's list current for a project's repository.
    ///
    /// The list is written whether or not the hook is installed: a hook
    /// installed later, or by another hook manager calling
    /// `embargo guard check --hook`, and a hand-run `guard check`, then never
    /// see a stale list. It is called after every change to the set of
    /// embargoed patches: `patch add`, `patch remove`, a project's repository
    /// changing, and — once it exists — `embargo publish`, which must call it
    /// after the advisory's status becomes `published` so its patches drop out
    /// of the list (see `Workspace.transition`).
    func refreshGuard(project name: String) throws {
        let project = try project(named: name).project
        do {
            try writeGuardList(project)
        } catch let error as EmbargoError {
            throw EmbargoError(error.kind, "the pre-push guard list of \(project.repoPath) was not updated: \(error.message)",
                               hint: "run 'embargo guard install --project \(project.name)' once the repository is reachable")
        }
    }

    /// After a change that lets a release through or holds it back (an
    /// approval, a new disclosure time): rewrites the guard list of the
    /// advisory's project when its clone has one. Best effort: a clone this
    /// machine cannot reach keeps its list until the next command that
    /// writes it (a patch change, a publication, 'guard install').
    public func refreshInstalledGuard(advisory id: String) {
        guard let advisory = try? advisory(id), let project = try? project(named: advisory.project).project,
              let url = try? PushGuard(repository: URL(fileURLWithPath: project.repoPath), environment: environment).listURL(),
              FileManager.default.fileExists(atPath: url.path)
        else { return }
        _ = try? writeGuardList(project)
    }

    /// Every patch of every unpublished advisory of every project on the same
    /// repository (projects may share one clone, and they share its list).
    @discardableResult
    private func writeGuardList(_ project: Project) throws -> GuardList {
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT p.patch_id, p.advisory, p.blob FROM patches p
                JOIN advisories a ON a.id = p.advisory
                JOIN projects r ON r.name = a.project
                WHERE r.repo_path = ? AND a.status != 'published'
                """, arguments: [project.repoPath])
        }
        let pushGuard = PushGuard(repository: URL(fileURLWithPath: project.repoPath), environment: environment)
        let patches = try rows.map { row -> (patchID: String, advisory: String, hunks: [[String]]) in
            let text = try Mbox.parse(try store.blob(row["blob"])).map(\.text).joined(separator: "\n")
            return (patchID: row["patch_id"], advisory: row["advisory"], hunks: HunkFingerprint.hunks(of: text))
        }
        // An approved pre-release's tags, commits and branch heads may be pushed from the start of
        // the disclosure day (the tag-first order of drupal.org), exactly these and nothing else.
        // Who approved is read from rows that the signed trail holds to its entries: the trail is
        // checked first, once, and one that does not verify lets nothing through.
        var released: [(object: String, advisory: String, from: Date)] = []
        var trailHolds: Bool?
        for advisory in Set(rows.map { $0["advisory"] as String }).sorted() {
            let current = try self.advisory(advisory)
            guard current.status == .approved else { continue }
            if trailHolds == nil { trailHolds = (try? verifyAudit()) != nil }
            guard trailHolds == true, let disclosure = current.disclosureAt.flatMap(Timestamp.parse),
                  let prerelease = try currentPrerelease(advisory), !(try validApprovals(advisory)).isEmpty,
                  // Its tags hold the fixes of every advisory released with it: each must be approved.
                  try approvalGaps(of: prerelease, for: advisory).isEmpty,
                  let from = ReleaseCalendar.tagWindow(kind: .security, releaseAt: disclosure).earliest
            else { continue }
            for branch in prerelease.manifest.branches {
                for object in [branch.tagObject, branch.releaseCommit, branch.branchHead] { released.append((object, advisory, from)) }
            }
        }
        return try pushGuard.writeList(patches, released: released)
    }
}

enum Hex {
    static func encode(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func decode(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}
