import EmbargoCrypto
import EmbargoStore
import Foundation
import GRDB

/// The pre-release manifest: what the security team reviews and what
/// publication must reproduce bit for bit.
public struct PrereleaseManifest: Codable, Sendable, Equatable {
    public var formatVersion: Int
    public var advisory: String
    public var project: String
    public var packageName: String
    public var createdAt: String
    public var createdBy: String
    public var signingKey: String
    public var auditHead: String?
    public var branches: [BranchRelease]
    /// SHA-256 of the advisory's public texts as this pre-release shows them
    /// (`Advisory.publicDigest`): the approval binds them with the manifest.
    public var publicSHA256: String?
    /// Every advisory the release carries, when it carries more than one
    /// (`advisory` is then the first): one pre-release holds all their fixes.
    public var advisories: [String]?
    /// Per carried advisory, the SHA-256 of its public texts (with `advisories`).
    public var publicDigests: [String: String]?

    enum CodingKeys: String, CodingKey {
        case advisory, project, branches, advisories
        case publicSHA256 = "public_sha256"
        case publicDigests = "public_digests"
        case formatVersion = "format_version"
        case packageName = "package_name"
        case createdAt = "created_at"
        case createdBy = "created_by"
        case signingKey = "signing_key"
        case auditHead = "audit_head"
    }

    public var versions: [String] { branches.map(\.plan.version) }

    /// The advisories whose fixes this pre-release holds.
    public var carried: [String] { advisories ?? [advisory] }

    /// The digest of `id`'s public texts as this pre-release shows them.
    public func publicDigest(of id: String) -> String? {
        publicDigests?[id] ?? (id == advisory ? publicSHA256 : nil)
    }

    public func encoded() throws -> [UInt8] {
        Array(try JSONEncoder.document().encode(self)) + [0x0A]
    }

    public static func decode(_ bytes: [UInt8]) throws -> PrereleaseManifest {
        do {
            return try JSONDecoder().decode(PrereleaseManifest.self, from: Data(bytes))
        } catch {
            throw EmbargoError(.verification, "the manifest is not a valid embargo pre-release manifest")
        }
    }
}

/// A pre-release as the store records it.
public struct PrereleaseRecord: Sendable, Equatable {
    /// Why a stored manifest cannot be trusted (its text is not the one its hash
    /// names: the row was changed around embargo), or nil.
    static func manifestProblem(_ manifest: String, hash: String, advisory: String) -> String? {
        hex(Digest.sha256(Array(manifest.utf8))) == hash ? nil
            : "the manifest of a pre-release of \(advisory.prefix(40)) does not match its hash \(hash.prefix(16)): its text was changed after it was built"
    }

    /// The store's row number, shared by every advisory.
    public var seq: Int64
    /// Its number among the advisory's pre-releases (1, 2, ...): what people see.
    public var number: Int
    public var advisory: String
    public var createdAt: String
    public var createdBy: String
    public var manifest: PrereleaseManifest
    public var manifestHash: String
    public var bundleName: String
    public var bundleHash: String
    public var recipients: [String]
    public var superseded: Bool
}

public struct PrereleaseOptions: Sendable {
    public var outputDirectory: URL
    public var recipients: [String] = []
    public var gpgRecipients: [String] = []
    public var acceptedFindings: Set<String> = []
    /// Use the branches as last fetched instead of fetching the remote first.
    public var offline = false

    public init(outputDirectory: URL) {
        self.outputDirectory = outputDirectory
    }
}

public struct PrereleaseResult: Sendable {
    public var bundle: URL
    public var gpgBundle: URL?
    public var manifest: PrereleaseManifest
    public var bundleHash: String
    /// SHA-256 of manifest.json, which an approval binds.
    public var manifestHash: String
    public var recipients: [String]
    /// Changes marked breaking that the security release carries from its
    /// branches (`1.2.1: #3500060 Drop the legacy API`): a patch bump should not.
    public var breakingChanges: [String] = []
}

extension Workspace {
    public static let defaultCommitter = "embargo release <release@embargo.invalid>"

