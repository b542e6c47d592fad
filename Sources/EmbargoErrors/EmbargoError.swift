import TerminalText

/// What kind of failure an error is; decides the process exit code.
public enum FailureKind: Sendable, Equatable {
    /// 1: any failure not listed below.
    case failure
    /// 3: refused by policy (embargo not lifted, window violated, role not allowed).
    case refused
    /// 4: verification failed (tampered store, checksum or signature mismatch).
    case verification
    /// 5: access denied (no identity, not a member, wrong passphrase).
    case accessDenied
    /// 64: the command line itself is wrong.
    case usage

    public var exitCode: Int32 {
        switch self {
        case .failure: return 1
        case .refused: return 3
        case .verification: return 4
        case .accessDenied: return 5
        case .usage: return 64
        }
    }
}

/// The one error type users see: a one-line message, an optional hint naming
/// the fix, and the kind that selects the exit code. Messages never carry
/// secrets or embargoed text.
///
/// ```swift
/// throw EmbargoError(.failure, "advisory ADV-2026-004 not found",
///                    hint: "run 'embargo advisory list' to see known ids")
/// ```
public struct EmbargoError: Error, Equatable, CustomStringConvertible, Sendable {
    public var kind: FailureKind
    public var message: String
    public var hint: String?

    public init(_ kind: FailureKind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    public var description: String {
        hint.map { "\(message) (hint: \($0))" } ?? message
    }
}

extension EmbargoError {
    /// A value someone gave (an id, a name), as a message quotes it: on one
    /// line (`TerminalText.line` shows a line break as `\n`) and cut after
    /// `limit` characters, so that the error stays one readable line whatever was typed.
    public static func quoted(_ value: some StringProtocol, limit: Int = 80) -> String {
        TerminalText.line(String(value.prefix(limit))) + (value.count > limit ? "…" : "")
    }
}
