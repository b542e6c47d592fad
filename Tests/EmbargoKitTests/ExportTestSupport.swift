@testable import EmbargoKit
import Foundation
import Testing

/// Advisories built in code for the export tests, and the schema validator.
enum ExportSamples {
    /// Put in every private title and creator: no export may contain it.
    static let secret = "PRIVATE-MARKER"

    static let drupalRisk = SeverityView(
        kind: "drupal", vector: "AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon", score: "12/25",
        rating: "Moderately critical",
        display: "Moderately critical 12/25 AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon")
    static let cvss31 = SeverityView(
        kind: "cvss_v3.1", vector: "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", score: "5.4", rating: "Medium",
        display: "5.4 Medium CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N")
    static let cvss40 = SeverityView(
        kind: "cvss_v4.0", vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N", score: "5.1",
        rating: "Medium", display: "5.1 Medium CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N")
    static let critical31 = SeverityView(
        kind: "cvss_v3.1", vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", score: "9.8", rating: "Critical",
        display: "9.8 Critical CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")

    static func project(_ name: String, package: String? = nil, policy: String = "drupal") -> Project {
        Project(name: name, repoPath: "/srv/\(name)", remote: "origin", packageName: package ?? name, policy: policy,
                testCommand: nil, buildCommand: nil, createdAt: "2025-01-01T00:00:00Z")
    }

    static func advisory(_ id: String, project: String, branches: [String]) -> Advisory {
        Advisory(
            id: id, project: project, status: .draft, privateTitle: "\(secret) exploit in the login form",
            publicTitle: nil, vulnerabilityType: nil, description: nil, solution: nil, branches: branches, cwes: [],
            reporters: [], reportedAt: "2025-10-01T09:00:00Z", fixers: [], coordinators: [], credits: [], saID: nil,
            cveID: nil, ghsaID: nil, references: [], riskVector: nil, cvss31Vector: nil, cvss40Vector: nil,
            disclosureAt: nil, createdAt: "2025-10-02T10:00:00Z", createdBy: "\(secret)-member",
            updatedAt: "2025-10-03T11:00:00Z")
    }

    /// DRUPAL-CONTRIB-2025-119 (the AI module, three branches), as embargo would hold it.
    static var threeBranch: ExportInput {
        var advisory = advisory("ADV-2025-007", project: "ai", branches: ["1.0.x", "1.1.x", "1.2.x"])
        advisory.status = .published
        advisory.publicTitle = "AI (Artificial Intelligence) - Moderately critical - Cross Site Scripting - SA-CONTRIB-2025-119"
        advisory.vulnerabilityType = "Cross Site Scripting"
        advisory.description = "This modules provides the ability to chat with an AI Agent using a large-language model (LLM) provider for different purposes.\n\nThe module doesn\u{2019}t sufficiently filter LLM responses. This leads to a cross-site scripting (XSS) vulnerability where an attacker can use prompt injections on user-generated content with the LLM as context."
        advisory.cwes = [79]
        advisory.reporters = [Person(name: "Drew Webber (mcdruid)", contact: "https://www.drupal.org/u/mcdruid")]
        advisory.fixers = [Person(name: "Marcus Johansson (marcus_johansson)", contact: "https://www.drupal.org/u/marcus_johansson")]
        advisory.coordinators = [Person(name: "Greg Knaddison (greggles)", contact: "https://www.drupal.org/u/greggles")]
        advisory.saID = "SA-CONTRIB-2025-119"
        advisory.cveID = "CVE-2025-13981"
        advisory.disclosureAt = "2025-12-03T18:48:23Z"
        advisory.updatedAt = "2025-12-03T19:05:53Z"
        return ExportInput(
            advisory: advisory, project: project("ai"),
            releases: [
                BranchReleases(branch: "1.0.x", firstRelease: "1.0.0", lastRelease: "1.0.6", nextRelease: "1.0.7"),
                BranchReleases(branch: "1.1.x", firstRelease: "1.1.0", lastRelease: "1.1.6", nextRelease: "1.1.7"),
                BranchReleases(branch: "1.2.x", firstRelease: "1.2.0", lastRelease: "1.2.3", nextRelease: "1.2.4"),
            ],
            severities: [drupalRisk, cvss31],
            generatedAt: Date(timeIntervalSince1970: 1_764_790_000))
    }