    /// The plans for every affected branch: versions from the tags, the head
    /// each branch is at now, the timestamp fixed by the store's state.
    /// With several advisories released together, every branch any of them
    /// affects, and on each their series one after the other.
    func releasePlans(_ advisory: Advisory, _ project: Project) throws -> [(ReleasePlan, String)] {
        let git = environment.git(URL(fileURLWithPath: project.repoPath))
        let together = try releasedTogether(advisory.id)
        let all = try releasePatches(together)
        // The release time is the scheduled disclosure, else the last change to the series:
        // the same store state always gives the same commits.
        let stamp = together.compactMap { $0.disclosureAt.flatMap(Timestamp.parse) }.min()
            ?? all.compactMap { Timestamp.parse($0.addedAt) }.max()
            ?? environment.clock.now()
        let requiredPaths: [String] = try store.read { db in
            try Advisory.decode(try String.fetchOne(db, sql: "SELECT required_paths FROM projects WHERE name = ?", arguments: [project.name]))
        }
        let committer = try store.read { db in
            try String.fetchOne(db, sql: "SELECT committer FROM projects WHERE name = ?", arguments: [project.name])
        } ?? Self.defaultCommitter
        let branches = Self.releaseBranches(together)
        let heads = try git.branchCommits(branches, remote: project.remote)
        return try branches.map { branch in
            let series = all.filter { $0.branch == branch }
            guard let head = heads[branch] else {
                throw EmbargoError(.failure, "branch \(branch) not found in \(project.repoPath)")
            }
            let releases = try BranchReleases.compute(branch: branch, tags: git.tags(mergedInto: head))
            let plan = ReleasePlan(branch: branch, baseCommit: head, version: releases.nextRelease, previousVersion: releases.lastRelease,
                                   patchIDs: series.map(\.patchID), timestamp: Int(stamp.timeIntervalSince1970), committer: committer,
                                   packageName: project.packageName, buildCommand: project.buildCommand, requiredPaths: requiredPaths,
                                   changelogLayout: ReleasePlan.currentChangelogLayout)
            return (plan, try seriesText(series))
        }
    }

    /// Builds the pre-release for the security team and records it.
    public func prerelease(_ id: String, options: PrereleaseOptions, progress: (String) -> Void = { _ in }) throws -> PrereleaseResult {
        try Permissions.require(.prerelease, by: member)
        let (advisory, project) = try advisoryAndProject(id)
        let together = try releasedTogether(advisory.id)
        progress("fetching \(project.remote)")
        try fetchProject(project, offline: options.offline)
        for carried in together {
            try requireReadyForPrerelease(carried, accepting: options.acceptedFindings)
        }
        if let disagreement = Self.disclosureDisagreement(together) { throw disagreement }
        let recipients = try prereleaseRecipients(options.recipients)
        // A bundle of the same name (the same versions) is never replaced: the one the
        // security team holds may be it. Refused before anything is built.
        let base = try bundleBaseName(project, versions: releasePlans(advisory, project).map(\.0.version))
        for name in [base + ".age"] + (options.gpgRecipients.isEmpty ? [] : [base + ".gpg"]) {
            let existing = options.outputDirectory.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: existing.path) {
                throw EmbargoError(.failure, "\(existing.path) exists already; a new bundle never replaces a file",
                                   hint: "pass another directory: 'embargo prerelease \(advisory.id) --out DIR', or remove the old bundle first")
            }
        }

        progress("building the release commits in a private clone")
        let built = try buildRelease(advisory, project, packaging: true, progress: progress)
        defer { built.clone.remove() }

