import Foundation
import Testing

@Suite("exports through the CLI")
struct ExportCLITests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let schemas = repo.appendingPathComponent("Tests/Fixtures/schemas")

    func validate(_ box: Sandbox, schema: String, document: String, csaf: Bool = false) throws -> Run {
        var arguments = [Self.repo.appendingPathComponent("scripts/validate-json-schema.py").path, schema, document]
        if csaf { arguments += ["--csaf-refs", Self.schemas.path] }
        let run = try box.run("python3", arguments)
        #expect(run.status != 3, "python jsonschema is missing: pip install jsonschema")
        return run
    }

    /// A store with project `ai`: branches 1.0.x (released 1.0.0, 1.0.6) and 1.1.x (1.1.0, 1.1.6).
    static func projectWithTwoReleasedBranches(_ box: Sandbox, _ options: [String] = []) throws {
        try box.initStore()
        let repo = try box.makeRepository(branches: ["1.0.x", "1.1.x"])
        for (branch, tags) in [("1.0.x", ["1.0.0", "1.0.6"]), ("1.1.x", ["1.1.0", "1.1.6"])] {
            try box.git(["-C", repo.path, "checkout", "--quiet", branch])
            for tag in tags {
                try box.git(["-C", repo.path, "commit", "--quiet", "--allow-empty", "-m", "Release \(tag)"])
                try box.git(["-C", repo.path, "tag", tag])
            }
        }
        try box.ok(["project", "add", "ai", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x", "--branch", "1.1.x"] + options)
    }

    @Test func multiBranchDraftExportsValidateAgainstTheOfficialSchemas() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try Self.projectWithTwoReleasedBranches(box)
        try box.ok(["advisory", "create", "--project", "ai", "--title", "PRIVATE-TITLE-7c1", "--public-title", "Access bypass",
                    "--type", "Access bypass", "--cwe", "CWE-284", "--description", "The module lets users reach pages they should not.",
                    "--solution", "Upgrade.", "--reporter", "Jane Doe <https://www.drupal.org/u/jane>", "--fixer", "Sam Fix",
                    "--risk", "AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon",
                    "--cvss", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:N", "--cvss", "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N",
                    "--sa-id", "SA-CONTRIB-2026-042", "--cve-id", "CVE-2026-40042",
                    "--reference", "https://www.drupal.org/sa-contrib-2026-042"])

        // Not published: refused without --draft.
        let refused = try box.embargo(["export", "ADV-2026-001", "--format", "osv"])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("is not published"))

        let cases: [(String, String, Bool)] = [
            ("osv", Self.repo.appendingPathComponent("Tests/Fixtures/osv/schema.json").path, false),
            ("cve", Self.schemas.appendingPathComponent("CVE_Record_Format_bundled.json").path, false),
            ("csaf", Self.schemas.appendingPathComponent("csaf_json_schema.json").path, true),
        ]
        for (format, schema, csaf) in cases {
            let out = box.path("export.\(format).json")
            try box.ok(["export", "ADV-2026-001", "--format", format, "--draft", "--out", out])
            let mode = try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(format) draft file mode")
            let valid = try validate(box, schema: schema, document: out, csaf: csaf)
            #expect(valid.status == 0, "\(format) export does not validate: \(valid.stdout)\(valid.stderr)")
            let text = try String(contentsOfFile: out, encoding: .utf8)
            #expect(!text.contains("PRIVATE-TITLE-7c1"), "\(format) export leaks the private title")
        }
        let osv = try box.json(try String(contentsOfFile: box.path("export.osv.json"), encoding: .utf8))
        let affected = (osv["affected"] as? [[String: Any]])?.first
        #expect((affected?["database_specific"] as? [String: Any])?["affected_versions"] as? String == "<1.0.7 || >=1.1.0 <1.1.7")
        #expect(osv["id"] as? String == "DRUPAL-CONTRIB-2026-042")

        for format in ["drupal", "markdown", "html"] {
            let text = try box.ok(["export", "ADV-2026-001", "--format", format, "--draft"]).stdout
            #expect(text.contains("EMBARGOED - DO NOT DISTRIBUTE"), "\(format) draft lacks the banner")
            #expect(!text.contains("PRIVATE-TITLE-7c1"))
        }
        let sa = try box.ok(["export", "ADV-2026-001", "--format", "drupal", "--draft"]).stdout
        #expect(sa.contains("Moderately critical 12/25 AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon"))
        #expect(sa.contains("<1.0.7 || >=1.1.0 <1.1.7"))
        #expect(sa.contains("SA-CONTRIB-2026-042"))

        // The validator really rejects: a CVE record without its id fails.
        var cve = try box.json(try String(contentsOfFile: box.path("export.cve.json"), encoding: .utf8))
        var metadata = cve["cveMetadata"] as? [String: Any] ?? [:]
        metadata["cveId"] = "CVE-26-1"
        cve["cveMetadata"] = metadata
        let broken = box.path("broken.cve.json")
        try JSONSerialization.data(withJSONObject: cve).write(to: URL(fileURLWithPath: broken))
        #expect(try validate(box, schema: Self.schemas.appendingPathComponent("CVE_Record_Format_bundled.json").path, document: broken).status == 1)

        // Exports are on the audit trail.
        let audit = try box.ok(["audit", "--advisory", "ADV-2026-001"]).stdout
        #expect(audit.contains("advisory.export"))
    }
}

