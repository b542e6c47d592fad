import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File operations the store relies on for crash safety: exclusive creation
/// with a chosen mode, fsync of files and directories, atomic replacement.
public enum SafeFile {
    /// Reads a whole file (or its first `limit` bytes); nil if it does not exist.
    public static func read(_ url: URL, limit: Int = .max) throws -> [UInt8]? {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw EmbargoError(.failure, "cannot read \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        let expected = fstat(fd, &st) == 0 && st.st_size > 0 ? min(Int(st.st_size), limit) : 0
        // One read into a buffer of the file's size, then whatever the file gained meanwhile.
        var result = try [UInt8](unsafeUninitializedCapacity: expected) { buffer, initialized in
            initialized = try readFully(fd, into: UnsafeMutableRawBufferPointer(buffer), path: url.path)
        }
        guard result.count == expected, result.count < limit else { return result }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while result.count < limit {
            let n = try buffer.withUnsafeMutableBytes { try readFully(fd, into: $0, path: url.path) }
            if n == 0 { break }
            result.append(contentsOf: buffer[0..<min(n, limit - result.count)])
        }
        return result
    }

    /// Reads until `buffer` is full or the file ends; returns the bytes read.
    private static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        var total = 0
        while total < buffer.count {
            let n = Glibc.read(fd, buffer.baseAddress! + total, buffer.count - total)
            if n < 0 {
                if errno == EINTR { continue }
                throw EmbargoError(.failure, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            total += n
        }
        return total
    }

    /// Writes `bytes` to a new file that must not exist yet, with `mode`, and fsyncs it.
    public static func createExclusive(_ url: URL, bytes: [UInt8], mode: mode_t = 0o600, durable: Bool = true) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw EmbargoError(.failure, "cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(url.path) }
        }
        try writeAll(fd, bytes, path: url.path)
        guard !durable || fsync(fd) == 0 else {
            throw EmbargoError(.failure, "cannot sync \(url.path): \(String(cString: strerror(errno)))")
        }
        ok = true
    }

    /// Replaces `url` atomically: the new content goes to a temporary file in the
    /// same directory, is synced, renamed over `url`, and the directory is synced.
    /// A crash leaves either the old or the new file, never a mix.
    ///
    /// With `durable` false nothing is synced: a crash can then leave the old
    /// file, the new one or a damaged one, which suits a cache that is checked
    /// when read and can be made again.
    public static func replaceAtomically(_ url: URL, bytes: [UInt8], mode: mode_t = 0o600, durable: Bool = true) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        unlink(temporary.path)
        try createExclusive(temporary, bytes: bytes, mode: mode, durable: durable)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw EmbargoError(.failure, "cannot replace \(url.path): \(reason)")
        }
        if durable { try syncDirectory(directory) }
    }

    /// Writes a document the user asked for with `option` (`--out FILE`) as
    /// `replaceAtomically` does, when `url` is a regular file or does not
    /// exist yet. Anything else there (a symbolic link, a pipe, a device) is
    /// refused and left as it is: replacing it would put the document in a
    /// plain file where the user expected it to go elsewhere.
    public static func writeOutput(_ url: URL, bytes: [UInt8], mode: mode_t, option: String) throws {
        try checkOutput(url, option: option)
        try replaceAtomically(url, bytes: bytes, mode: mode)
    }

    /// Refuses an output path `writeOutput` would refuse: before the work, so that none is wasted.
    public static func checkOutput(_ url: URL, option: String) throws {
        var status = stat()
        if lstat(url.path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            let kind = switch status.st_mode & S_IFMT {
            case S_IFLNK: "a symbolic link"
            case S_IFIFO: "a pipe"
            case S_IFCHR, S_IFBLK: "a device"
            case S_IFDIR: "a directory"
            default: "a special file"
            }
            throw EmbargoError(.usage, "\(option) \(url.path) is \(kind), which embargo does not write through",
                               hint: "name a regular file (it is replaced whole), or leave out \(option) to print to standard output")
        }
    }

    /// Creates `url` with `bytes` in one step, never replacing a file: the
    /// content goes to a temporary file in the same directory, is synced and
    /// linked to `url`. A crash leaves no partial `url`; an existing `url` is
    /// an error, and stays as it was.
    public static func createAtomically(_ url: URL, bytes: [UInt8], mode: mode_t = 0o600) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        unlink(temporary.path)
        try createExclusive(temporary, bytes: bytes, mode: mode)
        try linkNew(temporary, to: url)
    }

    /// Gives the file `temporary` (in the directory of `url`) the name `url`
    /// unless that exists, and removes the name `temporary`.
    public static func linkNew(_ temporary: URL, to url: URL) throws {
        defer { unlink(temporary.path) }
        guard link(temporary.path, url.path) == 0 else {
            if errno == EEXIST { throw EmbargoError(.failure, "\(url.path) exists already; it is not replaced") }
            throw EmbargoError(.failure, "cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
        try syncDirectory(url.deletingLastPathComponent())
    }

    public static func syncDirectory(_ directory: URL) throws {
        let fd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = fsync(fd)
    }

    /// Creates a directory (and parents) with mode 0700 if missing.
    public static func makePrivateDirectory(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw EmbargoError(.failure, "\(url.path) exists and is not a directory")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(
                at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw EmbargoError(.failure, "cannot create directory \(url.path)")
        }
        chmod(url.path, 0o700)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                throw EmbargoError(.failure, "cannot write \(path): \(reason)",
                                   hint: errno == ENOSPC ? "free disk space and retry; the previous state is intact" : nil)
            }
            offset += n
        }
    }
}

/// An exclusive advisory lock (`flock`) on a file, held until `unlock` or deinit.
public final class FileLock {
    private var fd: Int32

    /// Blocks until the lock is held.
    public init(_ url: URL) throws {
        fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            throw EmbargoError(.failure, "cannot open lock file \(url.path): \(String(cString: strerror(code)))",
                               hint: code == EISDIR ? "something else took its name: move it away; embargo makes the lock file again" : "check the permissions of \(url.deletingLastPathComponent().path)")
        }
        try acquire(LOCK_EX, url)
    }

    /// A shared lock, which only excludes holders of the exclusive one; nil
    /// when the lock file cannot be opened (a read-only copy of a store).
    public static func shared(_ url: URL) throws -> FileLock? {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        return try FileLock(descriptor: fd, url: url)
    }

    private init(descriptor: Int32, url: URL) throws {
        fd = descriptor
        try acquire(LOCK_SH, url)
    }

    private func acquire(_ operation: Int32, _ url: URL) throws {
        while flock(fd, operation) != 0 {
            if errno == EINTR { continue }
            let reason = String(cString: strerror(errno))
            close(fd)
            fd = -1
            throw EmbargoError(.failure, "cannot lock \(url.path): \(reason)")
        }
    }

    /// Whether the lock file holds the mark `mark(_:)` leaves: a holder that
    /// was killed before it cleared it. The file's size is the mark, so that
    /// setting it creates no file.
    public var isMarked: Bool {
        var status = stat()
        return fd >= 0 && fstat(fd, &status) == 0 && status.st_size > 0
    }

    /// Sets (one byte) or clears (empty file) the mark.
    public func mark(_ on: Bool) {
        guard fd >= 0 else { return }
        if on {
            _ = pwrite(fd, "1", 1, 0)
        } else {
            _ = ftruncate(fd, 0)
        }
    }

    public func unlock() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { unlock() }
}
