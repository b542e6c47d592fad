import EmbargoCrypto
import Foundation

/// What this machine last saw of a store, kept outside it (in
/// `$XDG_STATE_HOME/embargo`): the newest generation, the audit head and the
/// founding admin's key. A store older than that, an audit trail that no
/// longer holds the remembered head, or another founder is a rollback or a
/// rewrite, which the store itself cannot reveal.
public struct StoreMemory: Codable, Sendable, Equatable {
    public var storeID: String?
    public var generation: UInt64
    public var seenAt: String
    public var auditSeq: Int64?
    public var auditHead: String?
    public var founderKey: String?
    /// The newest team log entry this machine received or pushed, and its digest.
    public var teamSequence: UInt64?
    public var teamDigest: String?
    /// The audit head a sync is about to install (its own entries signed
    /// again): accepted like `auditHead` should the sync stop before it says so.
    public var rechainedSeq: Int64?
    public var rechainedHead: String?

    public init(storeID: String? = nil, generation: UInt64 = 0, seenAt: String = "", auditSeq: Int64? = nil,
                auditHead: String? = nil, founderKey: String? = nil)
    {
        self.storeID = storeID
        self.generation = generation
        self.seenAt = seenAt
        self.auditSeq = auditSeq
        self.auditHead = auditHead
        self.founderKey = founderKey
    }

    enum CodingKeys: String, CodingKey {
        case generation
        case storeID = "store_id"
        case seenAt = "seen_at"
        case auditSeq = "audit_seq"
        case auditHead = "audit_head"
        case founderKey = "founder_key"
        case teamSequence = "team_sequence"
        case teamDigest = "team_digest"
        case rechainedSeq = "rechained_seq"
        case rechainedHead = "rechained_head"
    }
}

/// One small file per store directory (named by a hash of its real path),
/// written atomically with mode 0600 in a 0700 directory.
public struct MachineMemory: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    func file(forStore storeDirectory: URL) -> URL {
        let path = storeDirectory.resolvingSymlinksInPath().standardizedFileURL.path
        let name = Digest.sha256(Array(path.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        return directory.appendingPathComponent("stores").appendingPathComponent("\(name).json")
    }

    /// What was remembered of the store; nil the first time. A file that
    /// cannot be read as memory counts as none (it holds nothing secret, and
    /// the next save replaces it).
    public func load(forStore storeDirectory: URL) throws -> StoreMemory? {
        guard let bytes = try SafeFile.read(file(forStore: storeDirectory), limit: 1 << 16) else { return nil }
        return try? JSONDecoder().decode(StoreMemory.self, from: Data(bytes))
    }

    public func save(_ memory: StoreMemory, forStore storeDirectory: URL) throws {
        let url = file(forStore: storeDirectory)
        try SafeFile.makePrivateDirectory(directory)
        try SafeFile.makePrivateDirectory(url.deletingLastPathComponent())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try SafeFile.replaceAtomically(url, bytes: Array(try encoder.encode(memory)))
    }

    /// Loads, changes and saves the memory of one store.
    public func update(forStore storeDirectory: URL, _ change: (inout StoreMemory) -> Void) throws {
        var memory = try load(forStore: storeDirectory) ?? StoreMemory()
        let before = memory
        change(&memory)
        if memory != before { try save(memory, forStore: storeDirectory) }
    }
}