        let auditHead = try store.read { db in try AuditTrail.head(db) }
        // Advisories released together share one manifest, named after the first.
        let lead = together[0]
        let several = together.count > 1
        var manifest = PrereleaseManifest(
            formatVersion: 1, advisory: lead.id, project: project.name, packageName: project.packageName, createdAt: now,
            createdBy: member.name, signingKey: identity.signingKey, auditHead: auditHead, branches: built.outputs.map(\.release),
            publicSHA256: lead.publicDigest)
        if several {
            manifest.advisories = together.map(\.id)
            manifest.publicDigests = Dictionary(uniqueKeysWithValues: together.map { ($0.id, $0.publicDigest) })
        }
        progress("packing and encrypting the bundle")
        // Small files in memory with their hashes; the artifacts stay on disk, read
        // once, as the encrypted tar is written (their hashes are known already).
        var files: [(path: String, content: TarContent, sha256: String)] = []
        func add(_ path: String, _ bytes: [UInt8]) { files.append((path, .bytes(bytes), hex(Digest.sha256(bytes)))) }
        add("manifest.json", try manifest.encoded())
        // With several advisories, each one's texts and patches in a folder named after it.
        for carried in together {
            let folder = several ? "\(carried.id)/" : ""
            for (path, bytes) in try bundleAdvisoryFiles(carried.id, plans: manifest.branches.map(\.plan), folder: "advisory/" + folder) {
                add(path, bytes)
            }
            for record in try patches(carried.id) {
                let slug = record.subject.lowercased().replacing(/[^a-z0-9]+/, with: "-").trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(50)
                add(String(format: "patches/%@%@/%04d-%@.patch", folder, record.branch, record.position, String(slug)), try store.blob(record.blob))
            }
        }
        for output in built.outputs {
            add("release-notes/\(output.release.plan.branch).md", Array(output.notes.markdown.utf8))
        }
        for output in built.outputs {
            for (url, archive) in zip(output.archiveFiles, output.release.archives) {
                files.append(("artifacts/\(archive.name)", .file(url, size: archive.size), archive.sha256))
            }
            if let bundle = output.gitBundle {
                let (sha256, size) = try fileDigest(bundle)
                files.append(("artifacts/\(bundle.lastPathComponent)", .file(bundle, size: size), sha256))
            }
        }
        files.sort { $0.path < $1.path }
        let sums = files.map { "\($0.sha256)  \($0.path)\n" }.joined()
        let stamp = built.outputs.first?.release.plan.timestamp ?? 0
        let signature = try identity.signing.sign(
            Array(sums.utf8), trustedComment: "timestamp:\(stamp)\tfile:SHA256SUMS\tembargo \(together.map(\.id).joined(separator: " "))",
            untrustedComment: "signature from embargo member \(member.name)")
        func bundleTar() throws -> TarWriter {
            // The epoch as file time: the bundle is reproducible and unpacks without warnings.
            let tar = TarWriter(mtime: Date(timeIntervalSince1970: 0))
            try tar.add("SHA256SUMS", Array(sums.utf8))
            try tar.add("SHA256SUMS.minisig", Array(signature.encoded.utf8))
            for file in files { try tar.add(file.path, file.content) }
            return tar
        }

