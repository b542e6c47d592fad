import EmbargoStore
import Foundation

/// Throwaway directories for embargoed work: created with mode 0700 by
/// `mkdtemp`, removed by the caller (also on failure). Live directories are
/// tracked so that an interrupted process can remove them too
/// (`removeAllLive`, which the CLI calls from its signal handler).
///
/// A process killed outright (SIGKILL, a power cut) cannot clean up, so each
/// directory holds a lock file that its creator keeps locked (`flock`) while
/// the directory is in use; `removeStale` deletes the directories whose lock
/// nobody holds, and every command runs it first.
public enum TemporaryDirectory {
    /// The prefixes of the directories embargo makes, and nothing else.
    public static let prefixes = ["embargo-clone.", "embargo-demo."]
    static let lockName = ".embargo-lock"

    // Guarded by `lock`; touched from the main thread and the signal-handling queue.
    nonisolated(unsafe) private static var live: [String: Int32] = [:]
    private static let lock = NSLock()

    public static func base(environment: [String: String]) -> String {
        environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    /// `$TMPDIR`, else /tmp: read with getenv, without copying the whole
    /// environment as `ProcessInfo` does, since every command asks.
    public static func base() -> String {
        getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    public static func create(prefix: String) throws -> URL {
        let base = base()
        // Held until the directory is locked and listed as live: `removeStale` may run
        // on another thread of this process meanwhile, and must not take a directory
        // whose lock file exists but is not locked yet.
        lock.lock()
        defer { lock.unlock() }
        var template = Array("\(base)/\(prefix).XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else {
            throw EmbargoError(.failure, "cannot create a temporary directory in \(base)")
        }
        let path = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
        chmod(path, 0o700)
        let fd = open(path + "/" + lockName, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            if fd >= 0 { close(fd) }
            try? FileManager.default.removeItem(atPath: path)
            throw EmbargoError(.failure, "cannot lock the temporary directory \(path)")
        }
        live[path] = fd
        return URL(fileURLWithPath: path)
    }

    public static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
        lock.lock()
        if let fd = live.removeValue(forKey: url.path) { close(fd) }
        lock.unlock()
    }

    /// Keeps a directory for the user (`demo --keep`): it is no longer
    /// tracked, and without its lock file no later command removes it.
    public static func keep(_ url: URL) {
        unlink(url.path + "/" + lockName)
        lock.lock()
        if let fd = live.removeValue(forKey: url.path) { close(fd) }
        lock.unlock()
    }

    /// Removes every directory created and not yet removed.
    public static func removeAllLive() {
        lock.lock()
        let paths = live
        live.removeAll()
        lock.unlock()
        for (path, fd) in paths {
            try? FileManager.default.removeItem(atPath: path)
            close(fd)
        }
    }

    /// Removes this user's embargo directories in `base` that no live process
    /// holds: left by a process that was killed. Returns their paths.
    @discardableResult
    public static func removeStale(in base: String) -> [String] {
        var removed: [String] = []
        for name in candidates(in: base) {
            let path = base + "/" + name
            var info = stat()
            // Only real directories of ours: never a symlink, never someone else's.
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid() else { continue }
            // Under `lock`, so that a directory this process is creating is either live or not there yet.
            lock.lock()
            let fd = live[path] != nil ? -1 : lockedStale(path)
            lock.unlock()
            guard fd >= 0 else { continue }
            defer { close(fd) }
            if removeKeepingLockUntilEmpty(path) { removed.append(path) }
        }
        return removed
    }

    /// The lock file of the directory at `path`, locked by us, or -1. No lock file:
    /// kept on purpose (or not ours to judge). Held by a live process: in use.
    private static func lockedStale(_ path: String) -> Int32 {
        let fd = open(path + "/" + lockName, O_RDWR | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return -1 }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return -1
        }
        return fd
    }

    /// The names in `base` that start with one of `prefixes`. Every command
    /// runs this, and a shared /tmp can hold thousands of entries: the names
    /// are compared as bytes, and only ours become Strings.
    private static func candidates(in base: String) -> [String] {
        guard let dir = opendir(base) else { return [] }
        defer { closedir(dir) }
        let wanted = prefixes.map { Array($0.utf8) }
        var names: [String] = []
        while let entry = readdir(dir) {
            withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                let length = strnlen(raw.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count)
                let name = UnsafeBufferPointer(rebasing: bytes[..<length])
                if wanted.contains(where: { name.starts(with: $0) }) {
                    names.append(String(decoding: name, as: UTF8.self))
                }
            }
        }
        return names
    }

    /// Removes a stale directory. Programs the killed process started (git,
    /// a test command) may still be writing in it, so the lock file goes
    /// last, once nothing else is left: if the directory cannot be emptied
    /// now, it stays recognisable and a later command tries again.
    private static func removeKeepingLockUntilEmpty(_ path: String) -> Bool {
        let fm = FileManager.default
        for _ in 0..<20 {
            for name in (try? fm.contentsOfDirectory(atPath: path)) ?? [] where name != lockName {
                try? fm.removeItem(atPath: path + "/" + name)
            }
            if ((try? fm.contentsOfDirectory(atPath: path)) ?? []).allSatisfy({ $0 == lockName }) {
                unlink(path + "/" + lockName)
                if rmdir(path) == 0 { return true }
                // Something appeared meanwhile: mark the directory again for a later try.
                let fd = open(path + "/" + lockName, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
                if fd >= 0 { close(fd) }
            }
            usleep(50_000)
        }
        return false
    }
}
