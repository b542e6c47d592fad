import EmbargoCrypto
import EmbargoStore
import Foundation
import GRDB

/// Where an advisory is in its life. Later steps (pre-release, approval,
/// publication) move it automatically; `Lifecycle` says which moves are valid.
public enum AdvisoryStatus: String, CaseIterable, Codable, Sendable {
    case draft, confirmed, fixing, ready, prereleased, approved, published, withdrawn
}

/// A person named on an advisory (reporter, fixer, coordinator, credit).
public struct Person: Codable, Sendable, Equatable, Hashable {
    public var name: String
    public var contact: String?
    /// For credits: the OSV credit type (FINDER, REPORTER, REMEDIATION_DEVELOPER, COORDINATOR, ...).
    public var type: String?

    public init(name: String, contact: String? = nil, type: String? = nil) {
        self.name = name
        self.contact = contact
        self.type = type
    }

    /// Parses `Name`, `Name <contact>` (contact: a URL or an e-mail address).
    public static func parse(_ text: String) -> Person {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
            let contact = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            return Person(name: name, contact: contact.isEmpty ? nil : contact)
        }
        return Person(name: trimmed)
    }

    public var display: String { contact.map { "\(name) <\($0)>" } ?? name }
}

/// A security advisory, embargoed until published.
public struct Advisory: Codable, Sendable, Equatable {
    public var id: String
    public var project: String
    public var status: AdvisoryStatus
    public var privateTitle: String
    public var publicTitle: String?
    public var vulnerabilityType: String?
    public var description: String?
    public var solution: String?
    public var branches: [String]
    public var cwes: [Int]
    public var reporters: [Person]
    public var reportedAt: String?
    public var fixers: [Person]
    public var coordinators: [Person]
    public var credits: [Person]
    public var saID: String?
    public var cveID: String?
    public var ghsaID: String?
    public var references: [String]
    public var riskVector: String?
    public var cvss31Vector: String?
    public var cvss40Vector: String?
    public var disclosureAt: String?
    /// The first affected version, when the flaw came in after the oldest
    /// branch's first release (nil: every earlier version is affected).
    public var affectedFrom: String? = nil
    public var createdAt: String
    public var createdBy: String
    public var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, project, status, description, solution, branches, cwes, reporters, fixers, coordinators, credits, references
        case privateTitle = "private_title"
        case publicTitle = "public_title"
        case vulnerabilityType = "vulnerability_type"
        case reportedAt = "reported_at"
        case saID = "sa_id"
        case cveID = "cve_id"
        case ghsaID = "ghsa_id"
        case riskVector = "risk_vector"
        case cvss31Vector = "cvss31_vector"
        case cvss40Vector = "cvss40_vector"
        case disclosureAt = "disclosure_at"
        case affectedFrom = "affected_from"
        case createdAt = "created_at"
        case createdBy = "created_by"
        case updatedAt = "updated_at"
    }
}

/// One event on an advisory's timeline.
public struct TimelineEvent: Codable, Sendable, Equatable, FetchableRecord {
    public var seq: Int64
    public var advisory: String
    public var at: String
    public var actor: String
    public var kind: String
    public var summary: String
    public var detail: String?
}

/// The valid status transitions.
public enum Lifecycle {
    static let transitions: [AdvisoryStatus: Set<AdvisoryStatus>] = [
        .draft: [.confirmed, .withdrawn],
        .confirmed: [.draft, .fixing, .withdrawn],
        .fixing: [.confirmed, .ready, .withdrawn],
        .ready: [.fixing, .prereleased, .withdrawn],
        .prereleased: [.ready, .fixing, .prereleased, .approved, .withdrawn],
        .approved: [.prereleased, .ready, .fixing, .published, .withdrawn],
        .published: [],
        .withdrawn: [.draft],
    ]

    /// Statuses only the step that produces them may set (pre-release, approval, publication).
    public static let automatic: Set<AdvisoryStatus> = [.prereleased, .approved, .published]

    public static func allows(_ from: AdvisoryStatus, _ to: AdvisoryStatus) -> Bool {
        transitions[from]?.contains(to) ?? false
    }

    public static func next(from status: AdvisoryStatus) -> [AdvisoryStatus] {
        AdvisoryStatus.allCases.filter { allows(status, $0) }
    }
}

