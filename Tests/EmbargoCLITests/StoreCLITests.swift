import EmbargoCrypto
import EmbargoStore
import Foundation
import Testing

@Suite("store, identities and members through the CLI")
struct StoreCLITests {
    @Test func initCreatesPrivateEncryptedStoreThatAgeOpens() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()

        let storeMode = try FileManager.default.attributesOfItem(atPath: box.store.path)[.posixPermissions] as? Int
        #expect(storeMode == 0o700)
        let identityMode = try FileManager.default.attributesOfItem(atPath: box.path("alice.identity"))[.posixPermissions] as? Int
        #expect(identityMode == 0o600)

        // keyring.age is a standard age file: the real age command opens it with the identity.
        let keyring = try box.run("age", ["-d", "-i", box.path("alice.identity"), box.store.appendingPathComponent("keyring.age").path])
        #expect(keyring.status == 0, "age -d failed: \(keyring.stderr)")
        #expect(keyring.stdout.hasPrefix("EMBARGO-DATA-KEY-1 "))
        #expect(keyring.stdout.count == "EMBARGO-DATA-KEY-1 ".count + 65)

        let verify = try box.ok(["store", "verify", "--json"])
        let report = try box.json(verify.stdout)
        #expect(report["format_version"] as? Int == 1)
        #expect(report["ok"] as? Bool == true)
        #expect((report["store"] as? [String: Any])?["schema"] as? String == "m0016_project_title")
    }

    @Test func identityShowPrintsAgeRecipientAndMinisignKey() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.ok(["identity", "new"])
        let shown = try box.json(box.ok(["identity", "show", "--json"]).stdout)
        #expect(Set(shown.keys) == ["format_version", "recipient", "signing_key"])
        let recipient = try #require(shown["recipient"] as? String)
        let signingKey = try #require(shown["signing_key"] as? String)
        #expect(recipient.hasPrefix("age1"))
        #expect(signingKey.hasPrefix("RW") && signingKey.count == 56)

        // age encrypts to the recipient, and the identity file decrypts with age itself.
        let plain = box.path("plain.txt")
        try "to the member\n".write(toFile: plain, atomically: true, encoding: .utf8)
        try box.git(["--version"])
        let enc = try box.run("age", ["-r", recipient, "-o", box.path("x.age"), plain])
        #expect(enc.status == 0, "\(enc.stderr)")
        let dec = try box.run("age", ["-d", "-i", box.path("alice.identity"), box.path("x.age")])
        #expect(dec.stdout == "to the member\n")

        // identity new never overwrites.
        let again = try box.embargo(["identity", "new"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists"))
    }

    @Test func passphraseProtectedIdentity() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let passFile = box.path("pass")
        try "correct horse battery\n".write(toFile: passFile, atomically: true, encoding: .utf8)
        let env = ["EMBARGO_PASSPHRASE_FILE": passFile]
        try box.ok(["identity", "new", "--passphrase"], env: env)
        let raw = try String(contentsOfFile: box.path("alice.identity"), encoding: .utf8)
        #expect(raw.hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----"))
        #expect(!raw.contains("AGE-SECRET-KEY"))
        try box.ok(["init", "--name", "alice"], env: env)

        let wrongFile = box.path("wrong")
        try "not the passphrase\n".write(toFile: wrongFile, atomically: true, encoding: .utf8)
        let before = try Data(contentsOf: box.store.appendingPathComponent("store.embargo"))
        let wrong = try box.embargo(["member", "list"], env: ["EMBARGO_PASSPHRASE_FILE": wrongFile])
        #expect(wrong.status == 5)
        #expect(wrong.stderr.hasPrefix("embargo: error: wrong passphrase"))
        #expect(wrong.stderr.contains("embargo: hint:"))
        #expect(try Data(contentsOf: box.store.appendingPathComponent("store.embargo")) == before)

        // Without a terminal and without the file, a clear access error.
        let none = try box.embargo(["member", "list"])
        #expect(none.status == 5)
        #expect(none.stderr.contains("no terminal"))
        try box.ok(["member", "list"], env: env)
    }

    @Test func canaryAndPlaintextNeverReachTheStoreDirectory() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let canary = "CANARY-q7Zx31"
        try box.initStore()
        let repo = try box.makeRepository(branches: ["1.0.x", "\(canary)-branch"])
        try box.ok(["project", "add", "proj-\(canary)", "--repo", repo.path, "--remote", "origin",
                    "--branch", "1.0.x", "--branch", "\(canary)-branch"])
        let shown = try box.ok(["project", "show", "proj-\(canary)", "--json"])
        #expect(shown.stdout.contains("\(canary)-branch"))

        let secret = try String(contentsOfFile: box.path("alice.identity"), encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("AGE-SECRET-KEY-1") }.map(String.init)
        let secretKey = try #require(secret)
        let files = box.files(under: box.store)
        #expect(files.count >= 3)
        for file in files {
            let data = try Data(contentsOf: file)
            #expect(!contains(data, canary), "\(file.lastPathComponent) holds the canary")
            #expect(!contains(data, "SQLite format 3"), "\(file.lastPathComponent) holds a plaintext database")
            #expect(!contains(data, secretKey), "\(file.lastPathComponent) holds a secret key")
            #expect(!contains(data, "AGE-SECRET-KEY"), "\(file.lastPathComponent) holds a secret key")
        }
    }

    @Test func errorsHaveOneLineTheHintAndTheDocumentedExitCode() throws {
        let box = try Sandbox()
        defer { box.remove() }

        let noIdentity = try box.embargo(["member", "list"])
        #expect(noIdentity.status == 5)
        #expect(noIdentity.stderr.hasPrefix("embargo: error: no identity"))

        try box.ok(["identity", "new"])
        let noStore = try box.embargo(["member", "list"])
        #expect(noStore.status == 1)
        #expect(noStore.stderr == "embargo: error: no embargo store in \(box.store.path)\nembargo: hint: run 'embargo init' to create one, or pass --store DIR\n")

        try box.ok(["init", "--name", "alice"])
        let unknown = try box.embargo(["project", "show", "nope"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("embargo: error: project nope not found\nembargo: hint:"))

        let usage = try box.embargo(["member", "add", "bob"])
        #expect(usage.status == 64)

        // A foreign identity is not a member: exit 5, the store untouched.
        try box.ok(["identity", "new", "--out", box.path("eve.identity")])
        let storeFile = box.store.appendingPathComponent("store.embargo")
        let before = try Data(contentsOf: storeFile)
        let foreign = try box.embargo(["member", "list", "--identity", box.path("eve.identity")])
        #expect(foreign.status == 5)
        #expect(foreign.stderr.hasPrefix("embargo: error: this identity is not a member of the store\n"))
        #expect(try Data(contentsOf: storeFile) == before)
    }

    @Test func damagedStoreFilesAreDetectedWithExitFour() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        let storeFile = box.store.appendingPathComponent("store.embargo")
        let original = try Data(contentsOf: storeFile)

        // A flipped byte in the header, in the middle and in the tag.
        for position in [3, 9, 20, 40, original.count / 2, original.count - 1] {
            var damaged = original
            damaged[position] ^= 0x01
            try damaged.write(to: storeFile)
            let result = try box.embargo(["member", "list"])
            #expect(result.status == 4, "flip at \(position): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 2)
            #expect(result.stderr.hasPrefix("embargo: error: "))
        }
        // Truncated.
        try original.prefix(original.count / 3).write(to: storeFile)
        let truncated = try box.embargo(["store", "verify"])
        #expect(truncated.status == 4)
        #expect(truncated.stderr.contains("truncated") || truncated.stderr.contains("authentication"))
        // Empty.
        try Data().write(to: storeFile)
        #expect(try box.embargo(["store", "verify"]).status == 4)

        // Restoring the original bytes brings everything back.
        try original.write(to: storeFile)
        try box.ok(["store", "verify"])

        // A damaged keyring is a verification failure too.
        let keyring = box.store.appendingPathComponent("keyring.age")
        var ring = try Data(contentsOf: keyring)
        ring[ring.count - 5] ^= 0x40
        try ring.write(to: keyring)
        let badRing = try box.embargo(["member", "list"])
        #expect(badRing.status == 4, "\(badRing.stderr)")
    }

    @Test func membersRolesAndKeyRotationOnRemoval() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        try box.addMember("bob", role: "security")

        let asBob = ["--identity", box.path("bob.identity")]
        let list = try box.json(box.ok(["member", "list", "--json"] + asBob).stdout)
        let members = try #require(list["members"] as? [[String: Any]])
        #expect(members.map { $0["name"] as? String } == ["alice", "bob"])
        #expect(members.map { $0["role"] as? String } == ["admin", "security"])

        // Only an admin manages members: bob is refused with exit 3 naming the role.
        let refused = try box.embargo(["member", "role", "alice", "qa"] + asBob)
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("needs role admin"))

        // The last admin cannot be demoted or removed.
        let lastAdmin = try box.embargo(["member", "role", "alice", "qa"])
        #expect(lastAdmin.status == 3)

        // Bob can read the data key now...
        let ringBefore = try box.run("age", ["-d", "-i", box.path("bob.identity"), box.store.appendingPathComponent("keyring.age").path])
        #expect(ringBefore.status == 0)
        let oldKeyHex = String(ringBefore.stdout.dropFirst("EMBARGO-DATA-KEY-1 ".count).prefix(64))
        for _ in 0..<3 { try box.ok(["project", "list"]) }
        try box.ok(["member", "role", "bob", "publisher"])

        try box.ok(["member", "remove", "bob"])
        // ...but after removal neither the store nor the keyring opens for him.
        let after = try box.embargo(["member", "list"] + asBob)
        #expect(after.status == 5)
        let ringAfter = try box.run("age", ["-d", "-i", box.path("bob.identity"), box.store.appendingPathComponent("keyring.age").path])
        #expect(ringAfter.status != 0)
        // Even with the old data key he kept, no backup and no current file opens.
        let oldKey = try DataKey(SecureBytes(copying: hexBytes(oldKeyHex)))
        let sealedFiles = box.files(under: box.store).filter { $0.pathExtension == "embargo" }
        #expect(sealedFiles.count >= 3)
        for file in sealedFiles {
            let bytes = [UInt8](try Data(contentsOf: file))
            #expect(throws: EmbargoError.self, "\(file.lastPathComponent) still opens with the old key") {
                _ = try SealedFile.open(bytes, dataKey: oldKey)
            }
        }
        // Alice still reads everything, backups included.
        let verify = try box.json(box.ok(["store", "verify", "--json"]).stdout)
        let backups = try #require((verify["store"] as? [String: Any])?["backups"] as? [[String: Any]])
        #expect(!backups.isEmpty && backups.allSatisfy { $0["ok"] as? Bool == true })
    }

    /// A copy written before a member's removal is sealed under the retired
    /// key: its restore is refused with why and which backup does restore.
    /// A restore of the store's own (re-sealed) backup brings the data back
    /// but not the team as it was: the removed member stays removed, a member
    /// added since stays, each said in the output and on the audit trail.
    @Test func aBackupFromBeforeAKeyRotationRestoresDataButNotTheOldTeam() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        let repo = try box.makeRepository()
        try box.ok(["project", "add", "first", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x"])
        let bob = try Sandbox()
        defer { bob.remove() }
        try bob.becomeMember("bob", role: "security", addedBy: box)
        try box.ok(["store", "backup", "--out", box.path("before-rotation.embargo")])
        let generation = try #require((box.json(box.ok(["store", "verify", "--json"]).stdout)["store"] as? [String: Any])?["generation"] as? Int)
        try box.ok(["member", "remove", "bob"])
        let carol = try Sandbox()
        defer { carol.remove() }
        try carol.becomeMember("carol", role: "publisher", addedBy: box)

        let refused = try box.embargo(["store", "restore", box.path("before-rotation.embargo")])
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("was sealed under a data key that a key rotation retired (the last rotation: bob was removed on"))
        let ownBackups = box.files(under: box.store.appendingPathComponent("backups")).map(\.path).sorted()
        #expect(refused.stderr.contains("embargo store restore \(ownBackups.last ?? "-")"))
        #expect(try box.ok(["member", "list"]).stdout.contains("carol"))

        // The store's own backup of the state before the removal (bob still a member), re-sealed by the rotation.
        let withBob = try #require(ownBackups.first { $0.hasSuffix(String(format: ".%012d.embargo", generation)) })
        let restored = try box.ok(["store", "restore", withBob]).stdout
        #expect(restored.contains("removed bob again: they left the team after the backup was written"))
        let members = try box.ok(["member", "list"]).stdout
        #expect(!members.contains("bob") && members.contains("carol") && members.contains("alice"))
        // Bob's identity opens nothing; carol's still does.
        #expect(try box.embargo(["member", "list"], env: ["EMBARGO_IDENTITY": bob.path("alice.identity")]).status == 5)
        #expect(try box.embargo(["member", "list"], env: ["EMBARGO_IDENTITY": carol.path("alice.identity")]).status == 0)
        try box.ok(["audit", "verify"])
    }

    @Test func backupRestoreAndGenerationHistory() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        let repo = try box.makeRepository()
        try box.ok(["project", "add", "first", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x"])
        let backupFile = box.path("saved.embargo")
        try box.ok(["store", "backup", "--out", backupFile])
        #expect(try box.embargo(["store", "backup", "--out", backupFile]).status == 1)

        for i in 0..<12 {
            try box.ok(["project", "add", "p\(i)", "--repo", repo.path, "--remote", "origin", "--branch", "1.1.x"])
        }
        let backups = box.files(under: box.store.appendingPathComponent("backups"))
        #expect(backups.count == 10)

        try box.ok(["store", "restore", backupFile])
        let projects = try box.json(box.ok(["project", "list", "--json"]).stdout)["projects"] as? [[String: Any]]
        #expect(projects?.map { $0["name"] as? String } == ["first"])
        try box.ok(["store", "verify"])
    }

    @Test func aMalformedJournalThresholdIsAUsageErrorThatChangesNothing() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        let before = try Data(contentsOf: box.store.appendingPathComponent("store.embargo"))
        for value in ["abc", "-1", "4 MiB"] {
            let run = try box.embargo(["advisory", "create", "--project", "none", "--title", "t"], env: ["EMBARGO_STORE_JOURNAL_BYTES": value])
            #expect(run.status == 64, "\(value): \(run.stderr)")
            #expect(run.stderr.hasPrefix("embargo: error: EMBARGO_STORE_JOURNAL_BYTES must be a number of bytes, not '\(value)'"), "\(run.stderr)")
            #expect(run.stderr.contains("hint: unset it to use the default (4194304)"))
        }
        for value in ["0", "many"] {
            let run = try box.embargo(["advisory", "create", "--project", "none", "--title", "t"], env: ["EMBARGO_STORE_JOURNAL_ENTRIES": value])
            #expect(run.status == 64, "\(value): \(run.stderr)")
            #expect(run.stderr.hasPrefix("embargo: error: EMBARGO_STORE_JOURNAL_ENTRIES must be a number of entries above 0, not '\(value)'"), "\(run.stderr)")
        }
        #expect(try Data(contentsOf: box.store.appendingPathComponent("store.embargo")) == before)
        let elsewhere = box.path("other-store")
        #expect(try box.embargo(["init", "--store", elsewhere], env: ["EMBARGO_STORE_JOURNAL_BYTES": "x"]).status == 64)
        #expect(!FileManager.default.fileExists(atPath: elsewhere))
    }

    /// No OpenSSL configuration file is read, so none can load a provider
    /// (other code) into embargo: OPENSSL_CONF names a FIFO here, which a
    /// reader would wait on for ever.
    @Test func theOpenSSLConfigurationIsNotRead() throws {
        var box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        let fifo = box.path("openssl.cnf")
        #expect(mkfifo(fifo, 0o600) == 0)
        box.environment["OPENSSL_CONF"] = fifo
        let process = try box.start(["member", "list"])
        var waited = 0.0
        while process.isRunning && waited < 60 {
            usleep(50_000)
            waited += 0.05
        }
        let finished = !process.isRunning
        if !finished { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(finished, "embargo waited on the OpenSSL configuration named by OPENSSL_CONF")
        #expect(process.terminationStatus == 0)
    }

    @Test func theProgramsEmbargoStartsGetTheDefaultSignalActions() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        let repo = try box.makeRepository()
        // A git that records which signals it was started with ignored, then runs the real one.
        let bin = box.root.appendingPathComponent("signal-bin")
        let log = box.root.appendingPathComponent("ignored.log")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let script = "#!/bin/sh\ngrep '^SigIgn:' /proc/self/status >> '\(log.path)'\nexec /usr/bin/git \"$@\"\n"
        try script.write(to: bin.appendingPathComponent("git"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin.appendingPathComponent("git").path)
        try box.ok(["project", "add", "first", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x"],
                   env: ["PATH": "\(bin.path):\(box.environment["PATH"] ?? "/usr/bin:/bin")"])
        let masks = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").compactMap { line in
            UInt64(line.split(separator: "\t").last ?? "", radix: 16)
        }
        #expect(!masks.isEmpty)
        for signal in [SIGPIPE, SIGXFSZ, SIGINT, SIGTERM, SIGHUP] {
            #expect(masks.allSatisfy { $0 & (1 << UInt64(signal - 1)) == 0 }, "signal \(signal) is ignored in git: \(masks)")
        }
    }

    @Test func projectValidation() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        let repo = try box.makeRepository()

        let missingRepo = try box.embargo(["project", "add", "x", "--repo", box.path("nowhere"), "--remote", "origin", "--branch", "1.0.x"])
        #expect(missingRepo.status == 1)
        #expect(missingRepo.stderr.contains("is not a git repository"))
        let missingBranch = try box.embargo(["project", "add", "x", "--repo", repo.path, "--remote", "origin", "--branch", "9.9.x"])
        #expect(missingBranch.status == 1)
        #expect(missingBranch.stderr.contains("branch 9.9.x not found"))
        let optionLike = try box.embargo(["project", "add", "x", "--repo", repo.path, "--remote", "origin", "--branch=--help"])
        #expect(optionLike.status == 1)
        let missingRemote = try box.embargo(["project", "add", "x", "--repo", repo.path, "--remote", "upstream", "--branch", "1.0.x"])
        #expect(missingRemote.status == 1)
        #expect(missingRemote.stderr.contains("no remote named upstream"))
        let badPolicy = try box.embargo(["project", "add", "x", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x", "--policy", "yolo"])
        #expect(badPolicy.status == 64)

        try box.ok(["project", "add", "ai", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x", "--package-name", "ai_module"])
        let duplicate = try box.embargo(["project", "add", "ai", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x"])
        #expect(duplicate.status == 1)
        try box.ok(["project", "set", "ai", "--test-command", "make test", "--add-branch", "1.1.x"])
        let shown = try box.json(box.ok(["project", "show", "ai", "--json"]).stdout)["project"] as? [String: Any]
        #expect(shown?["branches"] as? [String] == ["1.0.x", "1.1.x"])
        #expect(shown?["test_command"] as? String == "make test")
        #expect(shown?["package_name"] as? String == "ai_module")
        let table = try box.ok(["project", "list"]).stdout
        #expect(table.hasPrefix("NAME"))
        #expect(table.contains("1.0.x,1.1.x"))
    }
}

func hexBytes(_ hex: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
        index = next
    }
    return bytes
}
