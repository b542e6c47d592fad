import ArgumentParser
import EmbargoCrypto
import EmbargoKit
import EmbargoStore
import Foundation
import Logging

/// Where the store and the identity are; shared by every command that opens the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store directory (default: $EMBARGO_STORE, else $XDG_DATA_HOME/embargo).", valueName: "dir"))
    var store: String?

    @Option(name: .long, help: ArgumentHelp("The identity file (default: $EMBARGO_IDENTITY, else $XDG_CONFIG_HOME/embargo/identity).", valueName: "file"))
    var identity: String?

    @Flag(name: .long, help: "Log what the command does to standard error (never secrets).")
    var verbose = false

    var storeDirectory: URL { Settings.storeDirectory(store) }
    var identityFile: URL { Settings.identityFile(identity) }

    func loadIdentity() throws -> EmbargoIdentity {
        try EmbargoIdentity.load(from: identityFile, passphrases: TerminalPassphraseProvider(), agent: Settings.agentSocket)
    }

    /// Opens the store as the member holding the identity; `repository`:
    /// the clone of the project's repository this command uses, when given.
    func workspace(_ repository: RepositoryOption? = nil, identity loaded: EmbargoIdentity? = nil) throws -> Workspace {
        let log = Diagnostics.logger(verbose: verbose)
        log.debug("identity file \(identityFile.path)")
        let identity = try loaded ?? loadIdentity()
        log.debug("opening store \(storeDirectory.path) as \(identity.recipient)")
        var environment = try Settings.storeEnvironment()
        if let path = repository?.path {
            environment.repositoryOverride = try RepositoryOption.clone(path, environment: environment)
        }
        let workspace = try Workspace.open(at: storeDirectory, identity: identity, environment: environment)
        log.debug("acting member \(workspace.member.name) (\(workspace.member.role.rawValue)), store generation \((try? workspace.store.generation()) ?? 0)")
        TeamAutoSync.register(workspace)
        return workspace
    }
}

/// `--repo PATH`: this member's clone of the project's repository, for this
/// command only (over 'project local' and the path in the store).
struct RepositoryOption: ParsableArguments {
    @Option(name: .customLong("repo"),
            help: ArgumentHelp("Use this clone of the project's repository (over 'project local' and the store's path).", valueName: "path"))
    var path: String?

    /// The clone at `path`, which must be a git repository.
    static func clone(_ path: String, environment: EmbargoKit.Environment) throws -> URL {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard environment.git(url).isRepository() else {
            throw EmbargoError(.failure, "\(path) is not a git repository", hint: "pass the path of your clone of the project's repository with --repo")
        }
        return url
    }
}

struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print a stable JSON document instead of a table.")
    var json = false
}

/// The environment variables embargo reads, in one table.
enum Settings {
    struct Variable {
        let name: String
        let description: String
        let sensitive: Bool
    }

    static let variables: [Variable] = [
        Variable(name: "EMBARGO_STORE", description: "store directory when --store is not given", sensitive: false),
        Variable(name: "EMBARGO_IDENTITY", description: "identity file when --identity is not given", sensitive: false),
        Variable(name: "EMBARGO_PASSPHRASE_FILE", description: "file whose first line is the identity passphrase (instead of the terminal)", sensitive: true),
        Variable(name: "XDG_DATA_HOME", description: "base of the default store directory ($XDG_DATA_HOME/embargo)", sensitive: false),
        Variable(name: "EMBARGO_STOP_AFTER_STEP", description: "crash-recovery testing: 'publish' kills itself right after this journal step", sensitive: false),
        Variable(name: "EMBARGO_STORE_JOURNAL_BYTES", description: "databases of at least this many bytes commit to the store journal (default \(JournalPolicy.standard.minimumDatabaseSize); 0 for every store, as the crash tests do)", sensitive: false),
        Variable(name: "EMBARGO_STORE_JOURNAL_ENTRIES", description: "the journal folds into a new store file after this many entries (default \(JournalPolicy.standard.maximumEntries))", sensitive: false),
        Variable(name: "EMBARGO_TEAM_SNAPSHOT_EVERY", description: "an admin's sync adds a snapshot of the store to the team log after this many entries (default 500)", sensitive: false),
        Variable(name: "XDG_STATE_HOME", description: "base of what this machine remembers of each store, to detect rollbacks ($XDG_STATE_HOME/embargo)", sensitive: false),
        Variable(name: "XDG_RUNTIME_DIR", description: "where 'embargo unlock' keeps its agent's socket ($XDG_RUNTIME_DIR/embargo/agent.sock)", sensitive: false),
        Variable(name: "XDG_CONFIG_HOME", description: "base of the default identity file ($XDG_CONFIG_HOME/embargo/identity)", sensitive: false),
    ]