// MARK: Database mapping

extension Advisory: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "advisories"

    /// The advisory's columns and its lists, which live in `advisory_items`.
    public static var databaseSelection: [any SQLSelectable] { [AllColumns()] + AdvisoryItems.selection }

    /// Every insert and update writes the lists too.
    public func aroundSave(_ db: Database, save: () throws -> PersistenceSuccess) throws {
        _ = try save()
        try AdvisoryItems.write(self, db)
    }

    public init(row: Row) throws {
        try self.init(row: row, columns: ColumnPositions(row))
    }

    /// Reads `row` at the positions `columns` found in it, or in another row of
    /// the same statement.
    init(row: Row, columns c: ColumnPositions) throws {
        func text(_ index: Int?) throws -> String? {
            guard let index else { return nil }
            return try row.decode(String?.self, atIndex: index)
        }
        id = try row.decode(atIndex: c.id)
        project = try row.decode(atIndex: c.project)
        status = AdvisoryStatus(rawValue: try row.decode(String.self, atIndex: c.status)) ?? .draft
        privateTitle = try row.decode(atIndex: c.privateTitle)
        publicTitle = try text(c.publicTitle)
        vulnerabilityType = try text(c.vulnerabilityType)
        description = try text(c.description)
        solution = try text(c.solution)
        /// A list column read as JSON; empty when the row has none.
        func list<T: Decodable>(_ index: Int?) throws -> [T] {
            guard let index else { return [] }
            return try Self.decode(try text(index))
        }
        branches = try list(c.branches)
        cwes = try list(c.cwes)
        reporters = try list(c.reporters)
        reportedAt = try text(c.reportedAt)
        fixers = try list(c.fixers)
        coordinators = try list(c.coordinators)
        credits = try list(c.credits)
        saID = try text(c.saID)
        cveID = try text(c.cveID)
        ghsaID = try text(c.ghsaID)
        references = try list(c.references)
        riskVector = try text(c.riskVector)
        cvss31Vector = try text(c.cvss31Vector)
        cvss40Vector = try text(c.cvss40Vector)
        disclosureAt = try text(c.disclosureAt)
        affectedFrom = try text(c.affectedFrom)
        createdAt = try row.decode(atIndex: c.createdAt)
        createdBy = try row.decode(atIndex: c.createdBy)
        updatedAt = try row.decode(atIndex: c.updatedAt)
    }

    /// Every advisory `request` selects. The columns are found by name in the
    /// first row only: looking 27 names up in every row was a fifth of the time
    /// `advisory list` spent decoding 10,000 advisories. The lists come from one
    /// pass over `advisory_items` rather than as JSON in each row.
    static func fetchList(_ db: Database, _ request: QueryInterfaceRequest<Advisory>) throws -> [Advisory] {
        let lists = try AdvisoryItems.all(db)
        let rows = try Row.fetchCursor(db, request.select(AllColumns()))
        var advisories: [Advisory] = []
        var columns: ColumnPositions?
        while let row = try rows.next() {
            let found = try columns ?? ColumnPositions(row, lists: false)
            columns = found
            var advisory = try Advisory(row: row, columns: found)
            if let items = lists[advisory.id] {
                advisory.branches = items.branches
                advisory.cwes = items.cwes
                advisory.reporters = items.reporters
                advisory.fixers = items.fixers
                advisory.coordinators = items.coordinators
                advisory.credits = items.credits
                advisory.references = items.references
            }
            advisories.append(advisory)
        }
        return advisories
    }

    /// Where each column of the advisories table is in a row. Names match as
    /// GRDB matches them: case-insensitively, the leftmost column first. A
    /// missing optional column reads as nil.
    struct ColumnPositions {
        let id, project, status, privateTitle, createdAt, createdBy, updatedAt: Int
        /// The lists, which `AdvisoryItems.selection` builds: an advisory read
        /// without them would lose them when saved, so they are required unless
        /// the caller reads them itself (`lists: false`, then they are nil).
        let branches, cwes, reporters, fixers, coordinators, credits, references: Int?
        let publicTitle, vulnerabilityType, description, solution, reportedAt: Int?
        let saID, cveID, ghsaID, riskVector: Int?
        let cvss31Vector, cvss40Vector, disclosureAt, affectedFrom: Int?

        init(_ row: Row, lists: Bool = true) throws {
            var positions: [String: Int] = [:]
            for (index, name) in row.columnNames.enumerated() where positions[name.lowercased()] == nil {
                positions[name.lowercased()] = index
            }
            func required(_ name: String) throws -> Int {
                guard let index = positions[name] else {
                    throw EmbargoError(.failure, "the store's advisories have no column \(name)",
                                       hint: "the store may come from an incompatible version of embargo")
                }
                return index
            }
            func list(_ name: String) throws -> Int? {
                lists ? try required(name) : nil
            }
            id = try required("id")
            project = try required("project")
            status = try required("status")
            privateTitle = try required("private_title")
            createdAt = try required("created_at")
            createdBy = try required("created_by")
            updatedAt = try required("updated_at")
            publicTitle = positions["public_title"]
            vulnerabilityType = positions["vulnerability_type"]
            description = positions["description"]
            solution = positions["solution"]
            branches = try list("branches")
            cwes = try list("cwes")
            reporters = try list("reporters")
            reportedAt = positions["reported_at"]
            fixers = try list("fixers")
            coordinators = try list("coordinators")
            credits = try list("credits")
            saID = positions["sa_id"]
            cveID = positions["cve_id"]
            ghsaID = positions["ghsa_id"]
            references = try list("reference_urls")
            riskVector = positions["risk_vector"]
            cvss31Vector = positions["cvss31_vector"]
            cvss40Vector = positions["cvss40_vector"]
            disclosureAt = positions["disclosure_at"]
            affectedFrom = positions["affected_from"]
        }
    }

    public func encode(to container: inout PersistenceContainer) throws {
        let parts = id.split(separator: "-")
        container["id"] = id
        container["year"] = parts.count == 3 ? Int(parts[1]) : nil
        container["seq"] = parts.count == 3 ? Int(parts[2]) : nil
        container["project"] = project
        container["status"] = status.rawValue
        container["private_title"] = privateTitle
        container["public_title"] = publicTitle
        container["vulnerability_type"] = vulnerabilityType
        container["description"] = description
        container["solution"] = solution
        container["reported_at"] = reportedAt
        container["sa_id"] = saID
        container["cve_id"] = cveID
        container["ghsa_id"] = ghsaID
        container["risk_vector"] = riskVector
        container["cvss31_vector"] = cvss31Vector
        container["cvss40_vector"] = cvss40Vector
        container["disclosure_at"] = disclosureAt
        container["affected_from"] = affectedFrom
        container["created_at"] = createdAt
        container["created_by"] = createdBy
        container["updated_at"] = updatedAt
    }

    static func decode<T: Decodable>(_ text: String?) throws -> T {
        try JSONDecoder().decode(T.self, from: Data((text ?? "[]").utf8))
    }

    static func encodeJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension Advisory {
    /// Every field the public advisory shows (all but the private title, the
    /// status and the bookkeeping times), in one stable form.
    struct PublicTexts: Encodable {
        let publicTitle, vulnerabilityType, description, solution, reportedAt, saID, cveID, ghsaID, affectedFrom: String?
        let riskVector, cvss31Vector, cvss40Vector: String?
        let branches, references: [String]
        let cwes: [Int]
        let reporters, fixers, coordinators, credits: [Person]
    }

    /// SHA-256 of the public texts: a pre-release records it, and publication
    /// refuses texts that differ from the ones the security team approved.
    public var publicDigest: String {
        let texts = PublicTexts(publicTitle: publicTitle, vulnerabilityType: vulnerabilityType, description: description, solution: solution,
                                reportedAt: reportedAt, saID: saID, cveID: cveID, ghsaID: ghsaID, affectedFrom: affectedFrom, riskVector: riskVector,
                                cvss31Vector: cvss31Vector, cvss40Vector: cvss40Vector, branches: branches, references: references,
                                cwes: cwes, reporters: reporters, fixers: fixers, coordinators: coordinators, credits: credits)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(texts)).map(Array.init) ?? []
        return hex(Digest.sha256(bytes))
    }
}
