import EmbargoCrypto
import EmbargoStore
import Foundation
import GRDB

/// Opens and checks a pre-release bundle exactly as a recipient with
/// standard tools would: decrypt, untar, check the minisign signature over
/// SHA256SUMS, then every checksum.
public enum BundleVerifier {
    public struct Report: Sendable {
        public var manifest: PrereleaseManifest
        /// SHA-256 of manifest.json, which approvals bind.
        public var manifestSHA256: String
        public var signer: String
        /// The minisign public key that signed SHA256SUMS.
        public var signerKey: String
        public var trustedComment: String
        public var files: [(path: String, size: Int)]
    }

    /// - Parameters:
    ///   - signers: the public keys allowed to sign, with a name for each.
    ///   - store: the store's record of the bundles it made, which tells a
    ///     bundle for others from a damaged one (`Workspace.notAddressed`).
    public static func verify(_ bundle: [UInt8], identity: any AgeIdentity, signers: [(name: String, key: String)],
                              store: ((_ bundleSHA256: String) throws -> EmbargoError?)? = nil) throws -> Report
    {
        var plain: [UInt8]
        do {
            plain = try Age.decrypt(bundle, identities: [identity])
        } catch AgeError.noMatch {
            // No stanza opens with this identity. A bundle for others and a damaged stanza of
            // one's own look the same from here; a bundle the store made, byte for byte, is
            // intact, so it is for others.
            if let precise = try store?(hex(Digest.sha256(bundle))) { throw precise }
            throw EmbargoError(.verification, "the bundle cannot be opened with this identity: it is addressed to others, or its header was damaged",
                               hint: "pass the identity of one of its recipients with --identity")
        } catch {
            throw EmbargoError(.verification, "the bundle cannot be decrypted: it was modified or damaged (\(error))")
        }
        defer { wipe(&plain) }
        let entries = try TarReader.files(plain)
        var files: [String: [UInt8]] = [:]
        for entry in entries {
            guard files[entry.path] == nil else { throw EmbargoError(.verification, "the bundle holds \(entry.path) twice") }
            files[entry.path] = entry.content
        }
        guard let sums = files["SHA256SUMS"], let signatureText = files["SHA256SUMS.minisig"], let manifestBytes = files["manifest.json"] else {
            throw EmbargoError(.verification, "the bundle lacks SHA256SUMS, its signature or the manifest")
        }
        let signature: MinisignSignature
        do {
            signature = try MinisignSignature(parsing: String(decoding: signatureText, as: UTF8.self))
        } catch {
            throw EmbargoError(.verification, "SHA256SUMS.minisig is malformed: \(error)")
        }
        var signer: String?
        var signerKey = ""
        for candidate in signers where signer == nil {
            guard let key = try? MinisignPublicKey(base64: candidate.key), key.keyID == signature.keyID else { continue }
            do {
                try key.verify(signature, for: sums)
                signer = candidate.name
                signerKey = candidate.key
            } catch {
                throw EmbargoError(.verification, "the signature over SHA256SUMS is invalid (\(error))",
                                   hint: "the bundle was changed after it was signed; ask for a new pre-release")
            }
        }
        guard let signer else {
            throw EmbargoError(.verification, "SHA256SUMS is not signed by a known member",
                               hint: "pass the signer's key with --signer-key RW..., or verify with the store of the project")
        }
        var listed: Set<String> = []
        for line in String(decoding: sums, as: UTF8.self).split(separator: "\n") {
            guard let match = line.wholeMatch(of: /([0-9a-f]{64})  (.+)/) else {
                throw EmbargoError(.verification, "SHA256SUMS has a malformed line")
            }
            let path = String(match.2)
            guard let content = files[path] else { throw EmbargoError(.verification, "\(path) is listed in SHA256SUMS but missing") }
            guard hex(Digest.sha256(content)) == String(match.1) else {
                throw EmbargoError(.verification, "checksum mismatch for \(path)", hint: "the bundle was changed; ask for a new pre-release")
            }
            listed.insert(path)
        }
        let unlisted = Set(files.keys).subtracting(listed).subtracting(["SHA256SUMS", "SHA256SUMS.minisig"])
        if let extra = unlisted.sorted().first {
            throw EmbargoError(.verification, "\(extra) is in the bundle but not in SHA256SUMS")
        }
        let manifest = try PrereleaseManifest.decode(manifestBytes)
        for branch in manifest.branches {
            for archive in branch.archives {
                guard let content = files["artifacts/\(archive.name)"], hex(Digest.sha256(content)) == archive.sha256 else {
                    throw EmbargoError(.verification, "artifact \(archive.name) does not match the manifest")
                }
            }
        }
        return Report(manifest: manifest, manifestSHA256: hex(Digest.sha256(manifestBytes)), signer: signer, signerKey: signerKey, trustedComment: signature.trustedComment,
                      files: entries.map { ($0.path, $0.content.count) })
    }
}

