// embargo-bench: the helper scripts/bench drives. It is not part of the CLI
// and is built only with EMBARGO_BENCH=1 (see Package.swift).
//
//   embargo-bench populate --store DIR --identity FILE --repo REPO --count N [--year Y]
//       a new store with project "bench" (branches 1.0.x, 1.1.x) and N advisories,
//       each with a 20 KB patch on both branches, written in one commit
//   embargo-bench export-plaintext --store DIR --identity FILE --out FILE
//       the store's SQLite database as sqlite3_serialize gives it (the sqlite3 baseline)
//   embargo-bench age-encrypt --recipient age1... IN OUT
//   embargo-bench age-decrypt --identity FILE IN OUT
//       our age implementation on files (EmbargoCrypto's Age.encryptFile/decryptFile)
//   embargo-bench phases list|create --store DIR --identity FILE [--runs N]
//       where the time of 'advisory list --json' / 'advisory create' goes, step by step

import EmbargoCrypto
import EmbargoKit
import EmbargoStore
import Foundation
import GRDB
import GRDBSQLite

struct Usage: Error, CustomStringConvertible {
    let description: String
}

/// `--key value` options and positional arguments.
struct Arguments {
    var options: [String: String] = [:]
    var positional: [String] = []

    init(_ list: ArraySlice<String>) throws {
        var iterator = list.makeIterator()
        while let item = iterator.next() {
            if item.hasPrefix("--") {
                guard let value = iterator.next() else { throw Usage(description: "\(item) needs a value") }
                options[String(item.dropFirst(2))] = value
            } else {
                positional.append(item)
            }
        }
    }

    func string(_ key: String) throws -> String {
        guard let value = options[key] else { throw Usage(description: "--\(key) is required") }
        return value
    }

    func url(_ key: String) throws -> URL { URL(fileURLWithPath: try string(key)) }

    func int(_ key: String, default fallback: Int? = nil) throws -> Int {
        guard let text = options[key] else {
            if let fallback { return fallback }
            throw Usage(description: "--\(key) is required")
        }
        guard let value = Int(text) else { throw Usage(description: "--\(key) must be a number") }
        return value
    }
}

/// Bench identities are not passphrase-protected.
struct NoPassphrase: PassphraseProvider {
    func passphrase(for purpose: PassphrasePurpose) throws -> SecureBytes {
        throw Usage(description: "embargo-bench uses identities without a passphrase")
    }
}

func loadIdentity(_ url: URL) throws -> EmbargoIdentity {
    try EmbargoIdentity.load(from: url, passphrases: NoPassphrase())
}

// MARK: Deterministic fixture text

/// xorshift64*: the same sequence on every machine.
struct Generator {
    var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    mutating func pick<T>(_ list: [T]) -> T { list[Int(next() % UInt64(list.count))] }
}

enum Fixture {
    static let words = [
        "block", "render", "title", "value", "option", "config", "form", "field", "entity", "route", "cache", "token",
        "element", "settings", "markup", "output", "request", "response", "account", "permission", "storage", "query",
        "handler", "plugin", "service", "widget", "formatter", "label", "content", "display", "message", "context",
    ]
    static let types = ["Cross Site Scripting", "Access bypass", "Cross Site Request Forgery", "Information disclosure",
                        "SQL Injection", "Open redirect"]
    static let cwes = [79, 284, 352, 200, 89, 601]
    static let risks = [
        "AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon",
        "AC:None/A:None/CI:All/II:All/E:Exploit/TD:All",
        "AC:Complex/A:Admin/CI:Some/II:None/E:Proof/TD:Default",
    ]
    static let cvss31 = [
        "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:U/C:L/I:N/A:N",
    ]
    static let cvss40 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N"
    static let statuses = ["fixing", "fixing", "fixing", "ready", "ready", "prereleased", "approved", "published", "published", "withdrawn"]

    static func sentence(_ random: inout Generator, words count: Int) -> String {
        (0..<count).map { _ in random.pick(words) }.joined(separator: " ")
    }

