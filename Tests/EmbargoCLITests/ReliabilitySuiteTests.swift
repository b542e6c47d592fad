import Foundation
import Testing

/// How the store commits: re-sealing the whole database (every small store),
/// or through the journal (a large store; forced here for a small one, with a
/// journal short enough to fold now and then).
enum StoreMode: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case whole, journal

    var testDescription: String { rawValue }

    func sandbox() throws -> Sandbox {
        var box = try Sandbox()
        if self == .journal {
            box.environment["EMBARGO_STORE_JOURNAL_BYTES"] = "0"
            box.environment["EMBARGO_STORE_JOURNAL_ENTRIES"] = "12"
        }
        return box
    }

    static func journalEntries(_ box: Sandbox) -> Int {
        box.files(under: box.store.appendingPathComponent("journal")).filter { $0.lastPathComponent.hasPrefix("entry.") }.count
    }
}

/// The reliability suite: crashes, concurrency, tampering, failing writes.
/// Each test prints its numbers.
@Suite("reliability suite")
struct ReliabilitySuiteTests {
    func project(_ box: Sandbox) throws {
        try box.storeWithProject(releaseBranches: ["1.0.x"])
    }

    func ids(_ box: Sandbox) throws -> [String] {
        let list = try box.json(box.ok(["advisory", "list", "--json"]).stdout)
        return (list["advisories"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
    }

    @Test(arguments: StoreMode.allCases)
    func sigkillAtRandomMomentsDuring100Writes(mode: StoreMode) throws {
        let box = try mode.sandbox()
        defer { box.remove() }
        try project(box)
        // How long a write takes here: the slowest of three.
        var duration = 0.02
        for i in 0..<3 {
            let start = Date()
            try box.ok(["advisory", "create", "--project", "ai", "--title", "warm-up \(i)"])
            duration = max(duration, Date().timeIntervalSince(start))
        }
        var generator = SystemRandomNumberGenerator()
        var committed = try Set(ids(box))
        var killed = 0
        var journaled = 0
        var folds = 0
        var entries = StoreMode.journalEntries(box)
        for i in 0..<100 {
            let process = try box.start(["advisory", "create", "--project", "ai", "--title", "write \(i)"])
            if box.kill(process, after: Double.random(in: 0...(duration * 1.5), using: &generator)) { killed += 1 }
            let verify = try box.embargo(["store", "verify"])
            #expect(verify.status == 0, "after write \(i): \(verify.stderr)")
            let now = try Set(ids(box))
            // Exactly the committed state, plus at most the one advisory being written.
            #expect(now.isSuperset(of: committed) && now.count - committed.count <= 1, "after write \(i)")
            committed = now
            let newEntries = StoreMode.journalEntries(box)
            if newEntries > entries { journaled += 1 } else if newEntries < entries { folds += 1 }
            entries = newEntries
        }
        try box.ok(["audit", "verify"])
        print("reliability (\(mode.rawValue) store): 100 advisory writes, \(killed) killed by SIGKILL mid-flight, \(committed.count - 3) committed"
              + (mode == .journal ? " (\(journaled) as journal entries, \(folds) folds of the journal)" : "") + "; store and audit verified after each")
        #expect(killed >= 10 && committed.count - 3 >= 10, "\(killed) killed, \(committed.count - 3) committed")
        if mode == .journal { #expect(journaled >= 3 && folds >= 1) } else { #expect(journaled == 0) }
    }

    @Test(arguments: StoreMode.allCases)
    func eightProcessesCreate25AdvisoriesEach(mode: StoreMode) throws {
        let box = try mode.sandbox()
        defer { box.remove() }
        try project(box)
        let failures = ResultsBox(count: 8)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            var failed: Int32 = 0
            for n in 0..<25 {
                let run = try? box.embargo(["advisory", "create", "--project", "ai", "--title", "worker \(worker) advisory \(n)"])
                if run?.status != 0 { failed += 1 }
            }
            failures.set(worker, failed)
        }
        #expect(failures.values == Array(repeating: 0, count: 8))
        let all = try ids(box)
        #expect(all.count == 200)
        #expect(Set(all).count == 200)
        #expect(all.first == "ADV-2026-001" && all.last == "ADV-2026-200")
        try box.ok(["audit", "verify"])
        print("reliability (\(mode.rawValue) store): 8 processes x 25 advisory creations: \(all.count) advisories, \(Set(all).count) distinct ids")
    }

    /// Flips one bit at each of 500 positions spread over `names` (files in the
    /// store directory, taken as one run of bytes, headers included), each flip
    /// in a copy of the store, and runs `store verify` on it. An outcome is 4
    /// for exit 4 with one error line, else the exit status (-1: did not run).
    func tamperSweep(_ box: Sandbox, over names: [String]) throws -> (positions: [Int], outcomes: [Int32]) {
        let originals = try names.map { try Data(contentsOf: box.store.appendingPathComponent($0)) }
        let total = originals.reduce(0) { $0 + $1.count }
        let positions = (0..<500).map { $0 * total / 500 }
        let sweep = box.root.appendingPathComponent("sweep")
        let outcomes = ResultsBox(count: positions.count)
        DispatchQueue.concurrentPerform(iterations: 4) { lane in
            // Each lane works on its own copy of the store directory.
            let copy = sweep.appendingPathComponent("lane\(lane)")
            try? FileManager.default.createDirectory(at: sweep, withIntermediateDirectories: true)
            try? FileManager.default.copyItem(at: box.store, to: copy)
            for index in stride(from: lane, to: positions.count, by: 4) {
                var offset = positions[index]
                var file = 0
                while offset >= originals[file].count {
                    offset -= originals[file].count
                    file += 1
                }
                var damaged = originals[file]
                damaged[offset] ^= 0x01
                let target = copy.appendingPathComponent(names[file])
                try? damaged.write(to: target)
                let run = try? box.embargo(["store", "verify", "--store", copy.path])
                let oneLine = run?.stderr.hasPrefix("embargo: error: ") == true && run?.stderr.split(separator: "\n").count ?? 9 <= 2
                outcomes.set(index, run?.status == 4 && oneLine ? 4 : (run?.status ?? -1))
                try? originals[file].write(to: target)
            }
        }
        return (positions, outcomes.values)
    }

    @Test func tamperSweepOverTheStoreFile() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try project(box)
        for i in 0..<3 { try box.ok(["advisory", "create", "--project", "ai", "--title", "advisory \(i)"]) }
        let (positions, outcomes) = try tamperSweep(box, over: ["store.embargo"])
        let detected = outcomes.filter { $0 == 4 }.count
        #expect(detected == positions.count, "undetected flips at \(zip(positions, outcomes).filter { $0.1 != 4 }.map(\.0).prefix(10))")
        try box.ok(["store", "verify"])
        print("reliability: tamper sweep over the store file: \(detected) of \(positions.count) single-byte flips detected with exit 4")
    }

    @Test func tamperSweepOverTheJournal() throws {
        let box = try StoreMode.journal.sandbox()
        defer { box.remove() }
        try project(box)
        for i in 0..<3 { try box.ok(["advisory", "create", "--project", "ai", "--title", "advisory \(i)"]) }
        let names = box.files(under: box.store.appendingPathComponent("journal")).map { "journal/" + $0.lastPathComponent }.sorted()
        #expect(names.count >= 3)
        let (positions, outcomes) = try tamperSweep(box, over: names)
        let detected = outcomes.filter { $0 == 4 }.count
        #expect(detected == positions.count, "undetected flips at \(zip(positions, outcomes).filter { $0.1 != 4 }.map(\.0).prefix(10))")
        try box.ok(["store", "verify"])
        print("reliability: tamper sweep over \(names.count) journal entries: \(detected) of \(positions.count) single-byte flips detected with exit 4")
    }

    @Test func tamperSweepOverABundle() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let fixture = try ReleaseFixture(box)
        let report = try fixture.prerelease()
        let bundle = URL(fileURLWithPath: try #require(report["bundle"] as? String))
        let original = try Data(contentsOf: bundle)
        let key = try fixture.aliceKey()
        let positions = (0..<500).map { $0 * original.count / 500 }
        let outcomes = ResultsBox(count: positions.count)
        DispatchQueue.concurrentPerform(iterations: 4) { lane in
            let path = box.path("damaged-\(lane).age")
            for index in stride(from: lane, to: positions.count, by: 4) {
                var damaged = original
                damaged[positions[index]] ^= 0x01
                try? damaged.write(to: URL(fileURLWithPath: path))
                let run = try? box.embargo(["prerelease", "verify", path, "--identity", box.path("bob.identity"), "--signer-key", key])
                outcomes.set(index, run?.status ?? -1)
            }
        }
        let detected = outcomes.values.filter { $0 == 4 }.count
        #expect(detected == positions.count, "not exit 4 at \(zip(positions, outcomes.values).filter { $0.1 != 4 }.prefix(10).map { "\($0.0):\($0.1)" })")
        print("reliability: tamper sweep over a pre-release bundle: \(detected) of \(positions.count) single-byte flips detected with exit 4")
    }

    @Test(arguments: StoreMode.allCases)
    func aWriteFailingMidwayLeavesThePreviousStateIntact(mode: StoreMode) throws {
        let box = try mode.sandbox()
        defer { box.remove() }
        try project(box)
        try box.ok(["advisory", "create", "--project", "ai", "--title", "kept"])
        let before = try Data(contentsOf: box.store.appendingPathComponent("store.embargo"))
        let entriesBefore = StoreMode.journalEntries(box)
        // A file-size limit below the store's size (below any journal entry's):
        // the new generation cannot be written.
        let limitBlocks = mode == .journal ? 2 : max(1, before.count / 1024 / 2)
        let failing = try box.run("sh", ["-c", "ulimit -f \(limitBlocks); exec \"$0\" \"$@\"", embargoBinary.path,
                                         "advisory", "create", "--project", "ai", "--title", "lost"])
        #expect(failing.status == 1, "\(failing.stderr)")
        #expect(failing.stderr.hasPrefix("embargo: error: cannot write"), "\(failing.stderr)")
        #expect(try Data(contentsOf: box.store.appendingPathComponent("store.embargo")) == before)
        #expect(StoreMode.journalEntries(box) == entriesBefore)
        try box.ok(["store", "verify"])
        #expect(try ids(box) == ["ADV-2026-001"])
        // The next write succeeds and leaves no temporary file behind.
        try box.ok(["advisory", "create", "--project", "ai", "--title", "next"])
        #expect(box.files(under: box.store).filter { $0.lastPathComponent.hasSuffix(".tmp") }.isEmpty)
        print("reliability (\(mode.rawValue) store): a write failing with a file-size limit of \(limitBlocks) KiB left the previous state intact")
    }
}
