import CSpawn
import EmbargoStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn` (see `CSpawn` for why not
/// Foundation's `Process`): every descriptor but the three given is closed
/// in the child, signals are back to their defaults.
public final class SpawnedProcess: @unchecked Sendable {
    public let processIdentifier: pid_t
    private let lock = NSLock()
    private var exit: Int32?

    /// The children not reaped yet, and whether each leads a process group of its own.
    private static let liveLock = NSLock()
    nonisolated(unsafe) private static var live: [pid_t: Bool] = [:]

    /// Starts `path` (an absolute path) with `arguments`; -1 for a standard
    /// descriptor means /dev/null. With `newGroup`, the child leads a process
    /// group of its own, which `terminateAll` ends whole.
    public init(path: String, arguments: [String], environment: [String: String], directory: URL?,
                stdin: Int32 = -1, stdout: Int32 = -1, stderr: Int32 = -1, newGroup: Bool = false) throws {
        let argv = ([path] + arguments).map { strdup($0) }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") }
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = (argv + [nil]).withUnsafeBufferPointer { arguments in
            (envp + [nil]).withUnsafeBufferPointer { environment in
                emb_spawn(path, arguments.baseAddress, environment.baseAddress, directory?.path, stdin, stdout, stderr, newGroup ? 1 : 0, &pid)
            }
        }
        guard result == 0 else {
            throw EmbargoError(.failure, "cannot start \(path): \(String(cString: strerror(result)))")
        }
        processIdentifier = pid
        Self.liveLock.withLock { Self.live[pid] = newGroup }
    }

    /// Sends SIGTERM to every child not reaped yet, and to everything a child
    /// that leads its own group started (a test command's processes): for a
    /// signal that ends embargo, so that nothing it started runs on.
    public static func terminateAll() {
        liveLock.withLock {
            for (pid, group) in live {
                if group { kill(-pid, SIGTERM) }
                kill(pid, SIGTERM)
            }
        }
    }

    private func reaped(_ status: Int32) {
        exit = Self.code(status)
        _ = Self.liveLock.withLock { Self.live.removeValue(forKey: processIdentifier) }
    }

    /// Whether the child still runs (it is reaped when it has exited).
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if exit != nil { return false }
        var status: Int32 = 0
        let reaped = waitpid(processIdentifier, &status, WNOHANG)
        if reaped == processIdentifier { self.reaped(status) }
        return exit == nil
    }

    /// Sends SIGTERM.
    public func terminate() {
        if isRunning { kill(processIdentifier, SIGTERM) }
    }

    public func waitUntilExit() {
        lock.lock()
        defer { lock.unlock() }
        guard exit == nil else { return }
        var status: Int32 = 0
        while waitpid(processIdentifier, &status, 0) < 0, errno == EINTR {}
        reaped(status)
    }

    /// The exit status, or the number of the signal that ended the child.
    public var terminationStatus: Int32 {
        waitUntilExit()
        return exit ?? -1
    }

    private static func code(_ status: Int32) -> Int32 {
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : signal
    }
}

/// Runs a process to its end, feeding it `input` and collecting both of its
/// outputs without ever blocking on a full pipe.
public enum Spawn {
    public static func run(path: String, arguments: [String], environment: [String: String], directory: URL?,
                           input: [UInt8]?) throws -> ProcessResult {
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1], inPipe: [Int32] = [-1, -1]
        guard emb_pipe(&outPipe) == 0, emb_pipe(&errPipe) == 0, input == nil || emb_pipe(&inPipe) == 0 else {
            for fd in outPipe + errPipe + inPipe where fd >= 0 { close(fd) }
            throw EmbargoError(.failure, "cannot start \(path): \(String(cString: strerror(errno)))")
        }
        let process: SpawnedProcess
        do {
            // A shell runs the project's own commands (tests, builds), which start others.
            process = try SpawnedProcess(path: path, arguments: arguments, environment: environment, directory: directory,
                                         stdin: inPipe[0], stdout: outPipe[1], stderr: errPipe[1], newGroup: path.hasSuffix("/sh"))
        } catch {
            for fd in outPipe + errPipe + inPipe where fd >= 0 { close(fd) }
            throw error
        }
        close(outPipe[1])
        close(errPipe[1])
        if inPipe[0] >= 0 { close(inPipe[0]) }
        var stdout: [UInt8] = [], stderr: [UInt8] = []
        var pending = input ?? []
        var written = 0
        var reading: [Int32] = [outPipe[0], errPipe[0]]
        var writing: Int32 = inPipe[1]
        if writing >= 0 {
            _ = fcntl(writing, F_SETFL, fcntl(writing, F_GETFL) | O_NONBLOCK)
            if pending.isEmpty {
                close(writing)
                writing = -1
            }
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !reading.isEmpty || writing >= 0 {
            var fds = reading.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if writing >= 0 { fds.append(pollfd(fd: writing, events: Int16(POLLOUT), revents: 0)) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in fds where entry.revents != 0 {
                if entry.fd == writing {
                    let count = pending.withUnsafeBytes { bytes in
                        Glibc.write(writing, bytes.baseAddress! + written, bytes.count - written)
                    }
                    if count > 0 { written += count }
                    if count < 0, errno == EAGAIN || errno == EINTR { continue }
                    if count < 0 || written == pending.count {
                        close(writing)
                        writing = -1
                        pending = []
                    }
                    continue
                }
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if entry.fd == outPipe[0] { stdout += buffer[0..<count] } else { stderr += buffer[0..<count] }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(entry.fd)
                    reading.removeAll { $0 == entry.fd }
                }
            }
        }
        if writing >= 0 { close(writing) }
        for fd in reading { close(fd) }
        return ProcessResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}
