import Foundation
import Testing

@Suite("command-line conventions")
struct ConventionTests {
    static let commands: [[String]] = [
        [], ["init"], ["identity"], ["identity", "new"], ["identity", "show"],
        ["member"], ["member", "add"], ["member", "list"], ["member", "role"], ["member", "remove"], ["member", "roles"],
        ["project"], ["project", "add"], ["project", "list"], ["project", "show"], ["project", "set"],
        ["people"], ["people", "import"], ["people", "set"], ["people", "list"],
        ["store"], ["store", "verify"], ["store", "backup"], ["store", "restore"], ["demo"],
        ["advisory"], ["advisory", "create"], ["advisory", "list"], ["advisory", "show"], ["advisory", "edit"],
        ["advisory", "status"], ["advisory", "note"], ["advisory", "search"], ["advisory", "import"],
        ["timeline"], ["schedule"], ["calendar"], ["audit"], ["audit", "list"], ["audit", "verify"], ["export"],
        ["guard"], ["guard", "install"], ["guard", "check"],
        ["lint"],
        ["patch"], ["patch", "add"], ["patch", "list"], ["patch", "show"], ["patch", "remove"], ["patch", "verify"], ["patch", "checkout"],
        ["prerelease"], ["prerelease", "create"], ["prerelease", "verify"],
        ["approve"], ["publish"], ["revert"], ["notes"], ["announce"],
        ["cve"], ["cve", "request"], ["cve", "published"], ["due"], ["broken"],
    ]

    @Test(arguments: commands)
    func everyCommandHasHelpWithAnExample(_ path: [String]) throws {
        let box = try Sandbox()
        defer { box.remove() }
        let result = try box.embargo(path + ["--help"])
        #expect(result.status == 0)
        let isGroup = result.stdout.contains("SUBCOMMANDS:")
        #expect(isGroup || result.stdout.contains("Example:"), "embargo \(path.joined(separator: " ")) --help has no example")
    }

    @Test(arguments: ["--json"])
    func readingCommandsOfferJSON(_ flag: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        for path in [["identity", "show"], ["member", "list"], ["member", "roles"], ["project", "list"], ["project", "show"], ["people", "list"], ["store", "verify"],
                     ["advisory", "list"], ["advisory", "show"], ["advisory", "search"], ["timeline"], ["calendar"], ["audit", "list"], ["audit", "verify"],
                     ["lint"], ["due"]] {
            let help = try box.embargo(path + ["--help"])
            #expect(help.stdout.contains(flag), "embargo \(path.joined(separator: " ")) lacks \(flag)")
        }
    }

    @Test func completionScriptsAndVersion() throws {
        let box = try Sandbox()
        defer { box.remove() }
        for shell in ["bash", "zsh", "fish"] {
            let script = try box.ok(["--generate-completion-script", shell])
            #expect(script.stdout.contains("member"))
        }
        #expect(try box.ok(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test func theBinaryWorksWhenCopiedAloneToAnotherDirectory() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let lonely = box.root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: lonely, withIntermediateDirectories: true)
        let copy = lonely.appendingPathComponent("embargo")
        // Copied by cp, not in this process: a copy written here could still be open for
        // writing in a child another test forks meanwhile, and running it fails (ETXTBSY).
        #expect(try box.run("cp", [embargoBinary.path, copy.path]).status == 0)
        // Run it from an unrelated directory: the migrations are embedded in the binary.
        #expect(try box.run(copy.path, ["identity", "new"], directory: lonely).status == 0)
        let initRun = try box.run(copy.path, ["init", "--name", "alice"], directory: lonely)
        #expect(initRun.status == 0, "\(initRun.stderr)")
        let verify = try box.run(copy.path, ["store", "verify", "--json"], directory: lonely)
        #expect(verify.stdout.contains("m0016_project_title"))
    }

    @Test func permissionTableIsPrinted() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let roles = try box.json(box.ok(["member", "roles", "--json"]).stdout)
        let table = try #require(roles["permissions"] as? [String: [String]])
        #expect(table["manage-members"] == ["admin"])
        #expect(table["read"]?.count == 5)
    }

    @Test func demoRunsEndToEnd() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let demo = try box.embargo(["demo"])
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("$ embargo init --name alice"))
        #expect(demo.stdout.contains("added member bob (security)"))
        #expect(demo.stdout.contains("store ok: generation"))
        #expect(demo.stdout.contains("Demo complete."))
        // The demo cleans up after itself.
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: box.path("tmp"))) ?? []
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
