import Foundation

/// A way of describing a fix that points at a security boundary: a remedy
/// verb applied to what the boundary protects ("escape the title", "check
/// access", "validate the redirect destination"), a memory-safety phrase, or
/// an identifier of a security API in a code span. Data, not code: each rule
/// says why it fires and what to write instead.
public struct LintRemedyRule: Sendable, Equatable {
    /// Stable; findings' keys end with it.
    public var id: String
    public var level: LintLevel
    /// A regular expression, matched case-insensitively. Branch, file and
    /// test names are matched as their words separated by spaces.
    public var pattern: String
    /// Expressions for ordinary senses: a match overlapping one is not a finding.
    public var exceptions: [String]
    /// Why the rule fires, for `lint --explain`.
    public var reason: String
    /// What to write instead; passes the linter at the strictest level.
    public var suggestion: String
    /// The kinds of subject the rule reads; empty: all but payloads.
    public var kinds: [LintSubject.Kind]

    public init(_ id: String, level: LintLevel = .hints, pattern: String, exceptions: [String] = [], reason: String,
                suggestion: String, kinds: [LintSubject.Kind] = [])
    {
        self.kinds = kinds
        self.id = id
        self.level = level
        self.pattern = pattern
        self.exceptions = exceptions
        self.reason = reason
        self.suggestion = suggestion
    }
}

public enum LintRemedyRules {
    /// Where no neutral wording of the remedy exists, the user-visible behaviour is.
    static let behaviour = "describe the behaviour users will notice, not the remedy, e.g. 'Fix how block titles are rendered'"

    /// Between a verb and its object: a few words of the same clause.
    private static let gap = "[^.;:\\n]{0,40}?"