    /// One branch, Drupal risk and both CVSS versions, not yet published.
    static var singleBranch: ExportInput {
        var advisory = advisory("ADV-2026-001", project: "sample_module", branches: ["1.2.x"])
        advisory.status = .approved
        advisory.publicTitle = "Sample module - Critical - Access bypass - SA-CONTRIB-2026-010"
        advisory.vulnerabilityType = "Access bypass"
        advisory.description = "The module does not check the 'administer greetings' permission on its settings route."
        advisory.solution = "Sites that cannot upgrade can remove the 'access greetings' permission from anonymous users."
        advisory.cwes = [862, 284]
        advisory.reporters = [Person(name: "Ada Reporter", contact: "ada@example.org")]
        advisory.fixers = [Person(name: "Bo Fixer")]
        advisory.saID = "SA-CONTRIB-2026-010"
        advisory.cveID = "CVE-2026-10010"
        advisory.references = ["https://www.drupal.org/project/sample_module/issues/3456789"]
        advisory.disclosureAt = "2026-02-04T16:00:00Z"
        return ExportInput(
            advisory: advisory, project: project("sample_module"),
            releases: [BranchReleases(branch: "1.2.x", firstRelease: "1.2.0", lastRelease: "1.2.3", nextRelease: "1.2.4")],
            severities: [drupalRisk, critical31, cvss40],
            generatedAt: Date(timeIntervalSince1970: 1_770_000_000))
    }

    /// A legacy `8.x-1.x` branch next to `2.0.x`, CVSS 4 only, credits with types, a draft.
    static var legacy: ExportInput {
        var advisory = advisory("ADV-2026-002", project: "legacy_module", branches: ["8.x-1.x", "2.0.x"])
        advisory.status = .fixing
        advisory.vulnerabilityType = "Information disclosure"
        advisory.description = "Private files can be downloaded by anonymous users."
        advisory.cwes = [200, 99999]
        advisory.reporters = [Person(name: "Zed Finder")]
        advisory.coordinators = [Person(name: "Ann Coordinator", contact: "https://www.drupal.org/u/ann")]
        advisory.credits = [Person(name: "Carl Reviewer", type: "REMEDIATION_REVIEWER"), Person(name: "Acme Sponsor", type: "SPONSOR")]
        advisory.cveID = "CVE-2026-20002"
        advisory.references = ["https://www.drupal.org/project/legacy_module/issues/3500000"]
        return ExportInput(
            advisory: advisory, project: project("legacy_module"),
            releases: [
                // Given newest first on purpose: the exports order branches themselves.
                BranchReleases(branch: "2.0.x", firstRelease: "2.0.0", lastRelease: "2.0.2", nextRelease: "2.0.3"),
                BranchReleases(branch: "8.x-1.x", firstRelease: "8.x-1.0", lastRelease: "8.x-1.5", nextRelease: "8.x-1.6"),
            ],
            severities: [cvss40],
            generatedAt: Date(timeIntervalSince1970: 1_771_000_000), draft: true)
    }

    /// The least an advisory can hold: a GHSA id, a description, no severity, no people.
    static var minimal: ExportInput {
        var advisory = advisory("ADV-2026-003", project: "tiny", branches: ["2.x"])
        advisory.description = "A crafted request makes the module loop forever."
        advisory.ghsaID = "GHSA-9v2f-6vcg-3hgv"
        advisory.cveID = "CVE-2026-30003"
        advisory.references = ["https://github.com/example/tiny/security/advisories/GHSA-9v2f-6vcg-3hgv"]
        return ExportInput(
            advisory: advisory, project: project("tiny"),
            releases: [BranchReleases(branch: "2.x", firstRelease: nil, lastRelease: nil, nextRelease: "2.0.0")],
            severities: [], generatedAt: Date(timeIntervalSince1970: 1_772_000_000))
    }

    /// A project outside Drupal (no drupal policy): CVE and CSAF only.
    static var nonDrupal: ExportInput {
        var input = singleBranch
        input.project = project("libgreet", policy: "distros")
        input.advisory.project = "libgreet"
        input.advisory.saID = nil
        input.advisory.references = ["https://libgreet.example.org/security/2026-1"]
        return input
    }

    static var all: [(String, ExportInput)] {
        [("three-branch", threeBranch), ("single-branch", singleBranch), ("legacy", legacy), ("minimal", minimal)]
    }

