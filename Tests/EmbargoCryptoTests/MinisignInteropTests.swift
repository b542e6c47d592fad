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

    @Test("we verify minisign's signature and read its trusted comment")
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

    }
}