    /// A `git format-patch` style patch of about `size` bytes adding lines to one file.
    static func patch(index: Int, branch: String, size: Int) -> (text: String, subject: String, message: String, file: String) {
        var random = Generator(seed: UInt64(index) << 8 | (branch == "1.0.x" ? 1 : 2))
        let file = "src/\(random.pick(words).capitalized)\(index % 997).php"
        let subject = "Change the \(random.pick(words)) \(random.pick(words)) of fixture \(index)"
        let message = subject + "\n\n" + sentence(&random, words: 24)
        var body = ""
        var lines = 0
        while body.utf8.count < size - 600 {
            body += "+    $\(random.pick(words)) = $this->\(random.pick(words))(\(random.next() % 100_000), '\(sentence(&random, words: 3))');\n"
            lines += 1
        }
        let commit = String(format: "%016llx%016llx%08x", random.next(), random.next(), UInt32(truncatingIfNeeded: random.next()))
        let text = """
            From \(commit) Mon Sep 17 00:00:00 2001
            From: Fixture Author <author\(index % 50)@example.org>
            Date: Tue, 3 Mar 2026 10:00:00 +0000
            Subject: [PATCH] \(subject)

            \(message.split(separator: "\n", maxSplits: 2).dropFirst(2).joined())
            ---
            diff --git a/\(file) b/\(file)
            index 0000000..1111111 100644
            --- a/\(file)
            +++ b/\(file)
            @@ -10,0 +11,\(lines) @@

            """ + body + "-- \n2.39.5\n\n"
        return (text, subject, message, file)
    }
}

// MARK: populate

