import EmbargoStore
import Foundation

/// The result of a finished process.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Starts processes. Always an argv array, never a shell string, so that no
/// argument is ever interpreted; secrets never go on argv.
public protocol ProcessRunner: Sendable {
    func run(_ executable: String, _ arguments: [String], environment: [String: String]?,
             directory: URL?, input: [UInt8]?) throws -> ProcessResult
}

/// Runs processes with `posix_spawn` (see `Spawn`), searching `PATH` for the executable.
public struct SystemProcessRunner: ProcessRunner {
    public init() {}

    public func run(_ executable: String, _ arguments: [String], environment: [String: String]?,
                    directory: URL?, input: [UInt8]?) throws -> ProcessResult
    {
        let environment = environment ?? ProcessInfo.processInfo.environment
        // The program itself, found as `env` would find it: one exec instead of two. What
        // is not found goes through `env`, which reports it the usual way (exit status 127).
        let (path, arguments) = Self.locate(executable, path: environment["PATH"], directory: directory)
            .map { ($0, arguments) } ?? ("/usr/bin/env", [executable] + arguments)
        do {
            return try Spawn.run(path: path, arguments: arguments, environment: environment, directory: directory, input: input)
        } catch {
            throw EmbargoError(.failure, "cannot start \(executable)", hint: "install \(executable) and check PATH")
        }
    }
}

extension SystemProcessRunner {
    /// The first executable file named `name` in the directories of `path`, as
    /// `execvp` searches them (an empty entry is the working directory). A name
    /// with a slash is not searched for (nil: `env` runs it). Lookups are
    /// remembered per `PATH`.
    static func locate(_ name: String, path: String?, directory: URL?) -> String? {
        guard !name.contains("/") else { return nil }
        // Without PATH, execvp searches the C library's default path.
        let search = path ?? "/bin:/usr/bin"
        let entries = search.split(separator: ":", omittingEmptySubsequences: false)
        // A relative entry depends on the working directory: such a PATH is searched every time.
        let cacheable = entries.allSatisfy { $0.hasPrefix("/") }
        let key = "\(search)\u{0}\(name)"
        if cacheable, let known = Located.shared.value(key) { return known }
        for entry in entries {
            let base = entry.isEmpty ? "." : String(entry)
            let candidate = (entry.hasPrefix("/") ? "" : (directory?.path ?? FileManager.default.currentDirectoryPath) + "/")
                + base + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                  FileManager.default.isExecutableFile(atPath: candidate) else { continue }
            if cacheable { Located.shared.set(key, candidate) }
            return candidate
        }
        return nil
    }
}

// The remembered lookups; every access holds `lock`.
private final class Located: @unchecked Sendable {
    static let shared = Located()
    private let lock = NSLock()
    private var paths: [String: String] = [:]

    func value(_ key: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return paths[key]
    }

    func set(_ key: String, _ value: String) {
        lock.lock()
        paths[key] = value
        lock.unlock()
    }
}

