import CAgent
import EmbargoCrypto
import EmbargoStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `embargo unlock`: a process of the user's own that holds one decrypted
/// identity in memory for a while, so that a passphrase is asked once, not
/// by every command (scrypt at age's work factor takes about a second, by
/// design).
///
/// It listens on `$XDG_RUNTIME_DIR/embargo/agent.sock` (a 0700 directory, a
/// 0600 socket), answers only processes of the same user (the kernel says who
/// connects), keeps the secret out of swap, and ends when its time is up or
/// on `embargo lock`. It hands the identity only to a command that reads the
/// same encrypted identity file: the request names the file's SHA-256.
///
/// One request a connection, one line: `GET <sha256>`, `STATUS` or `LOCK`.
/// Answers: `OK <length>` and the identity file's text, `OK <seconds left>
/// <sha256>`, `OK`, or `NO`.
public enum IdentityAgent {
    /// Where the socket is, or nil without a runtime directory.
    public static func socket(runtimeDirectory: String?) -> URL? {
        guard let runtimeDirectory, !runtimeDirectory.isEmpty else { return nil }
        return URL(fileURLWithPath: runtimeDirectory).appendingPathComponent("embargo/agent.sock")
    }

    /// The hex SHA-256 of an identity file's bytes: what the agent holds it under.
    public static func digest(_ fileBytes: [UInt8]) -> String {
        lowercaseHex(Digest.sha256(fileBytes))
    }

    /// The plain identity the agent holds for the encrypted file `fileBytes`;
    /// nil when no agent runs, it holds another identity, or it does not answer.
    static func identity(forFile fileBytes: [UInt8], socket: URL) -> [UInt8]? {
        guard var answer = ask("GET \(digest(fileBytes))", socket: socket) else { return nil }
        defer { wipe(&answer) }
        guard let newline = answer.firstIndex(of: 0x0A) else { return nil }
        let head = String(decoding: answer[..<newline], as: UTF8.self).split(separator: " ")
        guard head.count == 2, head[0] == "OK", let length = Int(head[1]), answer.count == newline + 1 + length else { return nil }
        return Array(answer[(newline + 1)...])
    }

    /// Seconds left and the file digest of the identity the agent holds, or nil.
    public static func status(socket: URL) -> (seconds: Int, digest: String)? {
        guard let answer = ask("STATUS", socket: socket) else { return nil }
        let words = String(decoding: answer, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard words.count == 3, words[0] == "OK", let seconds = Int(words[1]) else { return nil }
        return (seconds, String(words[2]))
    }

    /// Ends the agent; false when none ran.
    @discardableResult
    public static func lock(socket: URL) -> Bool {
        ask("LOCK", socket: socket).map { String(decoding: $0, as: UTF8.self).hasPrefix("OK") } ?? false
    }

    /// One request and its whole answer (at most 64 KiB), or nil.
    private static func ask(_ request: String, socket: URL) -> [UInt8]? {
        let fd = emb_agent_connect(socket.path)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let line = Array((request + "\n").utf8)
        guard emb_agent_write_all(fd, line, line.count) == 0 else { return nil }
        shutdown(fd, Int32(SHUT_WR))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let count = emb_agent_read(fd, &buffer, buffer.count, 5000)
        guard count > 0 else { return nil }
        let answer = Array(buffer[..<Int(count)])
        wipe(&buffer)
        return answer
    }

    /// Leaves the session and terminal of the command that started the agent.
    public static func detach() {
        _ = emb_agent_detach()
    }

    /// Serves `identity` (the text of the decrypted identity file whose
    /// encrypted form has SHA-256 `digest`) until `deadline` or a `LOCK`.
    /// `ready` is called once the socket listens.
    public static func serve(identity: SecureBytes, digest: String, socket: URL, until deadline: Date, ready: () -> Void) throws {
        let directory = socket.deletingLastPathComponent()
        try SafeFile.makePrivateDirectory(directory)
        let listener = emb_agent_listen(socket.path)
        guard listener >= 0 else {
            throw EmbargoError(.failure, "cannot listen on \(socket.path): \(String(cString: strerror(-listener)))")
        }
        defer {
            close(listener)
            unlink(socket.path)
        }
        identity.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { _ = emb_agent_lock_memory(base, bytes.count) }
        }
        ready()
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return }
            let client = emb_agent_accept(listener, Int32(min(left, 60) * 1000))
            if client == -ETIMEDOUT || client == -EPERM || client == -EINTR { continue }
            guard client >= 0 else { return }
            defer { close(client) }
            var request = [UInt8](repeating: 0, count: 256)
            let count = emb_agent_read(client, &request, request.count, 2000)
            guard count > 0 else { continue }
            let words = String(decoding: request[..<Int(count)], as: UTF8.self).split(whereSeparator: \.isWhitespace)
            var answer: [UInt8]
            switch words.first {
            case "GET" where words.count == 2 && words[1] == digest:
                answer = Array("OK \(identity.count)\n".utf8) + identity.exposedBytes()
            case "STATUS":
                answer = Array("OK \(Int(deadline.timeIntervalSinceNow)) \(digest)\n".utf8)
            case "LOCK":
                _ = emb_agent_write_all(client, "OK\n", 3)
                return
            default:
                answer = Array("NO\n".utf8)
            }
            _ = emb_agent_write_all(client, answer, answer.count)
            wipe(&answer)
        }
    }
}
