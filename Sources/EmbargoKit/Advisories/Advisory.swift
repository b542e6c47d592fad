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

    public init(row: Row) throws {
        id = row["id"]
        project = row["project"]
        status = AdvisoryStatus(rawValue: row["status"]) ?? .draft
        privateTitle = row["private_title"]
        publicTitle = row["public_title"]
        vulnerabilityType = row["vulnerability_type"]
        description = row["description"]
        solution = row["solution"]
        branches = try Self.decode(row["branches"])
        cwes = try Self.decode(row["cwes"])
        reporters = try Self.decode(row["reporters"])
        reportedAt = row["reported_at"]
        fixers = try Self.decode(row["fixers"])
        coordinators = try Self.decode(row["coordinators"])
        credits = try Self.decode(row["credits"])
        saID = row["sa_id"]
        cveID = row["cve_id"]
        ghsaID = row["ghsa_id"]
        references = try Self.decode(row["reference_urls"])
        riskVector = row["risk_vector"]
        cvss31Vector = row["cvss31_vector"]
        cvss40Vector = row["cvss40_vector"]
        disclosureAt = row["disclosure_at"]
        createdAt = row["created_at"]
        createdBy = row["created_by"]
        updatedAt = row["updated_at"]
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
        container["branches"] = try Self.encodeJSON(branches)
        container["cwes"] = try Self.encodeJSON(cwes)
        container["reporters"] = try Self.encodeJSON(reporters)
        container["reported_at"] = reportedAt
        container["fixers"] = try Self.encodeJSON(fixers)
        container["coordinators"] = try Self.encodeJSON(coordinators)
        container["credits"] = try Self.encodeJSON(credits)
        container["sa_id"] = saID
        container["cve_id"] = cveID
        container["ghsa_id"] = ghsaID
        container["reference_urls"] = try Self.encodeJSON(references)
        container["risk_vector"] = riskVector
        container["cvss31_vector"] = cvss31Vector
        container["cvss40_vector"] = cvss40Vector
        container["disclosure_at"] = disclosureAt
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
        let publicTitle, vulnerabilityType, description, solution, reportedAt, saID, cveID, ghsaID: String?
        let riskVector, cvss31Vector, cvss40Vector: String?
        let branches, references: [String]
        let cwes: [Int]
        let reporters, fixers, coordinators, credits: [Person]
    }

    /// SHA-256 of the public texts: a pre-release records it, and publication
    /// refuses texts that differ from the ones the security team approved.
    public var publicDigest: String {
        let texts = PublicTexts(publicTitle: publicTitle, vulnerabilityType: vulnerabilityType, description: description, solution: solution,
                                reportedAt: reportedAt, saID: saID, cveID: cveID, ghsaID: ghsaID, riskVector: riskVector,
                                cvss31Vector: cvss31Vector, cvss40Vector: cvss40Vector, branches: branches, references: references,
                                cwes: cwes, reporters: reporters, fixers: fixers, coordinators: coordinators, credits: credits)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(texts)).map(Array.init) ?? []
        return Digest.sha256(bytes).map { String(format: "%02x", $0) }.joined()
    }
}
