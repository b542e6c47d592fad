import Foundation
import Testing

@Suite("concurrent writers")
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
}

final class ResultsBox: @unchecked Sendable {
    // Guarded by `lock`.
    private var storage: [Int32]
    private let lock = NSLock()
    init(count: Int) { storage = Array(repeating: -2, count: count) }
    func set(_ index: Int, _ value: Int32) { lock.lock(); storage[index] = value; lock.unlock() }
    var values: [Int32] { lock.lock(); defer { lock.unlock() }; return storage }
}
