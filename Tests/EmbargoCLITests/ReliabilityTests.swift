import Foundation
import Testing

@Suite("crash safety and concurrency of the store")
struct ReliabilityTests {
    @Test func concurrentWritersNeverLoseAnUpdate() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        let repo = try box.makeRepository()

        let results = ResultsBox(count: 8)
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            let run = try? box.embargo(["project", "add", "proj\(i)", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x"])
            results.set(i, run?.status ?? -1)
        }
        #expect(results.values == Array(repeating: 0, count: 8))
        let list = try box.json(box.ok(["project", "list", "--json"]).stdout)
        let names = (list["projects"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == (0..<8).map { "proj\($0)" })
        try box.ok(["store", "verify"])
        print("concurrency: 8 concurrent 'project add' processes, 8 projects present")
    }

    @Test func sigkillDuringWritesLeavesACommittedState() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        let repo = try box.makeRepository()

        // How long one write takes, to aim the kills inside it.
        let start = Date()
        try box.ok(["project", "add", "warmup", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x"])
        let duration = max(Date().timeIntervalSince(start), 0.02)

        var generator = SystemRandomNumberGenerator()
        var committed: Set<String> = ["warmup"]
        var killed = 0
        for i in 0..<50 {
            let name = "p\(i)"
            let process = Process()
            process.executableURL = embargoBinary
            process.arguments = ["project", "add", name, "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x"]
            process.environment = box.environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(Double.random(in: 0...(duration * 1.2), using: &generator) * 1_000_000))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed += 1
            }
            process.waitUntilExit()

            // The store opens and verifies, and holds exactly the committed
            // projects, plus possibly the one being written when killed.
            let verify = try box.embargo(["store", "verify"])
            #expect(verify.status == 0, "after kill \(i): \(verify.stderr)")
            let list = try box.json(box.ok(["project", "list", "--json"]).stdout)
            let names = Set((list["projects"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? [])
            #expect(names == committed || names == committed.union([name]), "after kill \(i): \(names.sorted())")
            committed = names
        }
        print("crash safety: 50 writes, \(killed) killed mid-flight, \(committed.count - 1) committed; store verified after each")
        #expect(killed > 0)
        // The next write clears temporary files that killed writers left behind.
        try box.ok(["project", "add", "final", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x"])
        let leftovers = box.files(under: box.store).filter { $0.lastPathComponent.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "\(leftovers.map(\.lastPathComponent))")
    }
}

final class ResultsBox: @unchecked Sendable {
    // Guarded by `lock`.
    private var storage: [Int32]
    private let lock = NSLock()
    init(count: Int) { storage = Array(repeating: -2, count: count) }
    func set(_ index: Int, _ value: Int32) { lock.lock(); storage[index] = value; lock.unlock() }
    var values: [Int32] { lock.lock(); defer { lock.unlock() }; return storage }
}
