import Foundation
import Testing

/// A careless teammate, a bad copy, a rollback: the store says what is wrong,
/// points at the fix, and nothing makes it worse.
@Suite("store damage and rollback through the CLI")
struct StoreDamageCLITests {
    var fm: FileManager { .default }

    func backups(_ box: Sandbox) throws -> [String] {
        try fm.contentsOfDirectory(atPath: box.store.appendingPathComponent("backups").path).sorted()
    }

    @Test func aMissingStoreFileIsDamageAndInitRefusesToOverwriteWhatIsLeft() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try ReleaseFixture(box)
        let keyring = box.store.appendingPathComponent("keyring.age")
        let keyringBefore = try Data(contentsOf: keyring)
        try fm.moveItem(at: box.store.appendingPathComponent("store.embargo"), to: box.root.appendingPathComponent("moved.embargo"))

        let listed = try box.embargo(["advisory", "list"])
        #expect(listed.status == 4)
        let newest = try #require(try backups(box).last)
        #expect(listed.stderr.contains("store.embargo is missing"))
        #expect(listed.stderr.contains("embargo store restore \(box.store.appendingPathComponent("backups/\(newest)").path)"))
        #expect(listed.stderr.contains("(the newest backup: generation \(Int(newest.dropFirst(6).prefix(12))!)"))
        #expect(!listed.stderr.contains("embargo init"))

        let again = try box.embargo(["init", "--name", "alice"])
        #expect(again.status == 3)
        #expect(again.stderr.contains("holds what is left of a store"))
        #expect(try Data(contentsOf: keyring) == keyringBefore)

        // The hint's command works on a directory without a store file.
        try box.ok(["store", "restore", box.store.appendingPathComponent("backups/\(newest)").path])
        try box.ok(["store", "verify"])
        #expect(try box.ok(["advisory", "list"]).stdout.contains("ADV-2026-001"))
    }

    @Test func aMissingKeyringIsDamageNotAnAbsentStore() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        try box.ok(["advisory", "list"])
        try fm.removeItem(at: box.store.appendingPathComponent("keyring.age"))
        let run = try box.embargo(["advisory", "list"])
        #expect(run.status == 4)
        #expect(run.stderr.contains("keyring.age is missing"))
        #expect(try box.embargo(["init", "--name", "alice"]).status == 3)
    }

    @Test func storeVerifyAuthenticatesEveryBlobAndFindsMissingOnes() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try ReleaseFixture(box)
        let blobs = box.store.appendingPathComponent("blobs")
        let clean = try box.snapshotStore()
        let names = try fm.contentsOfDirectory(atPath: blobs.path).sorted()
        #expect(names.count >= 2)
        #expect(try box.ok(["store", "verify"]).stdout.contains("blobs: \(names.count) ok"))

        // One flipped byte in a blob.
        let file = blobs.appendingPathComponent(names[0])
        var bytes = [UInt8](try Data(contentsOf: file))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: file)
        let flipped = try box.embargo(["store", "verify"])
        #expect(flipped.status == 4)
        #expect(flipped.stderr.contains("failed authentication"))

        // A deleted blob.
        try box.restoreStore(from: clean)
        try fm.removeItem(at: blobs.appendingPathComponent(names[1]))
        let deleted = try box.embargo(["store", "verify"])
        #expect(deleted.status == 4)
        #expect(deleted.stderr.contains("is missing from the store"))
    }

    @Test func anOlderStoreFileCopiedOverTheCurrentOneIsARollback() throws {
        let box = try Sandbox()
        defer { box.remove() }
        _ = try ReleaseFixture(box)
        let all = try backups(box)
        #expect(all.count >= 3)
        let storeFile = box.store.appendingPathComponent("store.embargo")
        let clean = try box.snapshotStore()

        // The newest backup over the store: only this machine's memory can tell.
        try fm.removeItem(at: storeFile)
        try fm.copyItem(at: box.store.appendingPathComponent("backups/\(all.last!)"), to: storeFile)
        let remembered = try box.embargo(["advisory", "list"])
        #expect(remembered.status == 4)
        #expect(remembered.stderr.contains("rolled back"))

        // An older one: backups/ holds newer generations, seen even by a machine that remembers nothing.
        try box.restoreStore(from: clean)
        try fm.removeItem(at: storeFile)
        try fm.copyItem(at: box.store.appendingPathComponent("backups/\(all[all.count - 3])"), to: storeFile)
        let fresh = try box.embargo(["store", "verify"], env: ["XDG_STATE_HOME": box.path("other-machine-state")])
        #expect(fresh.status == 4)
        #expect(fresh.stderr.contains("but backups/ holds generation"))

        // A restore on purpose is a new, newer generation: no rollback.
        try box.restoreStore(from: clean)
        try box.ok(["store", "restore", box.store.appendingPathComponent("backups/\(all[all.count - 3])").path])
        try box.ok(["store", "verify"])
        try box.ok(["audit", "verify"])
    }
}

extension StoreDamageCLITests {
    /// Paths that are not what embargo expects there each get one line that
    /// names the problem and a hint: a store that is a file, a project clone
    /// that is gone, a lock file that is a directory.
    @Test func pathsOfTheWrongKindAreNamedWithAHint() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let repo = try box.storeWithProject(releaseBranches: ["1.0.x"])
        try box.ok(["advisory", "create", "--project", "ai", "--title", "Greeting", "--description", "d"])

        let file = box.root.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let wrongStore = try box.embargo(["advisory", "list", "--store", file.path])
        #expect(wrongStore.status == 1 && wrongStore.stderr.contains("is a file, not a store's directory")
                && wrongStore.stderr.contains("--store DIR"), "\(wrongStore.stderr)")

        try FileManager.default.moveItem(at: repo, to: box.root.appendingPathComponent("moved-away"))
        let lint = try box.embargo(["lint", "ADV-2026-001"])
        #expect(lint.status == 1 && lint.stderr.contains("is missing, so git") && lint.stderr.contains("embargo project local"), "\(lint.stderr)")

        let lock = box.store.appendingPathComponent("lock")
        try? FileManager.default.removeItem(at: lock)
        try FileManager.default.createDirectory(at: lock, withIntermediateDirectories: false)
        let note = try box.embargo(["advisory", "note", "ADV-2026-001", "kept?"])
        #expect(note.status == 1 && note.stderr.contains("embargo: hint: something else took its name"), "\(note.stderr)")
        for run in [wrongStore, lint, note] { #expect(run.stderr.split(separator: "\n").count == 2, "\(run.stderr)") }
    }
}
