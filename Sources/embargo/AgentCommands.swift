import ArgumentParser
import EmbargoCrypto
import EmbargoKit
import EmbargoStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Embargo {
    struct Unlock: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unlock",
            abstract: "Ask the identity's passphrase once: an agent holds the identity for a while.",
            discussion: """
                The agent is a process of yours that keeps the decrypted identity in memory
                (never on disk, out of swap) and hands it to your own commands only, through
                $XDG_RUNTIME_DIR/embargo/agent.sock (mode 0600). It ends when the time is up
                or with 'embargo lock'. An identity without a passphrase needs none.

                Example:
                  embargo unlock --for 2h
                  embargo lock
                """
        )

        @Option(name: .long, help: ArgumentHelp("The identity file (default: $EMBARGO_IDENTITY, else $XDG_CONFIG_HOME/embargo/identity).", valueName: "file"))
        var identity: String?
        @Option(name: .customLong("for"), help: ArgumentHelp("How long the agent holds the identity (e.g. 15m, 2h; at most 12h).", valueName: "duration"))
        var duration = "15m"

        func validate() throws {
            let seconds = try LocalTime.duration(duration)
            guard seconds > 0, seconds <= 12 * 3600 else { throw ValidationError("--for must be above 0 and at most 12h") }
        }

        func run() throws {
            guard let socket = Settings.agentSocket else {
                throw EmbargoError(.failure, "XDG_RUNTIME_DIR is not set: the agent's socket lives there",
                                   hint: "log in with a session that sets it (systemd does), or set it to a private directory of yours")
            }
            let file = Settings.identityFile(identity)
            let seconds = try LocalTime.duration(duration)
            // The agent may hold it already: nothing to ask.
            var plain = try EmbargoIdentity.plainFile(file, passphrases: TerminalPassphraseProvider(), agent: socket)
            defer { wipe(&plain.file) }
            guard plain.protected else {
                Terminal.say("\(file.path) has no passphrase: nothing to unlock")
                return
            }
            if let held = IdentityAgent.status(socket: socket), held.digest == plain.digest {
                Terminal.say("already unlocked for \(held.seconds / 60) more minute(s); 'embargo lock' ends it")
                return
            }
            IdentityAgent.lock(socket: socket)
            try Self.startAgent(identity: plain.file, digest: plain.digest, seconds: Int(seconds), socket: socket)
            Terminal.say("unlocked \(file.path) for \(duration); 'embargo lock' ends it")
        }

        /// Starts `embargo agent` in a session of its own, hands it the identity
        /// through a pipe, and waits until it listens.
        static func startAgent(identity: [UInt8], digest: String, seconds: Int, socket: URL) throws {
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            var input: [Int32] = [-1, -1], output: [Int32] = [-1, -1]
            guard pipe(&input) == 0, pipe(&output) == 0 else {
                throw EmbargoError(.failure, "cannot start the agent: \(String(cString: strerror(errno)))")
            }
            let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("EMBARGO_PASSPHRASE") }
            let child: SpawnedProcess
            do {
                child = try SpawnedProcess(path: executable, arguments: ["agent", "--socket", socket.path, "--seconds", String(seconds), "--digest", digest],
                                           environment: environment, directory: nil, stdin: input[0], stdout: output[1])
            } catch {
                for fd in input + output { close(fd) }
                throw error
            }
            close(input[0])
            close(output[1])
            let header = Array("\(identity.count)\n".utf8)
            _ = (header + identity).withUnsafeBytes { write(input[1], $0.baseAddress, $0.count) }
            close(input[1])
            var ready = [UInt8](repeating: 0, count: 16)
            let count = read(output[0], &ready, ready.count)
            close(output[0])
            guard count > 0, String(decoding: ready[..<count], as: UTF8.self).hasPrefix("ready") else {
                child.terminate()
                throw EmbargoError(.failure, "the agent did not start", hint: "run 'embargo unlock' again, or go on without it")
            }
        }
    }

    struct Lock: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lock",
            abstract: "End the identity agent that 'embargo unlock' started.",
            discussion: """
                Example:
                  embargo lock
                """
        )

        func run() throws {
            guard let socket = Settings.agentSocket, IdentityAgent.lock(socket: socket) else {
                Terminal.say("no agent was running")
                return
            }
            Terminal.say("locked: the agent ended and forgot the identity")
        }
    }

    /// The agent itself, started by 'embargo unlock' (not for people to run).
    struct Agent: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "agent",
            abstract: "Serve an unlocked identity (started by 'embargo unlock').",
            discussion: """
                Example:
                  embargo unlock
                """,
            shouldDisplay: false
        )

        @Option(help: ArgumentHelp("The socket to listen on.", valueName: "path")) var socket: String
        @Option(help: ArgumentHelp("How long to serve.", valueName: "seconds")) var seconds: Int
        @Option(help: ArgumentHelp("The SHA-256 of the encrypted identity file.", valueName: "hex")) var digest: String

        func run() throws {
            // The identity comes on standard input: its length on a line, then its bytes.
            var header: [UInt8] = []
            var byte: UInt8 = 0
            while read(STDIN_FILENO, &byte, 1) == 1, byte != 0x0A, header.count < 16 { header.append(byte) }
            guard let length = Int(String(decoding: header, as: UTF8.self)), length > 0, length < 1 << 16 else {
                throw EmbargoError(.usage, "the agent reads an identity from standard input", hint: "start it with 'embargo unlock'")
            }
            let identity = try SecureBytes(count: length) { buffer in
                var done = 0
                while done < length {
                    let got = read(STDIN_FILENO, buffer.baseAddress! + done, length - done)
                    guard got > 0 else { throw EmbargoError(.failure, "the identity was cut short") }
                    done += got
                }
            }
            IdentityAgent.detach()
            signal(SIGHUP, SIG_IGN)
            signal(SIGPIPE, SIG_IGN)
            try IdentityAgent.serve(identity: identity, digest: digest, socket: URL(fileURLWithPath: socket),
                                    until: Date().addingTimeInterval(TimeInterval(seconds))) {
                _ = write(STDOUT_FILENO, "ready\n", 6)
                // Nothing more goes to the terminal that started it.
                let null = open("/dev/null", O_RDWR)
                if null >= 0 {
                    dup2(null, STDIN_FILENO)
                    dup2(null, STDOUT_FILENO)
                    dup2(null, STDERR_FILENO)
                    close(null)
                }
            }
        }
    }
}