/// What the store says of a verified bundle: who signed it, as what, and
/// whether it is the pre-release that counts.
public struct BundleTrust: Sendable {
    public var creatorRole: Role
    /// The pre-release's number among the advisory's own (1, 2, ...).
    public var prerelease: Int
    public var current: Bool
    public var supersededBy: Int?
}

extension Workspace {
    /// For a bundle that does not open with this member's identity: when the
    /// store made it (its SHA-256 is a pre-release's), access denied (exit 5),
    /// naming whom it was made for; nil for a bundle the store does not know.
    public func notAddressed(bundleSHA256: String) throws -> EmbargoError? {
        let all = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT advisory FROM prereleases WHERE bundle_hash = ?", arguments: [bundleSHA256]).map { $0["advisory"] as String }
        }
        guard let advisory = all.first, let record = try prereleases(advisory).first(where: { $0.bundleHash == bundleSHA256 }) else { return nil }
        let names = Dictionary(try members().compactMap { member in member.recipient.map { ($0, member.name) } }, uniquingKeysWith: { first, _ in first })
        let recipients = record.recipients.filter { !$0.hasPrefix("gpg:") }.map { names[$0] ?? String($0.prefix(16)) + "..." }
        return EmbargoError(.accessDenied, "pre-release \(record.number) of \(advisory) is not addressed to \(member.name): it was encrypted to \(recipients.joined(separator: ", "))",
                            hint: "pass --identity FILE of one of them, or ask for a bundle to your recipient: 'embargo prerelease \(advisory) --out DIR --recipient age1...'")
    }

    /// Every signing key the signed membership chain ever held (current and
    /// former members, external approvers included), for bundle verification.
    public func signingKeys() throws -> [(name: String, key: String)] {
        try store.read { db in
            let chain = try AuditTrail.membership(db)
            return chain.members.values.sorted { $0.name < $1.name }.map { ($0.name, $0.signingKey) }
                + chain.former.map { ($0.member.name, $0.member.signingKey) }
        }
    }

    /// Checks a verified bundle against the store: it is signed by its
    /// creator, who was then a member with the permission to build
    /// pre-releases (by the signed membership chain as of the manifest's
    /// time), and it is the advisory's current pre-release. Exit 4 otherwise;
    /// an older, superseded one passes only with `allowSuperseded`.
    public func checkBundle(_ report: BundleVerifier.Report, allowSuperseded: Bool) throws -> BundleTrust {
        let manifest = report.manifest
        guard report.signer == manifest.createdBy else {
            throw EmbargoError(.verification, "the bundle is signed by \(report.signer), but \(manifest.createdBy) created it: only its creator signs a pre-release",
                               hint: "the bundle was re-signed after it was built; ask \(manifest.createdBy) for a new pre-release")
        }
        let then = try store.read { db in try AuditTrail.membership(db, until: manifest.createdAt) }
        guard let creator = then.members[manifest.createdBy], creator.signingKey == report.signerKey else {
            let removed = then.former.last { $0.member.name == manifest.createdBy }
            throw EmbargoError(.verification, "the bundle is signed by \(report.signer), who was not a member on \(manifest.createdAt)"
                               + (removed.map { " (removed on \($0.removedAt))" } ?? ""),
                               hint: "only a current member with the prerelease permission may sign a pre-release; do not use this bundle")
        }
        guard Permissions.allows(creator.role, .prerelease) else {
            throw EmbargoError(.verification, "the bundle is signed by \(report.signer), whose role \(creator.role.rawValue) did not allow building pre-releases on \(manifest.createdAt)",
                               hint: "only a member with role \(Permissions.roles(for: .prerelease).map(\.rawValue).joined(separator: " or ")) signs a pre-release; do not use this bundle")
        }
        let records = try prereleases(manifest.advisory)
        guard let record = records.first(where: { $0.manifestHash == report.manifestSHA256 }) else {
            throw EmbargoError(.verification, "this store has no record of this pre-release of \(manifest.advisory) (manifest \(report.manifestSHA256.prefix(12))...)",
                               hint: "verify it with the store it came from, or with --signer-key RW... alone")
        }
        let current = records.last { !$0.superseded }
        let isCurrent = current?.seq == record.seq
        if !isCurrent, !allowSuperseded {
            let newer = current.map { "pre-release \($0.number) created \($0.createdAt)" } ?? "a revert"
            throw EmbargoError(.verification, "this bundle is pre-release \(record.number) of \(manifest.advisory), superseded by \(newer)",
                               hint: "review the newest bundle; pass --allow-superseded to check an old one anyway")
        }
        return BundleTrust(creatorRole: creator.role, prerelease: record.number, current: isCurrent, supersededBy: isCurrent ? nil : current?.number)
    }
}