    static func value(_ name: String) -> String? {
        precondition(variables.contains { $0.name == name }, "undocumented environment variable \(name)")
        // getenv, not ProcessInfo's environment: that copies every variable into a new
        // dictionary on each call, and a command reads several settings as it starts.
        guard let value = getenv(name).map({ String(cString: $0) }), !value.isEmpty else { return nil }
        return value
    }

    /// The socket of the identity agent ('embargo unlock'), or nil without a runtime directory.
    static var agentSocket: URL? { IdentityAgent.socket(runtimeDirectory: value("XDG_RUNTIME_DIR")) }

    static var home: URL {
        URL(fileURLWithPath: getenv("HOME").map { String(cString: $0) } ?? NSHomeDirectory())
    }

    static func storeDirectory(_ option: String?) -> URL {
        if let option { return URL(fileURLWithPath: option) }
        if let env = value("EMBARGO_STORE") { return URL(fileURLWithPath: env) }
        let base = value("XDG_DATA_HOME").map { URL(fileURLWithPath: $0) }
            ?? home.appendingPathComponent(".local/share")
        return base.appendingPathComponent("embargo")
    }

    static func identityFile(_ option: String?) -> URL {
        if let option { return URL(fileURLWithPath: option) }
        if let env = value("EMBARGO_IDENTITY") { return URL(fileURLWithPath: env) }
        let base = value("XDG_CONFIG_HOME").map { URL(fileURLWithPath: $0) }
            ?? home.appendingPathComponent(".config")
        return base.appendingPathComponent("embargo/identity")
    }

    /// For commands that open no store (the push guard): a bad setting that
    /// only concerns the store must not stop them.
    static func environment() -> EmbargoKit.Environment {
        EmbargoKit.Environment()
    }

    /// The whole number (at least `minimum`) that the variable `name` holds,
    /// or nil when it is unset; anything else is a usage error.
    private static func number(_ name: String, of unit: String, minimum: Int, default fallback: Int) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), number >= minimum else {
            let bound = minimum > 0 ? " above \(minimum - 1)" : ""
            throw EmbargoError(.usage, "\(name) must be a number of \(unit)\(bound), not '\(text.prefix(40))'",
                               hint: "unset it to use the default (\(fallback))")
        }
        return number
    }

    /// For commands that open or create a store: with the journal policy
    /// (EMBARGO_STORE_JOURNAL_BYTES, EMBARGO_STORE_JOURNAL_ENTRIES) and the
    /// team snapshot interval (EMBARGO_TEAM_SNAPSHOT_EVERY).
    static func storeEnvironment() throws -> EmbargoKit.Environment {
        var environment = environment()
        var policy = JournalPolicy.standard
        if let bytes = try number("EMBARGO_STORE_JOURNAL_BYTES", of: "bytes", minimum: 0, default: policy.minimumDatabaseSize) {
            policy.minimumDatabaseSize = bytes
        }
        if let entries = try number("EMBARGO_STORE_JOURNAL_ENTRIES", of: "entries", minimum: 1, default: policy.maximumEntries) {
            policy.maximumEntries = entries
        }
        environment.journalPolicy = policy
        if let entries = try number("EMBARGO_TEAM_SNAPSHOT_EVERY", of: "entries", minimum: 1, default: Int(environment.teamSnapshotInterval)) {
            environment.teamSnapshotInterval = UInt64(entries)
        }
        environment.stateDirectory = (value("XDG_STATE_HOME").map { URL(fileURLWithPath: $0) }
            ?? home.appendingPathComponent(".local/state")).appendingPathComponent("embargo")
        environment.configDirectory = (value("XDG_CONFIG_HOME").map { URL(fileURLWithPath: $0) }
            ?? home.appendingPathComponent(".config")).appendingPathComponent("embargo")
        return environment
    }
}

/// Diagnostics on standard error through swift-log; quiet unless --verbose.
enum Diagnostics {
    static func logger(verbose: Bool) -> Logger {
        var logger = Logger(label: "embargo") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }
}
