import ArgumentParser
import EmbargoCrypto
import EmbargoKit
import EmbargoStore
import Foundation
import GRDB
import TerminalText

struct Embargo: ParsableCommand {
    static let version = "0.1.0"

    // Every command names itself (commandName): without it the parser derives the name
    // from the type with String(describing:), and the runtime's search for the
    // conformances that takes was a third of every command's start-up.
    static let configuration = CommandConfiguration(
        commandName: "embargo",
        abstract: "Keep embargoed security fixes encrypted, pre-release them to the security team, publish what was reviewed.",
        discussion: """
            The store is encrypted with a data key wrapped for every member's age identity.
            Exit codes: 0 success, 1 failure, 3 refused by policy, 4 verification failed,
            5 access denied, 64 usage error.

            Example:
              embargo identity new
              embargo init --name alice
              embargo project add ai --repo ~/src/ai --remote origin \\
                --branch 1.1.x --branch 1.2.x
            """,
        version: version,
        subcommands: [
            Init.self, IdentityCommands.self, Unlock.self, Lock.self, Agent.self, MemberCommands.self, ProjectCommands.self,
            AdvisoryCommands.self, PeopleCommands.self, Status.self, Timeline.self, Schedule.self, CalendarCommand.self, Export.self,
            PatchCommands.self, GuardCommands.self, Lint.self, PrereleaseCommands.self,
            Approve.self, Publish.self, Revert.self, ReleaseCommands.self, Notes.self, Announce.self, CVECommands.self, Due.self, Broken.self,
            AuditCommands.self, StoreCommands.self, Demo.self,
        ]
    )
}

@main
enum EmbargoMain {
    static func main() {
        // Caught, not ignored: a write to a closed pipe then fails with EPIPE, and one past a
        // file-size limit with EFBIG, instead of killing us (a clear error, state intact); and
        // the programs embargo starts (git, build and test commands) get the default actions
        // back at exec, where ignored signals would stay ignored in them.
        signal(SIGPIPE) { _ in }
        signal(SIGXFSZ) { _ in }
        let command: ParsableCommand
        do {
            command = try Embargo.parseAsRoot()
        } catch {
            // A mistyped command or option first, with the name it most likely means.
            if Embargo.exitCode(for: error) != .success, let tree = Typos.tree(),
               let typo = Typos.check(Array(CommandLine.arguments.dropFirst()), tree: tree) {
                fail(typo)
            }
            exitForParser(error)
        }
        // Only once a command is to run: help, --version and usage errors make no
        // throwaway directories, and scanning a crowded /tmp was a tenth of their time.
        Interrupts.removeTemporaryDirectoriesOnSignal()
        StaleTemporaryDirectories.removeWhileTheCommandRuns()
        do {
            var command = command
            try command.run()
            try TeamAutoSync.afterCommand()
            // A signal that ended what the command waited for ends it with 128 + N.
            if Interrupts.received != 0 { exit(Interrupts.exitCode(or: 0)) }
        } catch let error as EmbargoError {
            Terminal.report(error)
            exit(Interrupts.exitCode(or: error.kind.exitCode))
        } catch let error as CryptoError {
            fail(EmbargoError(.failure, error.description))
        } catch let error as AgeError {
            fail(EmbargoError(.verification, "age: \(error)"))
        } catch let error as MinisignError {
            fail(EmbargoError(.verification, "minisign: \(error)"))
        } catch let error as DatabaseError {
            // GRDB's description names the SQL, never the bound values.
            fail(EmbargoError(.failure, "store database error \(error.resultCode)"))
        } catch {
            // Help, version and argument errors from the parser.
            exitForParser(error)
        }
    }

    /// Help, version and completions print as the parser writes them; its
    /// errors echo what was typed, so they go to the terminal escaped.
    static func exitForParser(_ error: Error) -> Never {
        let code = Embargo.exitCode(for: error)
        guard code != .success else { Embargo.exit(withError: error) }
        if code == .validationFailure {
            // One line, as embargo's own usage errors: what is wrong, then where the usage is.
            // The first line, and the choices the parser lists under it ("    - draft").
            let lines = Embargo.message(for: error).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            let first = lines.first.map { $0.hasPrefix("Error: ") ? String($0.dropFirst("Error: ".count)) : $0 } ?? "invalid arguments"
            let choices = lines.dropFirst().prefix { $0.hasPrefix("- ") }.map { "'\($0.dropFirst(2))'" }
            let message = choices.isEmpty ? first
                : first.replacingOccurrences(of: "one of the following:", with: "one of") + " " + choices.joined(separator: ", ")
            let tokens = Array(CommandLine.arguments.dropFirst())
            let command = Typos.tree().map { Typos.commandPath(tokens, tree: $0) } ?? "embargo"
            fail(EmbargoError(.usage, message, hint: "see '\(command) --help'"))
        }
        FileHandle.standardError.write(Data((TerminalText.block(Embargo.fullMessage(for: error), indent: "  ") + "\n").utf8))
        exit(code.rawValue)
    }

    static func fail(_ error: EmbargoError) -> Never {
        Terminal.report(error)
        exit(Interrupts.exitCode(or: error.kind.exitCode))
    }
}

/// What a killed embargo left behind (patched sources, private refs) is removed
/// by every command, on a thread of its own while the command runs: reading a
/// /tmp of thousands of entries was a tenth of a short command's time. The
/// process waits for it at exit, so a command that has finished has removed them.
enum StaleTemporaryDirectories {
    static let done = DispatchGroup()

    static func removeWhileTheCommandRuns() {
        DispatchQueue.global().async(group: done) {
            TemporaryDirectory.removeStale(in: TemporaryDirectory.base())
        }
        atexit { StaleTemporaryDirectories.done.wait() }
    }
}

/// On SIGINT, SIGTERM or SIGHUP: remove the throwaway directories holding
/// embargoed material, then exit with 128 + the signal number.
enum Interrupts {
    // Kept alive for the life of the process; only touched at start-up.
    nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []
    /// The signal that is ending the process (0: none): the command's own
    /// end, racing the handler's, exits with 128 + it too.
    nonisolated(unsafe) static var received: Int32 = 0

    /// 128 + the signal that is ending the process, else `code`.
    static func exitCode(or code: Int32) -> Int32 { received != 0 ? 128 + received : code }

    static func removeTemporaryDirectoriesOnSignal() {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                received = number
                // What embargo started ends with it: a test command must not run on in a removed clone.
                SpawnedProcess.terminateAll()
                TemporaryDirectory.removeAllLive()
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }
}