    public static let defaults: [LintRemedyRule] = [
        LintRemedyRule(
            "escape-output",
            pattern: "\\b(?:escap|saniti[sz]|html-?encod|strip[_ ]?tags|filter[_ ]?xss)\\w*\\b\(gap)\\b(?:output|html|markup|titles?|attributes?|labels?|captions?|names?|descriptions?|user[- ]\\w+|comments?|messages?|fields?|values?|text)\\b"
                + "|\\bencod\\w*\\b\(gap)\\b(?:html|output|markup|entities|attributes?)\\b"
                + "|\\b(?:strip|filter|remov)\\w*\\b\(gap)\\b(?:script tags?|html tags|event handlers?|on\\w+ attributes?)\\b",
            exceptions: ["\\bescape (?:key|button|hatch|sequences?)\\b", "\\besc key\\b", "\\bescap\\w* (?:the )?(?:regex|regexp|regular expression|backslash|quotes?|shell argument)"],
            reason: "escaping or sanitising output is how cross-site scripting is fixed",
            suggestion: behaviour),
        LintRemedyRule(
            "access-check",
            pattern: "\\b(?:check|checks|checked|checking|requir\\w*|enforc\\w*|verif\\w*|respect\\w*|honou?r\\w*|missing|add\\w*)\\b\(gap)\\b(?:access|permissions?|authori[sz]ation|ownership|capabilit(?:y|ies)|privileges?)\\b(?! (?:log|logs|time|times|pattern|modifier)s?\\b)"
                + "|\\b(?:access|permission|capability|ownership|authori[sz]ation|owner) (?:checks?|checking|control)\\b",
            exceptions: ["\\baccess(?:ibility| log| token for)\\b", "\\bread access to the cache\\b"],
            reason: "an added access or permission check points at an access bypass",
            suggestion: "describe who can do what now as users see it, e.g. 'Fix who sees the settings form'"),
        LintRemedyRule(
            "redirect-url",
            pattern: "\\b(?:validat|restrict|reject|verif|whitelist|allowlist|disallow|sanitiz|saniti[sz])\\w*\\b\(gap)\\b(?:redirects?|destinations?|url schemes?|schemes?|protocols?|hosts?|origins?|filenames?|file names?|uploads?|uploaded files?|paths?|urls?)\\b"
                + "|\\bdangerous protocols?\\b|\\bjavascript: ?urls?\\b",
            reason: "validating a redirect target, URL scheme, host, path or upload points at an open redirect, SSRF or traversal",
            suggestion: "describe where users end up or what they can open, e.g. 'Fix where the login form sends users'"),
        LintRemedyRule(
            "credentials-on-redirect",
            pattern: "\\b(?:clear|drop|strip|remov|forget|discard|reset|stop sending|do not send|don't send)\\w*\\b[^.;\\n]{0,50}?\\b(?:credentials|cookies?|auth\\w*(?: headers?)?|passwords?|proxy-authorization)\\b[^.\\n]{0,60}?\\b(?:redirect\\w*|port|scheme|host|origin)",
            reason: "dropping credentials when a redirect changes host, port or scheme points at a credential leak",
            suggestion: "describe what changes for users following redirects, e.g. 'Fix following redirects to other sites'"),
        LintRemedyRule(
            "verify-peer",
            pattern: "\\b(?:verif|check|validat|enforc|requir)\\w*\\b\(gap)\\b(?:certificates?|certs?|host ?names?|signatures?|ocsp|peer|pinned keys?)\\b"
                + "|\\b(?:certificate|host ?name|signature|peer) (?:verification|validation|checks?)\\b",
            reason: "verifying a certificate, host name or signature points at a spoofing or man-in-the-middle flaw",
            suggestion: "describe what users will notice, e.g. 'Fix connecting to servers with a different name'"),
        LintRemedyRule(
            "control-characters",
            pattern: "\\b(?:reject|strip|disallow|forbid|refus|filter|remov|escap|block|deny|validat|check)\\w*\\b\(gap)\\b(?:control (?:characters?|chars?|codes?|bytes?)|newlines? in (?:headers?|names?|urls?|values?|cookies?)|crlf|cr/?lf|nul (?:bytes?|characters?)|null (?:bytes?|characters?))(?!\\w)",
            reason: "rejecting control characters or NUL bytes points at header or log injection",
            suggestion: "describe the behaviour users will notice, e.g. 'Fix how odd characters in header values are handled'"),
        LintRemedyRule(
            "bound-size",
            pattern: "\\b(?:bound|limit|cap|capped|clamp|restrict|enforc)\\w*\\b\(gap)\\b(?:size|length|depth|recursion|nesting|header count|number of headers|allocations?|decompressed \\w+)\\b"
                + "|\\b(?:maximum|max|upper) (?:recursion|nesting) depth\\b",
            reason: "bounding a size, length or depth points at a denial of service or an overflow",
            suggestion: "describe the behaviour users will notice, e.g. 'Fix handling of very large uploads'"),
        LintRemedyRule(
            "memory-safety",
            pattern: "\\b(?:double[- ]free|over-?read|under-?read|use[- ]after[- ]free|uaf|uninitiali[sz]ed (?:read|memory|values?|variables?|data|bytes?|use|stack)|out[- ]of[- ]bounds?|oob (?:read|write|access)|heap[- ](?:buffer|corruption|overflow|over-?read)|stack[- ](?:buffer|corruption|exhaustion)|buffer (?:overrun|over-?read|underflow|overflow)|integer (?:overflow|underflow|wrap\\w*)|null (?:pointer )?deref\\w*|dangling pointer|memory (?:corruption|safety)|type confusion)\\b",
            reason: "memory-safety wording is how memory corruption flaws are described",
            suggestion: behaviour),
        LintRemedyRule(
            "sandbox",
            pattern: "\\bsandbox\\w*\\b\(gap)\\b(?:restrict\\w*|escap\\w*|flags?|attributes?|polic\\w*|enforc\\w*|tighten\\w*)\\b"
                + "|\\b(?:restrict|tighten|enforc)\\w*\\b\(gap)\\bsandbox\\w*",
            reason: "sandbox restrictions point at a sandbox escape",
            suggestion: behaviour),
        LintRemedyRule(
            "prototype-pollution",
            level: .names,
            pattern: "\\bprototype[- ]pollution\\b|\\bpollut\\w* (?:the |object )?prototypes?\\b|__proto__",
            reason: "prototype pollution names the flaw",
            suggestion: behaviour),
        LintRemedyRule(
            "security-api",
            pattern: "\\bcheck_plain\\b|\\bcheck_markup\\b|\\bcheck_url\\b|\\bfilter_xss\\w*|\\bXss::filter\\w*|\\bHtml::escape\\b|\\bhtmlspecialchars\\b|\\bescapeHtml\\b|\\bhtml_escape\\b|\\bstripDangerousProtocols\\b|\\bhasPermission\\b|\\buser_access\\s*\\(|->access\\s*\\(|\\bisGranted\\b|\\bdenyAccessUnlessGranted\\b",
            reason: "naming an escaping or access-checking function in the message points at what it fixes",
            suggestion: behaviour),
        LintRemedyRule(
            "attack-payload",
            level: .names,
            pattern: ".+",
            reason: "an attack payload in a test or fixture shows what the fix stops",
            suggestion: "move the value into a data provider with a neutral name (e.g. providerBlockTitles), or accept the finding",
            kinds: [.payload]),
    ]
}