        try SafeFile.makePrivateDirectory(options.outputDirectory)
        let bundleURL = options.outputDirectory.appendingPathComponent(base + ".age")
        let tar = try bundleTar()
        var encrypted: [UInt8] = []
        encrypted.reserveCapacity(tar.size + tar.size / 4096 + 4096)
        let bundleDigest = StreamingDigest(.sha256)
        try Age.encrypt(recipients: recipients.map { try AgeX25519Recipient(parsing: $0) }, armor: false,
                        read: { try tar.read($0) },
                        write: { bundleDigest.update($0); encrypted += $0 })
        try SafeFile.createAtomically(bundleURL, bytes: encrypted, mode: 0o600)
        let bundleHash = hex(bundleDigest.finalize())
        encrypted = []
        var gpgURL: URL?
        let manifestBytes = try manifest.encoded()
        let manifestHash = hex(Digest.sha256(manifestBytes))
        let allRecipients = recipients + options.gpgRecipients.map { "gpg:\($0)" }
        do {
            if !options.gpgRecipients.isEmpty {
                var plain = try bundleTar().finished()
                defer { wipe(&plain) }
                let url = options.outputDirectory.appendingPathComponent(base + ".gpg")
                let temporary = options.outputDirectory.appendingPathComponent(".\(base).gpg.\(getpid()).tmp")
                unlink(temporary.path)
                defer { unlink(temporary.path) }
                try encryptWithGPG(plain, to: options.gpgRecipients, output: temporary)
                try SafeFile.linkNew(temporary, to: url)
                gpgURL = url
            }
            let detail = "bundle \(bundleURL.lastPathComponent) \(bundleHash.prefix(16))"
            try audited("advisory.prerelease", lead.id, detail: detail) { db in
                for carried in together {
                    if carried.id != lead.id { try appendAudit(db, "advisory.prerelease", carried.id, detail: detail) }
                    try Self.setAsidePrereleases(db, of: carried.id)
                    try db.execute(
                        sql: """
                            INSERT INTO prereleases (advisory, created_at, created_by, manifest, manifest_hash, bundle_name, bundle_hash, recipients)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [carried.id, manifest.createdAt, member.name, String(decoding: manifestBytes, as: UTF8.self), manifestHash,
                                    bundleURL.lastPathComponent, bundleHash, try Advisory.encodeJSON(allRecipients)])
                    try Self.record(db, carried.id, at: now, actor: member.name, kind: "prereleased",
                                    summary: "pre-release \(manifest.versions.joined(separator: ", ")) sent to \(allRecipients.count) recipient(s), bundle sha256 \(bundleHash.prefix(16))"
                                        + (several ? ", with the fixes of " + together.filter { $0.id != carried.id }.map(\.id).joined(separator: ", ") : ""),
                                    detail: manifestHash)
                    _ = try transition(carried.id, to: .prereleased, kind: "status", note: "pre-release built", in: db)
                }
            }
        } catch {
            // Not recorded: the files this run wrote go, so that the next run may write them.
            unlink(bundleURL.path)
            if let gpgURL { unlink(gpgURL.path) }
            throw error
        }
        try securityRelease(for: lead, versions: manifest.branches.map(\.plan))
        let breaking = built.outputs.flatMap(\.breakingChanges)
        return PrereleaseResult(bundle: bundleURL, gpgBundle: gpgURL, manifest: manifest, bundleHash: bundleHash, manifestHash: manifestHash,
                                recipients: allRecipients, breakingChanges: breaking)
    }

    /// A pre-release needs a verified fix (status ready or later) on every
    /// affected branch's current head, and a clean leak check.
    private func requireReadyForPrerelease(_ advisory: Advisory, accepting findings: Set<String>) throws {
        guard [.ready, .prereleased, .approved].contains(advisory.status) else {
            let standing = try standing(advisory.id)
            throw EmbargoError(.refused, "advisory \(advisory.id) is \(advisory.status.rawValue); a pre-release needs a verified fix (status ready)"
                                   + (standing.blockers.isEmpty ? "" : ": " + standing.blockers.joined(separator: "; ")),
                               hint: standing.next.map { "run '\($0)'" } ?? "see 'embargo status \(advisory.id)'")
        }
        let verified = try verifiedSeries(advisory.id)
        if let branch = advisory.branches.first(where: { verified[$0] != true }) {
            throw EmbargoError(.refused, "the series for \(branch) is not verified on the branch's current head",
                               hint: "run 'embargo patch verify \(advisory.id)'")
        }
        try requireCleanLint(advisory.id, accepting: findings)
    }

    /// `NAME-VERSIONS.prerelease.tar`, the bundle's name before `.age` or `.gpg`.
    func bundleBaseName(_ project: Project, versions: [String]) -> String {
        "\(project.packageName)-\(versions.joined(separator: "-")).prerelease.tar"
    }

    struct BuiltRelease {
        let clone: PrivateClone
        let outputs: [ReleaseBuilder.Output]
    }

    /// Builds every branch's release in one private clone (the caller removes it):
    /// the commits and tags, and with `packaging` the archives and git bundles.
    /// Without a build command, nothing runs in the clone's work tree, so it
    /// holds only the files the series touch (see `PrivateClone.WorkTree`).
    func buildRelease(_ advisory: Advisory, _ project: Project, plans given: [ReleasePlan]? = nil, packaging: Bool = false,
                      progress: (String) -> Void = { _ in }) throws -> BuiltRelease
    {
        let work: [(ReleasePlan, String)]
        if let given {
            let all = try releasePatches(try releasedTogether(advisory.id))
            work = try given.map { plan in (plan, try seriesText(all.filter { $0.branch == plan.branch })) }
        } else {
            work = try releasePlans(advisory, project)
        }
        let workTree: PrivateClone.WorkTree = work.contains { $0.0.buildCommand != nil } ? .full : .sparse
        let clone = try PrivateClone(repository: URL(fileURLWithPath: project.repoPath), runner: environment.runner, workTree: workTree)
        do {
            let builder = ReleaseBuilder(clone: clone, runner: environment.runner)
            // A team that keeps no credits gets no Organizations section, rather than "0".
            let credits = try self.people()
            let people = credits.isEmpty ? nil : PeopleDirectory(credits)
            var outputs: [ReleaseBuilder.Output] = []
            for (plan, series) in work {
                progress("building \(plan.version) on \(plan.branch)")
                outputs.append(try builder.build(plan, series: series, project: project.name, people: people))
            }
            if packaging {
                progress("writing the archives of \(outputs.map(\.release.plan.version).joined(separator: ", "))")
                let artifacts = clone.root.appendingPathComponent("artifacts")
                try SafeFile.makePrivateDirectory(artifacts)
                outputs = try builder.package(outputs, into: artifacts)
            }
            return BuiltRelease(clone: clone, outputs: outputs)
        } catch {
            clone.remove()
            throw error
        }
    }

    func prereleaseRecipients(_ given: [String]) throws -> [String] {
        if !given.isEmpty {
            return try given.map { text in
                do { return try AgeX25519Recipient(parsing: text).encoded } catch {
                    throw EmbargoError(.usage, "'\(text.prefix(80))' is not an age recipient (age1...)")
                }
            }
        }
        let security = try members().filter { $0.role == .security }.compactMap(\.recipient)
        guard !security.isEmpty else {
            throw EmbargoError(.refused, "no member has the security role, and no --recipient was given",
                               hint: "add the security team with 'embargo member add NAME --recipient age1... --signing-key RW... --role security' or pass --recipient age1...")
        }
        return security
    }

    /// The advisory texts in the bundle: the Drupal SA draft, OSV and (with a CVE id) CVE JSON 5,
    /// for the versions the bundle's release commits carry, in `folder`.
    func bundleAdvisoryFiles(_ id: String, plans: [ReleasePlan], folder: String = "advisory/") throws -> [(String, [UInt8])] {
        let (advisory, project) = try advisoryAndProject(id)
        let input = ExportInput(advisory: advisory, project: project, releases: try releases(for: advisory.id, plans: plans),
                                severities: SeverityView.all(for: advisory), generatedAt: environment.clock.now(), draft: true)
        var files = [
            (folder + "drupal-sa.txt", Array(try AdvisoryExporter.render(.drupal, input).utf8)),
            (folder + "osv.json", Array(try AdvisoryExporter.render(.osv, input).utf8)),
        ]
        if advisory.cveID != nil { files.append((folder + "cve.json", Array(try AdvisoryExporter.render(.cve, input).utf8))) }
        return files
    }

    func encryptWithGPG(_ plaintext: [UInt8], to recipients: [String], output: URL) throws {
        var arguments = ["--batch", "--yes", "--quiet", "--trust-model", "always", "--encrypt", "--output", output.path]
        for recipient in recipients {
            guard !recipient.hasPrefix("-") else { throw EmbargoError(.usage, "'\(recipient)' is not an OpenPGP key id") }
            arguments += ["--recipient", recipient]
        }
        let result = try environment.runner.run("gpg", arguments, environment: nil, directory: nil, input: plaintext)
        guard result.status == 0 else {
            throw EmbargoError(.failure, "gpg could not encrypt the bundle: \(firstLine(result.stderrText))",
                               hint: "import the recipient's public key with 'gpg --import'")
        }
        chmod(output.path, 0o600)
    }

    /// The advisory's pre-releases no longer count, nor any approval of them
    /// (a new pre-release, a revert, a release that carries more fixes now).
    static func setAsidePrereleases(_ db: Database, of id: String) throws {
        try db.execute(sql: "UPDATE prereleases SET superseded = 1 WHERE advisory = ?", arguments: [id])
        try db.execute(sql: "UPDATE approvals SET void = 1 WHERE advisory = ? AND void = 0", arguments: [id])
    }

    // MARK: Reading pre-releases

    public func prereleases(_ id: String) throws -> [PrereleaseRecord] {
        try store.read { db in
            let advisory = try Self.fetchAdvisory(db, id)
            return try Row.fetchAll(db, sql: "SELECT * FROM prereleases WHERE advisory = ? ORDER BY seq", arguments: [advisory.id])
                .enumerated().map { index, row in
                if let problem = PrereleaseRecord.manifestProblem(row["manifest"], hash: row["manifest_hash"], advisory: advisory.id) {
                    throw AuditTrail.damaged(problem)
                }
                return PrereleaseRecord(
                    seq: row["seq"], number: index + 1, advisory: row["advisory"], createdAt: row["created_at"], createdBy: row["created_by"],
                    manifest: try PrereleaseManifest.decode(Array((row["manifest"] as String).utf8)), manifestHash: row["manifest_hash"],
                    bundleName: row["bundle_name"], bundleHash: row["bundle_hash"], recipients: try Advisory.decode(row["recipients"]),
                    superseded: (row["superseded"] as Int) != 0)
            }
        }
    }

    /// The current (not superseded) pre-release, if any.
    public func currentPrerelease(_ id: String) throws -> PrereleaseRecord? {
        try prereleases(id).last { !$0.superseded }
    }
}
