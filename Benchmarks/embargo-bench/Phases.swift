import EmbargoCrypto
import EmbargoKit
import EmbargoStore
import Foundation
import GRDB
import GRDBSQLite

// MARK: phases

/// Where the time of `advisory list --json` or `advisory create` goes, step by
/// step, in this process (median of --runs runs per step). The steps repeat
/// what the CLI does through the same library calls; what they do not cover
/// (process start, dynamic linking, argument parsing) is the CLI's whole time
/// minus their sum, which scripts/bench prints next to them.
func phases(_ arguments: Arguments) throws {
    guard let which = arguments.positional.first, ["list", "create"].contains(which) else {
        throw Usage(description: "phases list|create --store DIR --identity FILE [--runs N]")
    }
    let storeDirectory = try arguments.url("store")
    let identityFile = try arguments.url("identity")
    let runs = try arguments.int("runs", default: 5)
    var steps: [(String, [Double])] = []
    func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        var result: T?
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            result = try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        steps.append((name, times))
        return result!
    }

    let identity = try measure("load the identity file (HKDF of the signing key)") { try loadIdentity(identityFile) }
    let keyringBytes = try SafeFile.read(storeDirectory.appendingPathComponent(Store.keyringName)) ?? []
    let dataKey = try measure("open the keyring (X25519 unwrap of the data key)") { try Keyring.open(keyringBytes, identity: identity.age) }
    let sealed = try SafeFile.read(storeDirectory.appendingPathComponent(Store.fileName)) ?? []
    _ = try measure("for comparison: decrypt store.embargo on one thread after reading it whole") { try SealedFile.open(sealed, dataKey: dataKey) }
    let journal = try Store.open(at: storeDirectory, identity: identity.age).verify().journalEntries
    _ = try measure("load: read store.embargo while decrypting it in place, replay \(journal) journal entries, open SQLite, schema check") {
        try Store.open(at: storeDirectory, identity: identity.age).read { _ in 0 }
    }
    // Workspace.open reads the store once (the member); later reads reuse that
    // database while the state on disk is unchanged.
    let workspace = try Workspace.open(at: storeDirectory, identity: identity, environment: Environment())

    switch which {
    case "list":
        // What `advisory list --json` does after loading the database.
        let advisories = try measure("fetch and decode the advisories (Workspace.advisories, database loaded)") {
            try workspace.advisories()
        }
        let views = measure("compute severities (SeverityView.all for the list)") {
            zip(advisories, SeverityView.all(for: advisories)).map(AdvisoryView.init)
        }
        // As Terminal.printJSONList: JSONEncoder, one advisory at a time, here to /dev/null
        // (without the re-indenting, a copy of each advisory's bytes).
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        let bytes = try measure("encode and write JSON (JSONEncoder per advisory, to /dev/null)") {
            let encoder = JSONEncoder.document()
            var total = 0
            for view in views {
                let piece = try encoder.encode(view)
                total += piece.count
                guard piece.withUnsafeBytes({ write(devNull, $0.baseAddress, $0.count) }) == piece.count else {
                    throw Usage(description: "write failed")
                }
            }
            return total
        }
        print("advisories: \(advisories.count), JSON bytes: \(bytes)")
    default:
        var input = AdvisoryInput()
        input.privateTitle = "Phase measurement"
        input.description = "Written by embargo-bench phases create."
        _ = try measure("Workspace.createAdvisory, whole (lock, insert, audit, seal and write the journal entry, or fold the journal)") {
            try workspace.createAdvisory(project: "bench", input: input)
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("embargo-bench-phases-\(getpid())")
        try SafeFile.makePrivateDirectory(scratch)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var copy = 0
        _ = try measure("for comparison: seal the whole database and write it (what a fold of the journal costs)") {
            copy += 1
            return try workspace.store.exportBackup(to: scratch.appendingPathComponent("whole-\(copy).embargo"))
        }
        let verified = try workspace.store.verify()
        print("store.embargo bytes: \(sealed.count), journal entries: \(verified.journalEntries), bytes on disk: \(verified.sizeBytes)")
    }
    for (name, times) in steps {
        let sorted = times.sorted()
        print(String(format: "%9.2f ms  %@", sorted[sorted.count / 2], name))
    }
}

// MARK: spawn

/// The cost of starting a child process the way the library does (ProcessRunner),
/// against the child's own run time: `spawn --count N [--command git]`.
func spawnCost(_ arguments: Arguments) throws {
    let count = try arguments.int("count", default: 20)
    let command = arguments.options["command"] ?? "true"
    let runner = SystemProcessRunner()
    var times: [Double] = []
    for _ in 0..<count {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try runner.run(command, command == "git" ? ["--version"] : [], environment: nil, directory: nil, input: nil)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        guard result.status == 0 else { throw Usage(description: "\(command) failed") }
    }
    times.sort()
    print(String(format: "%@ through ProcessRunner: median %.2f ms, min %.2f ms over %d runs", command, times[times.count / 2], times[0], count))
}
