import EmbargoCrypto
@testable import EmbargoKit
import EmbargoStore
import Foundation
import Testing

/// A bundle verifies only when its creator signed it, was then allowed to
/// build pre-releases, and it is the pre-release that counts.
@Suite("who may sign a pre-release bundle")
struct BundleTrustCLITests {
    func identity(_ box: Sandbox, _ name: String) throws -> EmbargoIdentity {
        try box.identity(name)
    }

    /// Opens `bundle` as bob, lets `change` edit its files, signs SHA256SUMS as
    /// `signer` and encrypts it to bob again, as someone rebuilding it would.
    func rebuild(_ box: Sandbox, _ bundle: String, signer: String, to output: String,
                 _ change: (inout [String: [UInt8]]) throws -> Void = { _ in }) throws
    {
        let bob = try identity(box, "bob")
        let plain = try Age.decrypt(try [UInt8](Data(contentsOf: URL(fileURLWithPath: bundle))), identities: [bob.age])
        var files: [String: [UInt8]] = [:]
        for entry in try TarReader.files(plain) { files[entry.path] = entry.content }
        try change(&files)
        let listed = files.keys.filter { !$0.hasPrefix("SHA256SUMS") }.sorted()
        let sums = listed.map { path in Digest.sha256(files[path]!).map { String(format: "%02x", $0) }.joined() + "  " + path + "\n" }.joined()
        let signature = try identity(box, signer).signing.sign(Array(sums.utf8), trustedComment: "timestamp:0\tfile:SHA256SUMS")
        files["SHA256SUMS"] = Array(sums.utf8)
        files["SHA256SUMS.minisig"] = Array(signature.encoded.utf8)
        let tar = TarWriter(mtime: Date(timeIntervalSince1970: 0))
        for path in files.keys.sorted() { try tar.add(path, files[path]!) }
        try Data(try Age.encrypt(try tar.finished(), to: [bob.age.recipient])).write(to: URL(fileURLWithPath: output))
    }

    func verify(_ box: Sandbox, _ bundle: String, _ extra: [String] = []) throws -> Run {
        try box.embargo(["prerelease", "verify", bundle, "--identity", box.path("bob.identity")] + extra)
    }

    @Test func onlyItsCreatorWhileAllowedSignsABundle() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        let bundle = try #require(try fixture.prerelease()["bundle"] as? String)
        let genuine = try verify(box, bundle)
        #expect(genuine.status == 0)
        #expect(genuine.stdout.hasPrefix("bundle ok: signed by alice, its creator (admin)"))
        #expect(genuine.stdout.contains("pre-release 1: the current one"))

        // Edited and re-signed by another member: refused, whatever their role.
        try box.addMember("eve", role: "preparer")
        try rebuild(box, bundle, signer: "eve", to: box.path("eve.age")) { files in
            files["patches/extra.patch"] = Array("nothing".utf8)
        }
        let byEve = try verify(box, box.path("eve.age"))
        #expect(byEve.status == 4)
        #expect(byEve.stderr.contains("signed by eve, but alice created it"))

        // Claiming to be the creator does not help a member who may not build pre-releases...
        func claim(_ name: String, at time: String) -> (inout [String: [UInt8]]) throws -> Void {
            { files in
                var manifest = try #require(try JSONSerialization.jsonObject(with: Data(files["manifest.json"]!)) as? [String: Any])
                manifest["created_by"] = name
                manifest["created_at"] = time
                files["manifest.json"] = [UInt8](try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys]))
            }
        }
        try rebuild(box, bundle, signer: "bob", to: box.path("bob.age"), claim("bob", at: Timestamp.string(Date())))
        let byBob = try verify(box, box.path("bob.age"))
        #expect(byBob.status == 4)
        #expect(byBob.stderr.contains("whose role security did not allow building pre-releases"))

        // ...nor a removed member.
        try box.ok(["member", "remove", "eve"])
        try rebuild(box, bundle, signer: "eve", to: box.path("eve2.age"), claim("eve", at: Timestamp.string(Date() + 60)))
        let removed = try verify(box, box.path("eve2.age"))
        #expect(removed.status == 4)
        #expect(removed.stderr.contains("signed by eve, who was not a member on"))
        #expect(removed.stderr.contains("removed on"))

        // A file the signature does not cover: refused.
        let original = try Age.decrypt(try [UInt8](Data(contentsOf: URL(fileURLWithPath: bundle))), identities: [try identity(box, "bob").age])
        let tar = TarWriter(mtime: Date(timeIntervalSince1970: 0))
        for entry in try TarReader.files(original) { try tar.add(entry.path, entry.content) }
        try tar.add("artifacts/unlisted.sh", Array("echo hi\n".utf8))
        try Data(try Age.encrypt(try tar.finished(), to: [try identity(box, "bob").age.recipient])).write(to: URL(fileURLWithPath: box.path("extra.age")))
        let extra = try verify(box, box.path("extra.age"))
        #expect(extra.status == 4)
        #expect(extra.stderr.contains("artifacts/unlisted.sh is in the bundle but not in SHA256SUMS"))
    }

    @Test func aSupersededBundleIsNamedAsSuch() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        let first = try #require(try fixture.prerelease(["--out", box.path("first")])["bundle"] as? String)
        _ = try fixture.prerelease(["--out", box.path("second")])
        let old = try verify(box, first)
        #expect(old.status == 4)
        #expect(old.stderr.contains("this bundle is pre-release 1 of ADV-2026-001, superseded by pre-release 2"))
        let allowed = try verify(box, first, ["--allow-superseded"])
        #expect(allowed.status == 0)
        #expect(allowed.stdout.contains("SUPERSEDED by pre-release 2"))
        // Without the store nothing knows which pre-release is current.
        #expect(try verify(box, first, ["--allow-superseded", "--signer-key", "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3"]).status == 64)
    }

    /// The README's manual check, run as written with the real tools.
    @Test func theReadmesManualCheckRejectsUnlistedFiles() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        let bundle = try #require(try fixture.prerelease()["bundle"] as? String)
        let readme = try String(contentsOf: ExportCLITests.repo.appendingPathComponent("README.md"), encoding: .utf8)
        let line = try #require(readme.split(separator: "\n").first { $0.hasPrefix("find . -type f") && $0.contains("SHA256SUMS") })
        let review = box.root.appendingPathComponent("review")
        try FileManager.default.createDirectory(at: review, withIntermediateDirectories: true)
        let open = try box.run("bash", ["-c", "age -d -i \"$1\" \"$2\" | tar -x && sha256sum -c --strict --quiet SHA256SUMS", "bash",
                                        box.path("bob.identity"), bundle], directory: review)
        #expect(open.status == 0, "\(open.stderr)")
        #expect(try box.run("bash", ["-c", String(line)], directory: review).status == 0)
        try "echo hi\n".write(to: review.appendingPathComponent("artifacts/unlisted.sh"), atomically: true, encoding: .utf8)
        #expect(try box.run("bash", ["-c", "sha256sum -c --strict --quiet SHA256SUMS"], directory: review).status == 0,
                "sha256sum -c alone does not see the extra file")
        #expect(try box.run("bash", ["-c", String(line)], directory: review).status != 0)
    }
}