extension ExportCLITests {
    /// `--out` names a file to write: a symbolic link, a pipe or a device
    /// there is refused and left as it is, never replaced by a plain file
    /// holding the draft.
    /// A flaw that only the newer branch has: `--affected-from` starts the
    /// affected versions there, so users of the older branch are not told they
    /// are affected; an older branch left on the advisory is named.
    @Test func affectedVersionsStartAtTheFirstAffectedRelease() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try Self.projectWithTwoReleasedBranches(box)
        try box.ok(["advisory", "create", "--project", "ai", "--title", "New form", "--public-title", "Access bypass",
                    "--description", "d", "--solution", "Upgrade.", "--affected-from", "1.1.2"])
        let bad = try box.embargo(["advisory", "edit", "ADV-2026-001", "--affected-from", "soon"])
        #expect(bad.status == 64 && bad.stderr.contains("the first affected version 'soon' is not a release version"), "\(bad.stderr)")
        let both = try box.embargo(["export", "ADV-2026-001", "--format", "osv", "--draft"])
        #expect(both.status == 1, "\(both.stderr)")
        #expect(both.stderr.contains("branch 1.0.x of advisory ADV-2026-001 is fixed by 1.0.7, not after its first affected version 1.1.2"), "\(both.stderr)")

        try box.ok(["advisory", "edit", "ADV-2026-001", "--branch", "1.1.x"])
        #expect(try box.ok(["advisory", "show", "ADV-2026-001"]).stdout.contains("1.1.x (affected from 1.1.2)"))
        let osv = try box.json(try box.ok(["export", "ADV-2026-001", "--format", "osv", "--draft"]).stdout)
        let affected = (osv["affected"] as? [[String: Any]])?.first
        #expect((affected?["database_specific"] as? [String: Any])?["affected_versions"] as? String == ">=1.1.2 <1.1.7")
        let events = ((affected?["ranges"] as? [[String: Any]])?.first?["events"] as? [[String: String]]) ?? []
        #expect(events == [["introduced": "1.1.2"], ["fixed": "1.1.7"]], "\(events)")
        let drupal = try box.ok(["export", "ADV-2026-001", "--format", "drupal", "--draft"]).stdout
        #expect(drupal.contains(">=1.1.2 <1.1.7") && !drupal.contains("<1.0.7"), "\(drupal)")
        // Cleared, the oldest branch named is affected from its start again.
        try box.ok(["advisory", "edit", "ADV-2026-001", "--affected-from", ""])
        let again = try box.json(try box.ok(["export", "ADV-2026-001", "--format", "osv", "--draft"]).stdout)
        #expect(((again["affected"] as? [[String: Any]])?.first?["database_specific"] as? [String: Any])?["affected_versions"] as? String == "<1.1.7")
    }

    /// The SA names the project as people know it: its title, when set, is
    /// the Project and leads the SA's title; the machine name stays the package's.
    @Test func theSANamesTheProjectByItsTitle() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try Self.projectWithTwoReleasedBranches(box, ["--title", "AI (Artificial Intelligence)"])
        try box.ok(["advisory", "create", "--project", "ai", "--title", "Form", "--type", "Access bypass", "--sa-id", "SA-CONTRIB-2026-042",
                    "--risk", "AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon"])
        let sa = try box.ok(["export", "ADV-2026-001", "--format", "drupal", "--draft"]).stdout
        #expect(sa.contains("AI (Artificial Intelligence) - Moderately critical - Access bypass - SA-CONTRIB-2026-042"), "\(sa)")
        #expect(sa.contains("Project: AI (Artificial Intelligence)") && sa.contains("Project machine name: ai"), "\(sa)")
        #expect(try box.ok(["project", "show", "ai"]).stdout.contains("AI (Artificial Intelligence)"))
        let multiline = try box.embargo(["project", "set", "ai", "--title", "AI\nDemo"])
        #expect(multiline.status == 64 && multiline.stderr.contains("the project's title holds a control character"), "\(multiline.stderr)")
        try box.ok(["project", "set", "ai", "--title", ""])
        let plain = try box.ok(["export", "ADV-2026-001", "--format", "drupal", "--draft"]).stdout
        #expect(plain.contains("Project: ai\n") && plain.contains("ai - Moderately critical"), "\(plain)")
    }

    @Test func anOutputPathThatIsNotARegularFileIsLeftAlone() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.initStore()
        let repo = try box.makeRepository(branches: ["1.0.x"])
        try box.git(["-C", repo.path, "checkout", "--quiet", "1.0.x"])
        try box.git(["-C", repo.path, "tag", "1.0.0"])
        try box.ok(["project", "add", "ai", "--repo", repo.path, "--remote", "origin", "--branch", "1.0.x"])
        try box.ok(["advisory", "create", "--project", "ai", "--title", "CANARY-out-3f1", "--description", "d"])
        let elsewhere = box.path("elsewhere.md")
        let link = box.path("link.md")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: elsewhere)
        let pipe = box.path("pipe")
        #expect(mkfifo(pipe, 0o600) == 0)
        for (path, kind) in [(link, "a symbolic link"), (pipe, "a pipe")] {
            let run = try box.embargo(["export", "ADV-2026-001", "--format", "markdown", "--draft", "--out", path])
            #expect(run.status == 64, "\(run.stderr)")
            #expect(run.stderr.contains("--out \(path) is \(kind)"), "\(run.stderr)")
            let calendar = try box.embargo(["calendar", "--ics", path])
            #expect(calendar.status == 64, "\(calendar.stderr)")
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: link)
        #expect(attributes[.type] as? FileAttributeType == .typeSymbolicLink)
        #expect(!FileManager.default.fileExists(atPath: elsewhere))
        #expect((try FileManager.default.attributesOfItem(atPath: pipe)[.type] as? FileAttributeType) != .typeRegular)
        // A regular file is replaced whole, as before.
        let file = box.path("draft.md")
        try Data("old".utf8).write(to: URL(fileURLWithPath: file))
        try box.ok(["export", "ADV-2026-001", "--format", "markdown", "--draft", "--out", file])
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("EMBARGOED"))
    }
}
