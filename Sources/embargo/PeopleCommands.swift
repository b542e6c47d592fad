import ArgumentParser
import EmbargoKit
import EmbargoStore
import Foundation

extension Embargo {
    struct PeopleCommands: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "people",
            abstract: "The people credited in release notes and their organizations.",
            discussion: """
                Release notes link each contributor to their drupal.org profile and count
                the organizations their credits go to. drupal.org keeps those in its credit
                records, not in git, so the team keeps a credits file and imports it here.
                """,
            subcommands: [Import.self, Set.self, List.self]
        )
    }
}

extension Embargo.PeopleCommands {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Add or update people from the team's credits file.",
            discussion: """
                One person a line, CSV: 'username,organization[,display name]'. The username
                is the drupal.org one, without '@'; an empty organization means none; the
                display name is the name the person commits under, so that a commit credited
                to its author finds them. Quote a field that holds a comma ("Acme, Inc.").
                Blank lines, lines starting with '#' and a header line are skipped. People the
                file does not name stay as they are.

                Example:
                  embargo people import credits.csv

                  # credits.csv
                  username,organization,display name
                  longwave,Acme,Dave Long
                  catch,"Example, Ltd."
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: ArgumentHelp("The credits file ('-' reads standard input).", valueName: "file")) var file: String

        func run() throws {
            guard let text = String(validating: try InputFile.read(file, limit: Limits.textBytes, what: "a people file"), as: UTF8.self) else {
                throw EmbargoError(.usage, "\(file) is not UTF-8 text")
            }
            let source = file == "-" ? "standard input" : URL(fileURLWithPath: file).lastPathComponent
            let result = try location.workspace().importPeople(text, source: source)
            if output.json {
                try Terminal.printJSON(["added": result.added, "changed": result.changed, "unchanged": result.unchanged])
            } else {
                Terminal.say("imported \(source): \(result.added) added, \(result.changed) changed, \(result.unchanged) unchanged")
            }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set one person's organization or display name.",
            discussion: """
                An empty value clears it. A person not known yet is added.

                Example:
                  embargo people set longwave --org Acme
                  embargo people set longwave --name "Dave Long"
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The drupal.org username.") var username: String
        @Option(help: ArgumentHelp("The organization the person's credits go to.", valueName: "name")) var org: String?
        @Option(help: ArgumentHelp("The name the person commits under.", valueName: "name")) var name: String?

        func validate() throws {
            if org == nil, name == nil { throw ValidationError("pass --org ORG or --name NAME (an empty value clears it)") }
        }

        func run() throws {
            let person = try location.workspace().setPerson(username, organization: org, displayName: name)
            if output.json {
                try Terminal.printJSON(["person": person])
            } else {
                Terminal.say("\(person.username): organization \(person.organization ?? "none")"
                    + (person.displayName.map { ", display name \($0)" } ?? ""))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the people and their organizations.",
            discussion: """
                Example:
                  embargo people list --json
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let people = try location.workspace().people()
            if output.json {
                try Terminal.printJSON(["people": people])
            } else {
                Terminal.printTable(["USERNAME", "ORGANIZATION", "DISPLAY NAME"],
                                    people.map { [$0.username, $0.organization ?? "-", $0.displayName ?? "-"] })
            }
        }
    }
}
