import EmbargoCrypto
import Foundation
import Testing

/// Runs the reference `minisign` (0.11) against our keys and signatures, in both
/// directions. These tests fail, never skip, when minisign is not installed.
@Suite("minisign interoperability")
struct MinisignInteropTests {
    /// A scratch directory for one test; `minisign` runs inside it with HOME and
    /// MINISIGN_CONFIG_DIR pointing there, so nothing outside is read or written.
    struct Workspace {
        let directory: URL
        let minisign: String
        private var runs = 0

        init() throws {
            let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "")
                .split(separator: ":").map { "\($0)/minisign" } + ["/usr/bin/minisign"]
            minisign = try #require(
                candidates.first(where: FileManager.default.isExecutableFile(atPath:)),
                "minisign not found on PATH or at /usr/bin/minisign; install it (apt-get install minisign) to run the interoperability tests")
            directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("embargo-minisign-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }

        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

        func write(_ name: String, _ text: String, secret: Bool = false) throws {
            let created = FileManager.default.createFile(
                atPath: path(name), contents: Data(text.utf8),
                attributes: [.posixPermissions: secret ? 0o600 : 0o644])
            try #require(created, "could not write \(name)")
        }

        func read(_ name: String) throws -> String {
            try String(contentsOfFile: path(name), encoding: .utf8)
        }

        struct Result {
            let status: Int32
            let output: String
        }

        /// Runs minisign with an argv array. stdin, stdout and stderr are files,
        /// so no pipe can fill up or break; `input` (a password) goes to stdin.
        mutating func run(_ arguments: [String], input: String? = nil) throws -> Result {
            runs += 1
            try write("minisign-input-\(runs).txt", input ?? "", secret: true)
            let stdin = try FileHandle(forReadingFrom: URL(fileURLWithPath: path("minisign-input-\(runs).txt")))
            defer { try? stdin.close() }
            try write("minisign-output-\(runs).txt", "")
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path("minisign-output-\(runs).txt")))
            defer { try? output.close() }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: minisign)
            process.arguments = arguments
            process.currentDirectoryURL = directory
            process.environment = [
                "PATH": "/usr/bin:/bin", "HOME": directory.path, "MINISIGN_CONFIG_DIR": directory.path, "LC_ALL": "C",
            ]
            process.standardOutput = output
            process.standardError = output
            process.standardInput = stdin
            try process.run()
            process.waitUntilExit()
            return Result(status: process.terminationStatus, output: try read("minisign-output-\(runs).txt"))
        }
    }

    static let message = "embargoed advisory ADV-2026-004, do not publish before the date\n"

    @Test("minisign verifies our signature with -P and with -p, and rejects a changed file")
    func minisignVerifiesOurs() throws {
        var workspace = try Workspace()
        defer { workspace.remove() }
        let key = try MinisignSecretKey.generate()
        try workspace.write("advisory.txt", Self.message)
        try workspace.write("ours.pub", key.publicKey.fileContents())
        let signature = try key.sign(Array(Self.message.utf8), trustedComment: "advisory ADV-2026-004\tfile:advisory.txt")
        try workspace.write("advisory.txt.minisig", signature.encoded)

        let inline = try workspace.run(["-V", "-m", "advisory.txt", "-P", key.publicKey.base64])
        #expect(inline.status == 0, "minisign -P: \(inline.output)")
        #expect(inline.output.contains("Trusted comment: advisory ADV-2026-004\tfile:advisory.txt"))
        let fromFile = try workspace.run(["-V", "-m", "advisory.txt", "-p", "ours.pub"])
        #expect(fromFile.status == 0, "minisign -p: \(fromFile.output)")
        let prehashedOnly = try workspace.run(["-V", "-H", "-m", "advisory.txt", "-p", "ours.pub"])
        #expect(prehashedOnly.status == 0, "minisign -H: \(prehashedOnly.output)")

        try workspace.write("advisory.txt", Self.message + "tampered\n")
        let changed = try workspace.run(["-V", "-m", "advisory.txt", "-P", key.publicKey.base64])
        #expect(changed.status != 0)
        #expect(changed.output.contains("Signature verification failed"), "\(changed.output)")
        let changedFromFile = try workspace.run(["-V", "-m", "advisory.txt", "-p", "ours.pub"])
        #expect(changedFromFile.status != 0)
    }

    @Test("we verify minisign's signature and read its trusted comment and unencrypted key")
    func weVerifyMinisign() throws {
        var workspace = try Workspace()
        defer { workspace.remove() }
        let generated = try workspace.run(["-G", "-W", "-p", "theirs.pub", "-s", "theirs.key"])
        try #require(generated.status == 0, "minisign -G -W: \(generated.output)")
        try workspace.write("advisory.txt", Self.message)
        let comment = "release 2026-04\tgeprüft ✓"
        let signed = try workspace.run(["-S", "-s", "theirs.key", "-m", "advisory.txt", "-t", comment])
        try #require(signed.status == 0, "minisign -S: \(signed.output)")

        let publicKey = try MinisignPublicKey(fileContents: workspace.read("theirs.pub"))
        let signature = try MinisignSignature(parsing: workspace.read("advisory.txt.minisig"))
        #expect(signature.algorithm == "ED")
        #expect(signature.trustedComment == comment)
        try publicKey.verify(signature, for: Array(Self.message.utf8))
        #expect(throws: MinisignError.invalidSignature) {
            try publicKey.verify(signature, for: Array((Self.message + "x").utf8))
        }
        #expect(generated.output.contains(publicKey.base64))

        // Their unencrypted secret key is ours to use too.
        let secretKey = try MinisignSecretKey(fileContents: workspace.read("theirs.key"), passphrase: nil)
        #expect(try !MinisignSecretKey.isEncrypted(fileContents: workspace.read("theirs.key")))
        #expect(secretKey.publicKey == publicKey)
    }

    @Test("minisign signs with our unencrypted secret key file")
    func minisignUsesOurUnencryptedKey() throws {
        var workspace = try Workspace()
        defer { workspace.remove() }
        let key = try MinisignSecretKey.generate()
        try workspace.write("ours.key", key.fileContents(passphrase: nil), secret: true)
        try workspace.write("advisory.txt", Self.message)
        let signed = try workspace.run(["-S", "-s", "ours.key", "-m", "advisory.txt", "-t", "signed by minisign"])
        try #require(signed.status == 0, "minisign -S: \(signed.output)")
        let signature = try MinisignSignature(parsing: workspace.read("advisory.txt.minisig"))
        #expect(signature.trustedComment == "signed by minisign")
        try key.publicKey.verify(signature, for: Array(Self.message.utf8))

        // minisign -R recreates the same public key file from our secret key.
        let recreated = try workspace.run(["-R", "-s", "ours.key", "-p", "recreated.pub"])
        try #require(recreated.status == 0, "minisign -R: \(recreated.output)")
        #expect(try MinisignPublicKey(fileContents: workspace.read("recreated.pub")) == key.publicKey)
    }

    @Test("our encrypted key file (cheap scrypt) is read back by us and by minisign")
    func encryptedKeyFile() throws {
        var workspace = try Workspace()
        defer { workspace.remove() }
        let key = try MinisignSecretKey.generate()
        let passphrase = SecureBytes(copying: Array("test passphrase".utf8))
        let file = try key.fileContents(passphrase: passphrase, opsLimit: 32768, memLimit: 16_777_216)
        try workspace.write("ours.key", file, secret: true)

        let readBack = try MinisignSecretKey(fileContents: workspace.read("ours.key"), passphrase: passphrase)
        #expect(readBack.keyID == key.keyID)
        #expect(readBack.signingKey.seed == key.signingKey.seed)

        // minisign reads the password from stdin when it is not a terminal.
        try workspace.write("advisory.txt", Self.message)
        let signed = try workspace.run(
            ["-S", "-s", "ours.key", "-m", "advisory.txt", "-t", "encrypted key"], input: "test passphrase\n")
        try #require(signed.status == 0, "minisign -S: \(signed.output)")
        try key.publicKey.verify(
            MinisignSignature(parsing: workspace.read("advisory.txt.minisig")), for: Array(Self.message.utf8))
        let wrong = try workspace.run(
            ["-S", "-s", "ours.key", "-m", "advisory.txt", "-x", "wrong.minisig"], input: "not it\n")
        #expect(wrong.status != 0)
        #expect(wrong.output.contains("Wrong password"), "\(wrong.output)")
    }

    /// The one test at full cost (scrypt N = 2^20, r = 8: 1 GiB, a few seconds):
    /// it shows that minisign's default limits mean what we derive from them.
    @Test("we read an encrypted key minisign generated with its default scrypt cost")
    func minisignDefaultEncryptedKey() throws {
        var workspace = try Workspace()
        defer { workspace.remove() }
        let generated = try workspace.run(
            ["-G", "-p", "theirs.pub", "-s", "theirs.key"], input: "their passphrase\ntheir passphrase\n")
        try #require(generated.status == 0, "minisign -G: \(generated.output)")
        let file = try workspace.read("theirs.key")
        let raw = try #require(Data(base64Encoded: String(file.split(separator: "\n")[1])).map { [UInt8]($0) })
        #expect(Array(raw[2..<4]) == Array("Sc".utf8))
        #expect(try MinisignSecretKey.isEncrypted(fileContents: file))

        let key = try MinisignSecretKey(
            fileContents: file, passphrase: SecureBytes(copying: Array("their passphrase".utf8)))
        #expect(try key.publicKey == MinisignPublicKey(fileContents: workspace.read("theirs.pub")))
    }
}