/// A new store holding `count` advisories, each with a 20 KB patch on both
/// branches, in one commit: the rows the CLI's create, status and patch add
/// steps write (advisory, search index, timeline, patches, signed audit
/// entries), the patch text as encrypted blobs.
func populate(_ arguments: Arguments) throws {
    let storeDirectory = try arguments.url("store")
    let identity = try loadIdentity(try arguments.url("identity"))
    let repository = try arguments.url("repo")
    let count = try arguments.int("count")
    let year = try arguments.int("year", default: 2026)
    let patchSize = try arguments.int("patch-size", default: 20 * 1024)

    let workspace = try Workspace.initialize(at: storeDirectory, identity: identity, memberName: "bench", environment: Environment())
    try workspace.addProject(name: "bench", repository: repository.path, remote: "origin", branches: ["1.0.x", "1.1.x"],
                             packageName: nil, policy: "drupal")
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
    let base = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01

    try workspace.store.write { db in
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        var auditSeq: Int64 = last?["seq"] ?? 0
        var auditHash: String = last?["hash"] ?? String(repeating: "0", count: 64)
        func audit(_ at: String, _ action: String, _ object: String, _ detail: String) throws {
            auditSeq += 1
            // AuditEntry has no public memberwise initializer; its row form is public.
            var entry = try AuditEntry(row: Row([
                "seq": auditSeq, "at": at, "member": "bench", "signing_key": identity.signingKey, "action": action,
                "object": object, "detail": detail, "prev_hash": auditHash, "hash": "", "signature": "",
            ]))
            try entry.signAndInsert(into: db, identity: identity)
            auditHash = entry.hash
        }
        func timeline(_ id: String, _ at: String, _ kind: String, _ summary: String) throws {
            try db.execute(sql: "INSERT INTO timeline (advisory, at, actor, kind, summary) VALUES (?, ?, 'bench', ?, ?)",
                           arguments: [id, at, kind, summary])
        }

        for index in 1...count {
            var random = Generator(seed: UInt64(index))
            let id = String(format: "ADV-%04d-%03d", year, index)
            let created = Timestamp.string(base.addingTimeInterval(Double(index) * 1800))
            let updated = Timestamp.string(base.addingTimeInterval(Double(index) * 1800 + 900))
            let kind = index % Fixture.types.count
            let title = "\(Fixture.types[kind]) in the \(random.pick(Fixture.words)) \(random.pick(Fixture.words)) (fixture \(index))"
            let description = (0..<4).map { _ in Fixture.sentence(&random, words: 18).capitalized + "." }.joined(separator: " ")
            let reporter = Person(name: "Reporter \(index % 300)", contact: "https://www.drupal.org/u/reporter\(index % 300)")
            let fixer = Person(name: "Fixer \(index % 40)", contact: "fixer\(index % 40)@example.org")
            let coordinator = Person(name: "Coordinator \(index % 7)")
            let credits = [Person(name: reporter.name, contact: reporter.contact, type: "FINDER"),
                           Person(name: fixer.name, contact: fixer.contact, type: "REMEDIATION_DEVELOPER")]
            let status = Fixture.statuses[index % Fixture.statuses.count]
            let cve = index % 3 == 0 ? "CVE-\(year)-\(20000 + index)" : nil
            let sa = status == "published" ? String(format: "SA-CONTRIB-%04d-%03d", year, index) : nil
            try db.execute(
                sql: """
                    INSERT INTO advisories (id, year, seq, project, status, private_title, public_title, vulnerability_type,
                        description, solution, reported_at, sa_id, cve_id, ghsa_id, risk_vector, cvss31_vector, cvss40_vector,
                        disclosure_at, created_at, created_by, updated_at)
                    VALUES (?, ?, ?, 'bench', ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, 'bench', ?)
                    """,
                arguments: [
                    id, year, index, status, title,
                    "\(Fixture.types[kind]) in bench (fixture \(index))", Fixture.types[kind], description,
                    "Install the latest version of the bench module for your branch.", created, sa, cve,
                    Fixture.risks[index % Fixture.risks.count], Fixture.cvss31[index % Fixture.cvss31.count],
                    index % 4 == 0 ? Fixture.cvss40 : nil,
                    status == "published" ? updated : nil, created, updated,
                ])
            // The advisory's lists, one row an element (as the store keeps them).
            let items: [(String, String, Person?)] = [
                ("branches", "1.0.x", nil), ("branches", "1.1.x", nil), ("cwes", String(Fixture.cwes[kind]), nil),
                ("reporters", reporter.name, reporter), ("fixers", fixer.name, fixer), ("coordinators", coordinator.name, coordinator),
                ("credits", credits[0].name, credits[0]), ("credits", credits[1].name, credits[1]),
                ("references", "https://www.example.org/project/bench/releases/\(index)", nil),
            ]
            var positions: [String: Int] = [:]
            for (list, item, person) in items {
                let position = positions[list, default: 0]
                positions[list] = position + 1
                try db.execute(sql: "INSERT INTO advisory_items (advisory, list, item, position, contact, type) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [id, list, item, position, person?.contact, person?.type])
            }
            try db.execute(
                sql: """
                    INSERT INTO advisory_search (id, private_title, public_title, vulnerability_type, description, people, external_ids)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, title, "\(Fixture.types[kind]) in bench (fixture \(index))", Fixture.types[kind], description,
                            [reporter.name, fixer.name, coordinator.name, credits[0].name, credits[1].name].joined(separator: " "),
                            ([id, sa, cve].compactMap { $0 } + ["CWE-\(Fixture.cwes[kind])"]).joined(separator: " ")])
            try timeline(id, created, "created", "advisory created (draft)")
            try audit(created, "advisory.create", id, "project bench")
            try timeline(id, created, "status", "status draft -> confirmed")
            try audit(created, "advisory.status", id, "draft -> confirmed")
            for branch in ["1.0.x", "1.1.x"] {
                let patch = Fixture.patch(index: index, branch: branch, size: patchSize)
                let bytes = Array(patch.text.utf8)
                let blob = try workspace.store.putBlob(bytes, in: db)
                let patchID = Digest.sha256(bytes).prefix(20).map { String(format: "%02x", $0) }.joined()
                try db.execute(
                    sql: """
                        INSERT INTO patches (advisory, branch, position, blob, subject, message, author, author_date, patch_id,
                                             files, size, added_at, added_by)
                        VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'bench')
                        """,
                    arguments: [id, branch, blob, patch.subject, patch.message, "Fixture Author <author\(index % 50)@example.org>",
                                "2026-03-03T10:00:00Z", patchID, try json([patch.file]), bytes.count, updated])
                try timeline(id, updated, "patch-added", "1 patch(es) added to \(branch) from a patch file")
                try audit(updated, "patch.add", id, "1 patch(es) on \(branch) from a patch file")
            }
            if status != "fixing" {
                try timeline(id, updated, "status", "status fixing -> \(status)")
                try audit(updated, "advisory.status", id, "fixing -> \(status)")
            }
        }
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: workspace.store.storeFile.path)[.size] as? Int) ?? 0
    print("populated \(storeDirectory.path): \(count) advisories, \(2 * count) patch blobs, store.embargo \(size) bytes")
}

// MARK: export-plaintext

/// The database exactly as the store holds it in memory (sqlite3_serialize),
/// written to a file for the sqlite3 baseline. Only the bench does this: the
/// CLI never writes the plaintext database to disk.
func exportPlaintext(_ arguments: Arguments) throws {
    let identity = try loadIdentity(try arguments.url("identity"))
    let store = try Store.open(at: try arguments.url("store"), identity: identity.age)
    let out = try arguments.url("out")
    let bytes: [UInt8] = try store.read { db in
        var size: sqlite3_int64 = 0
        guard let pointer = sqlite3_serialize(db.sqliteConnection, "main", &size, 0) else {
            throw Usage(description: "sqlite3_serialize failed")
        }
        defer { sqlite3_free(pointer) }
        return Array(UnsafeRawBufferPointer(start: pointer, count: Int(size)))
    }
    _ = FileManager.default.createFile(atPath: out.path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
    print("wrote \(out.path): \(bytes.count) bytes")
}

// MARK: age

func ageEncrypt(_ arguments: Arguments) throws {
    guard arguments.positional.count == 2 else { throw Usage(description: "age-encrypt --recipient R IN OUT") }
    let recipient = try AgeX25519Recipient(parsing: try arguments.string("recipient"))
    try Age.encryptFile(at: URL(fileURLWithPath: arguments.positional[0]), to: URL(fileURLWithPath: arguments.positional[1]),
                        recipients: [recipient])
}

func ageDecrypt(_ arguments: Arguments) throws {
    guard arguments.positional.count == 2 else { throw Usage(description: "age-decrypt --identity FILE IN OUT") }
    let identity = try loadIdentity(try arguments.url("identity"))
    try Age.decryptFile(at: URL(fileURLWithPath: arguments.positional[0]), to: URL(fileURLWithPath: arguments.positional[1]),
                        identities: [identity.age])
}

// MARK: main

let commandLine = CommandLine.arguments
do {
    guard commandLine.count >= 2 else { throw Usage(description: "usage: embargo-bench populate|export-plaintext|age-encrypt|age-decrypt|phases ...") }
    let arguments = try Arguments(commandLine.dropFirst(2))
    switch commandLine[1] {
    case "populate": try populate(arguments)
    case "export-plaintext": try exportPlaintext(arguments)
    case "age-encrypt": try ageEncrypt(arguments)
    case "age-decrypt": try ageDecrypt(arguments)
    case "phases": try phases(arguments)
    case "spawn": try spawnCost(arguments)
    default: throw Usage(description: "unknown command \(commandLine[1])")
    }
} catch let error as EmbargoError {
    FileHandle.standardError.write(Data("embargo-bench: error: \(error.message)\n".utf8))
    exit(1)
} catch {
    FileHandle.standardError.write(Data("embargo-bench: error: \(error)\n".utf8))
    exit(1)
}
