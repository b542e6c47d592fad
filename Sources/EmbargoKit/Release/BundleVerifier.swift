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
        public var trustedComment: String
        public var files: [(path: String, size: Int)]
    }

    /// - Parameters:
    ///   - signers: the public keys allowed to sign, with a name for each.
    public static func verify(_ bundle: [UInt8], identity: any AgeIdentity, signers: [(name: String, key: String)]) throws -> Report {
        var plain: [UInt8]
        do {
            plain = try Age.decrypt(bundle, identities: [identity])
        } catch AgeError.noMatch {
            // A damaged recipient stanza and a bundle for someone else look the same
            // from here: either way it cannot be verified.
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
        for candidate in signers {
            guard let key = try? MinisignPublicKey(base64: candidate.key), key.keyID == signature.keyID else { continue }
            do {
                try key.verify(signature, for: sums)
                signer = candidate.name
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
        return Report(manifest: manifest, manifestSHA256: hex(Digest.sha256(manifestBytes)), signer: signer, trustedComment: signature.trustedComment,
                      files: entries.map { ($0.path, $0.content.count) })
    }
}

extension Workspace {
    /// Every member's and former member's signing key, for bundle verification.
    public func signingKeys() throws -> [(name: String, key: String)] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT name, signing_key FROM members UNION ALL SELECT name, signing_key FROM former_members")
                .map { ($0["name"], $0["signing_key"]) }
        }
    }
}