    static func render(_ format: ExportFormat, _ input: ExportInput) throws -> String {
        try AdvisoryExporter.render(format, input)
    }

    /// A JSON value as sorted-key JSON text, to compare parsed documents.
    static func canonical(_ value: Any?) throws -> String {
        let value = try #require(value)
        return String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}

/// Paths of the repository's fixtures and scripts.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("Tests/Fixtures")
    static let schemas = fixtures.appendingPathComponent("schemas")
    static let validator = root.appendingPathComponent("scripts/validate-json-schema.py")

    static func fixture(_ path: String) throws -> String {
        try String(contentsOf: fixtures.appendingPathComponent(path), encoding: .utf8)
    }
}

/// Runs scripts/validate-json-schema.py (python3 + jsonschema + referencing)
/// with an argv array. A missing python3 or jsonschema fails the test: the
/// schemas are the point of these tests, so they are never skipped.
enum SchemaValidator {
    enum Schema {
        case osv, cve, csaf, csafProfile

        var path: String {
            switch self {
            case .osv: return Repo.fixtures.appendingPathComponent("osv/schema.json").path
            case .cve: return Repo.schemas.appendingPathComponent("CVE_Record_Format_bundled.json").path
            case .csaf: return Repo.schemas.appendingPathComponent("csaf_json_schema.json").path
            case .csafProfile: return Repo.schemas.appendingPathComponent("csaf-security-advisory-profile.json").path
            }
        }
    }

    /// Validates `document` (JSON text) against `schema`; the result says how it went.
    static func run(_ schema: Schema, _ document: String) throws -> PythonResult {
        let directory = try TemporaryDirectory.create(prefix: "embargo-schema")
        defer { TemporaryDirectory.remove(directory) }
        let documentURL = directory.appendingPathComponent("document.json")
        try Data(document.utf8).write(to: documentURL)
        return try runFile(schema, documentURL.path)
    }

    static func runFile(_ schema: Schema, _ documentPath: String) throws -> PythonResult {
        var arguments = [Repo.validator.path, schema.path, documentPath]
        if schema == .csaf { arguments += ["--csaf-refs", Repo.schemas.path] }
        let result = try Python.run(arguments)
        try #require(result.status != 3, "python's jsonschema is missing: run 'pip install jsonschema' (CI does)\n\(result.output)")
        try #require(result.status != 2, "the validator could not run: \(result.output)")
        return result
    }

    /// Records a failure with the validator's report unless `document` is valid.
    static func expectValid(_ schema: Schema, _ document: String, _ what: String,
                            sourceLocation: SourceLocation = #_sourceLocation) throws
    {
        let result = try run(schema, document)
        #expect(result.valid, "\(what) is not valid against \(schema):\n\(result.output)", sourceLocation: sourceLocation)
    }
}

/// What a python3 run printed and how it ended.
struct PythonResult {
    var status: Int32
    var output: String
    var valid: Bool { status == 0 }
}

/// Runs python3 with an argv array; stdout and stderr go to one file, so no pipe can fill up.
enum Python {
    static func executable() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let found = path.split(separator: ":").map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        return try #require(found, "python3 is not on PATH: install python3, then 'pip install jsonschema' (CI does)")
    }

    static func run(_ arguments: [String]) throws -> PythonResult {
        let scratch = try TemporaryDirectory.create(prefix: "embargo-python")
        defer { TemporaryDirectory.remove(scratch) }
        let outputURL = scratch.appendingPathComponent("output.txt")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable())
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return PythonResult(status: process.terminationStatus, output: try String(contentsOf: outputURL, encoding: .utf8))
    }

    /// Whether `json` is byte for byte what Python's `json.dumps(indent=2, sort_keys=True)` writes, plus a newline.
    static func isCanonical(_ json: String) throws -> PythonResult {
        let scratch = try TemporaryDirectory.create(prefix: "embargo-canonical")
        defer { TemporaryDirectory.remove(scratch) }
        let file = scratch.appendingPathComponent("document.json")
        try Data(json.utf8).write(to: file)
        let script = """
            import json, sys
            text = open(sys.argv[1], encoding="utf-8").read()
            again = json.dumps(json.loads(text), indent=2, sort_keys=True) + "\\n"
            sys.exit(0 if again == text else 1)
            """
        return try run(["-c", script, file.path])
    }
}
