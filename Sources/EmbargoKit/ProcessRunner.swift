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

/// Runs processes with Foundation's `Process`, searching `PATH` for the executable.
public struct SystemProcessRunner: ProcessRunner {
    public init() {}

    public func run(_ executable: String, _ arguments: [String], environment: [String: String]?,
                    directory: URL?, input: [UInt8]?) throws -> ProcessResult
    {
        let process = Process()
        // The program itself, found as `env` would find it: one exec instead of two. What
        // is not found goes through `env`, which reports it the usual way (exit status 127).
        if let path = Self.locate(executable, path: (environment ?? ProcessInfo.processInfo.environment)["PATH"], directory: directory) {
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let outPipe = Pipe()
        let errPipe = Pipe()
        let inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        // Foundation calls the handler once the exit status is recorded. Waiting for it
        // instead of `waitUntilExit()` matters on Linux, where `waitUntilExit()` polls its
        // run loop every 50 ms and so added about 50 ms to nearly every git command.
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            throw EmbargoError(.failure, "cannot start \(executable)", hint: "install \(executable) and check PATH")
        }
        // Drain both pipes concurrently so that a chatty process never blocks.
        let group = DispatchGroup()
        let collected = Collected()
        group.enter()
        DispatchQueue.global().async {
            collected.setErr(errPipe.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        if let input {
            group.enter()
            DispatchQueue.global().async {
                try? inPipe.fileHandleForWriting.write(contentsOf: Data(input))
                try? inPipe.fileHandleForWriting.close()
                group.leave()
            }
        }
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        exited.wait()
        return ProcessResult(status: process.terminationStatus, stdout: [UInt8](out), stderr: [UInt8](collected.err))
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

// Written by one background task and read after `group.wait()`, which orders the accesses.
private final class Collected: @unchecked Sendable {
    private(set) var err = Data()
    func setErr(_ data: Data) { err = data }
}
