import EmbargoCrypto
import Foundation
import Testing

/// Helpers shared by the age tests. Namespaced so that other suites in this
/// target can have their own helpers without clashing.
enum AgeTestSupport {
    /// A fresh directory; remove it with `defer { dir.remove() }`.
    struct TemporaryDirectory {
        let url: URL

        init() throws {
            url = FileManager.default.temporaryDirectory
                .appendingPathComponent("embargo-age-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(
                at: url, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        }

        func file(_ name: String) -> URL { url.appendingPathComponent(name) }

        func remove() { try? FileManager.default.removeItem(at: url) }
    }

    /// A malformed fixture: the test cannot go on.
    struct FixtureError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    struct ProcessResult {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
    }

    /// The absolute path of `name` on PATH, or nil.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The `age` tools are required peers (Debian package `age`); a missing tool
    /// fails the test instead of skipping it.
    static func requireTool(_ name: String) throws -> String {
        try #require(
            which(name) != nil,
            "'\(name)' is not installed or not on PATH: install the Debian package 'age' (CI does)")
        return which(name)!
    }

    /// Runs `executable` with an argv array (never a shell string). Output goes
    /// through files so that a chatty process cannot block on a full pipe.
    static func run(_ executable: String, _ arguments: [String], stdin: [UInt8]? = nil, in dir: TemporaryDirectory) throws -> ProcessResult {
        let id = UUID().uuidString
        let outURL = dir.file("stdout-\(id)")
        let errURL = dir.file("stderr-\(id)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = dir.url
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }
        process.standardOutput = outHandle
        process.standardError = errHandle
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            try input.fileHandleForWriting.write(contentsOf: Data(stdin))
            try input.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            stdout: Array(try Data(contentsOf: outURL)),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Decompresses zlib data with python3's zlib module, so that the library
    /// itself needs no zlib dependency.
    static func zlibDecompress(_ data: [UInt8], in dir: TemporaryDirectory) throws -> [UInt8] {
        let python = try requirePython()
        let id = UUID().uuidString
        let input = dir.file("zlib-in-\(id)")
        let output = dir.file("zlib-out-\(id)")
        defer {
            try? FileManager.default.removeItem(at: input)
            try? FileManager.default.removeItem(at: output)
        }
        try Data(data).write(to: input)
        let result = try run(
            python,
            ["-c", "import sys, zlib; open(sys.argv[2], 'wb').write(zlib.decompress(open(sys.argv[1], 'rb').read()))",
             input.path, output.path],
            in: dir)
        try #require(result.status == 0, "zlib decompression failed: \(result.stderr)")
        return Array(try Data(contentsOf: output))
    }

    static func requirePython() throws -> String {
        try #require(which("python3") != nil, "python3 is required by the age tests (zlib vectors, terminal driver)")
        return which("python3")!
    }

    /// Runs an `age` command that asks for a passphrase on its terminal: age reads
    /// passphrases only from a terminal, so python3's pty module gives it one and
    /// types `passphrase` at each prompt. The passphrase travels on the helper's
    /// stdin, never on argv or in the environment.
    static func runWithTerminalPassphrase(_ argv: [String], passphrase: String, in dir: TemporaryDirectory) throws -> ProcessResult {
        let python = try requirePython()
        let script = dir.file("pty-driver.py")
        if !FileManager.default.fileExists(atPath: script.path) {
            try Data(ptyDriver.utf8).write(to: script)
        }
        return try run(python, [script.path] + argv, stdin: Array((passphrase + "\n").utf8), in: dir)
    }

    private static let ptyDriver = #"""
        import os, pty, select, signal, sys

        passphrase = sys.stdin.buffer.readline().rstrip(b"\n")
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(sys.argv[1], sys.argv[1:])
        transcript = b""
        answered = 0
        while True:
            ready, _, _ = select.select([fd], [], [], 120)
            if not ready:
                os.kill(pid, signal.SIGKILL)
                sys.stderr.write("timed out; terminal said: %r\n" % transcript)
                sys.exit(124)
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            transcript += data
            while transcript.count(b"passphrase") > answered:
                answered += 1
                try:
                    os.write(fd, passphrase + b"\n")
                except OSError:
                    pass
        _, status = os.waitpid(pid, 0)
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1
        if code != 0:
            sys.stderr.write("terminal said: %r\n" % transcript)
        sys.exit(code)
        """#

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(Digest.sha256(bytes))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    static func unhex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else { return nil }
            out.append(byte)
        }
        return out
    }

    /// Reads `bytes` through the streaming decrypter, collecting what it
    /// releases even when it then fails.
    static func streamDecrypt(_ bytes: [UInt8], identities: [any AgeIdentity], readSize: Int? = nil) -> (released: [UInt8], error: (any Error)?) {
        var offset = 0
        var released: [UInt8] = []
        do {
            try Age.decrypt(
                identities: identities,
                read: { n in
                    let count = min(readSize ?? n, n, bytes.count - offset)
                    defer { offset += count }
                    return Array(bytes[offset..<(offset + count)])
                },
                write: { released += $0 })
            return (released, nil)
        } catch {
            return (released, error)
        }
    }

    /// Writes an identity file the way age-keygen does, mode 0600.
    static func writeIdentityFile(_ identity: AgeX25519Identity, to url: URL) throws {
        let text = "# public key: \(identity.recipient.encoded)\n\(identity.encodedSecret())\n"
        let created = FileManager.default.createFile(
            atPath: url.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        try #require(created, "could not write \(url.path)")
    }

    /// The secret key line of an age-keygen file.
    static func secretLine(ofKeyFile url: URL) throws -> String {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try #require(text.split(separator: "\n").first { $0.hasPrefix("AGE-SECRET-KEY-") }.map(String.init))
    }
}
