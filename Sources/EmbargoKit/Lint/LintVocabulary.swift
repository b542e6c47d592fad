import Foundation

/// The terms the leak linter looks for: `defaults` plus, for an advisory,
/// its own words (`advisoryTerms`).
public struct LintVocabulary: Sendable, Equatable {
    public var terms: [LintTerm]

    public init(terms: [LintTerm]) {
        self.terms = terms
    }

    /// This vocabulary followed by `other`'s terms, without forms it already has.
    public func adding(_ other: [LintTerm]) -> LintVocabulary {
        var known = Set(terms.flatMap { $0.forms.map { LeakLinter.formWords($0, exact: false) } })
        var result = terms
        for term in other {
            var term = term
            term.forms.removeAll { !known.insert(LeakLinter.formWords($0, exact: false)).inserted }
            if !term.forms.isEmpty || !term.exactForms.isEmpty { result.append(term) }
        }
        return LintVocabulary(terms: result)
    }

    // MARK: The default vocabulary

    private static let describe = "describe the behaviour users will notice, not the problem, e.g. 'Fix how block titles are rendered'"

    /// Words that reveal a vulnerability in any project; README.md lists them.
    ///
    /// Deliberately left out: `sanitize` and `escape` (ordinary words in
    /// rendering code, and the neutral wording we suggest); plain `dos`
    /// (`DOS line endings`), so only `DoS`/`DDoS` in that case; `overflow` in
    /// CSS phrases such as `text-overflow`; `injection` in `dependency injection`.
    public static let defaults = LintVocabulary(terms: [
        LintTerm("security", forms: ["security", "secure", "secured", "securely", "securing", "insecure", "insecurely", "unsecure", "unsecured"],
                 // The file SECURITY.md, a team's name, a CI job's label.
                 exceptions: ["security md", "security txt", "security team", "security teams", "security policy",
                              "security scan", "security scanner", "security scanning", "security checker", "security workflow",
                              "security label", "secure shell", "secure boot"],
                 // Names of components, classes, namespaces, settings and options: SecurityBundle,
                 // SecureTransport, Security\Http, security.firewalls, --insecure.
                 exceptionPatterns: ["\\b(?:Security|Secure)(?:Bundle|Transport|Random|Context|Extension|Component)\\b",
                                     "(?i)\\bsecurity[\\\\/.][a-z]", "(?i)--(?:in)?secure\\b", "remove_entry_secure\\b",
                                     // A component's tag at the start of a subject: [Security], [Security-Http].
                                     "\\[Security(?:-\\w+)?\\]"],
                 suggestion: "say what users will notice, e.g. 'Fix who sees the settings form'"),
        LintTerm("vulnerability", forms: ["vulnerability", "vulnerabilities", "vulnerable", "vuln", "vulns"], suggestion: describe),
        LintTerm("exploit", forms: ["exploit", "exploits", "exploited", "exploiting", "exploitable", "exploitation"], suggestion: describe),
        LintTerm("attack", forms: ["attack", "attacks", "attacked", "attacking", "attacker", "attackers"], suggestion: describe),
        LintTerm("malicious", forms: ["malicious", "maliciously"], suggestion: describe),
        LintTerm("embargo", forms: ["embargo", "embargoed", "embargoes"], suggestion: describe),
        LintTerm("advisory", forms: ["advisory", "advisories"], suggestion: describe),
        LintTerm("CVE", forms: ["cve", "cves"], suggestion: "leave identifiers out; describe what users will notice instead"),
        LintTerm("CWE", forms: ["cwe", "cwes"], suggestion: "leave identifiers out; describe what users will notice instead"),
        LintTerm("CVSS", forms: ["cvss"], suggestion: "leave identifiers out; describe what users will notice instead"),
        LintTerm("GHSA", forms: ["ghsa"], suggestion: "leave identifiers out; describe what users will notice instead"),
        LintTerm("SA-CONTRIB", forms: ["sa-contrib"], suggestion: "leave identifiers out; describe what users will notice instead"),
        LintTerm("SA-CORE", forms: ["sa-core"], suggestion: "leave identifiers out; describe what users will notice instead"),
        // Where reports come from: a bug bounty or a security lab's report id.
        LintTerm("report", forms: ["hackerone", "huntr", "bugcrowd", "ghsl", "zdi", "oss-security"],
                 suggestion: "leave identifiers out; describe what users will notice instead"),
        LintTerm("XSS", forms: ["xss", "cross-site scripting"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix how block titles are rendered'"),
        LintTerm("CSRF", forms: ["csrf", "xsrf", "cross-site request forgery", "request forgery"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix saving the settings form'"),
        LintTerm("SSRF", forms: ["ssrf", "server-side request forgery"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix fetching remote feeds'"),
        LintTerm("injection", forms: ["injection", "injections"],
                 exceptions: ["dependency injection", "constructor injection", "setter injection", "property injection", "service injection",
                              "fault injection", "error injection", "failure injection", "oom injection", "latency injection"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix the search query'"),
        LintTerm("SQLi", forms: ["sqli"], suggestion: "describe the behaviour change instead, e.g. 'Fix the search query'"),
        LintTerm("XXE", forms: ["xxe", "xml external entity", "xml external entities"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix parsing of feeds'"),
        LintTerm("access bypass", forms: ["access bypass"], suggestion: "say what users will notice, e.g. 'Fix who sees the settings form'"),
        LintTerm("bypass", forms: ["bypass", "bypasses", "bypassed", "bypassing"],
                 suggestion: "say what users will notice, e.g. 'Fix who sees the settings form'"),
        LintTerm("unauthorized", forms: ["unauthorized", "unauthorised", "unauthenticated"],
                 // The HTTP 401 answer as a kind of error to handle.
                 exceptions: ["unauthorized error", "unauthorized errors", "unauthorized exception", "unauthorized exceptions",
                              "unauthorised error", "unauthorised errors", "unauthorised exception", "unauthorised exceptions",
                              "unauthenticated error", "unauthenticated errors"],
                 suggestion: "say what users will notice, e.g. 'Fix who sees the settings form'"),
        LintTerm("privilege escalation",
                 forms: ["privilege escalation", "escalation of privilege", "escalation of privileges", "escalate privileges",
                         "elevation of privilege", "elevation of privileges"],
                 suggestion: "say what changed, e.g. 'Only administrators may change roles'"),
        LintTerm("RCE", forms: ["rce", "remote code execution"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix which callbacks the form runs'"),
        LintTerm("arbitrary code", forms: ["arbitrary code", "code execution", "arbitrary command", "arbitrary commands", "command execution"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix which callbacks the form runs'"),
        LintTerm("untrusted search path", forms: ["untrusted search path", "untrusted search paths", "dll hijacking", "dll preloading"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix which program is started on Windows'"),
        LintTerm("file inclusion", forms: ["file inclusion", "lfi", "rfi"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix which templates the theme loads'"),
        LintTerm("arbitrary file access", forms: ["arbitrary file read", "arbitrary file reads", "arbitrary file write", "arbitrary file writes",
                                                  "arbitrary file access", "arbitrary file overwrite", "arbitrary file deletion",
                                                  "arbitrary file upload", "arbitrary file creation", "zip slip", "zipslip"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix downloads from the files directory'"),
        // Plain "traversal" is ordinary (of a tree, of objects); the remedy rule
        // `path-traversal` catches it next to paths and directories.
        LintTerm("traversal", forms: ["path traversal", "directory traversal"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix downloads from the files directory'"),
        LintTerm("overflow", forms: ["overflow", "overflows", "overflowed"],
                 exceptions: ["text-overflow", "overflow-x", "overflow-y", "overflow-wrap", "overflow hidden", "overflow auto",
                              "overflow scroll", "overflow visible", "overflow menu", "overflow the viewport", "overflows the viewport",
                              "overflow the container", "overflows the container", "overflow the screen", "overflows the screen"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix handling of long titles'"),
        LintTerm("DoS", forms: ["denial of service", "denial-of-service", "redos"], exactForms: ["DoS", "DDoS"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix handling of large requests'"),
        LintTerm("hijack", forms: ["hijack", "hijacks", "hijacked", "hijacking", "clickjacking", "clickjack", "takeover"],
                 suggestion: "describe the behaviour change instead, e.g. 'Ask users to log in again after changing their password'"),
        LintTerm("enumeration", forms: ["user enumeration", "username enumeration", "account enumeration", "email enumeration"],
                 suggestion: "describe the behaviour change instead, e.g. 'Show the same message for every failed login'"),
        LintTerm("man-in-the-middle", forms: ["man-in-the-middle", "mitm", "machine-in-the-middle"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix connecting to servers with a different name'"),
        LintTerm("decompression bomb", forms: ["decompression bomb", "decompression bombs", "zip bomb", "billion laughs"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix handling of very large images'"),
        LintTerm("flaw", forms: ["flaw", "flaws", "flawed"], suggestion: describe, level: .hints),
        LintTerm("session fixation", forms: ["session fixation"],
                 suggestion: "describe the behaviour change instead, e.g. 'Ask users to log in again after changing their password'"),
        LintTerm("spoofing", forms: ["spoof", "spoofs", "spoofed", "spoofing"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix the client address shown in logs'"),
        LintTerm("open redirect", forms: ["open redirect", "open redirects"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix where the login form sends users'"),
        LintTerm("disclosure", forms: ["disclosure", "disclosures", "information disclosure", "disclose", "discloses", "disclosed", "disclosing"],
                 exceptions: ["progressive disclosure"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix what the profile page shows to other users'"),
        LintTerm("poisoning", forms: ["poisoning", "cache poisoning"],
                 suggestion: "describe the behaviour change instead, e.g. 'Vary the page cache by language'"),
        LintTerm("brute force", forms: ["brute force", "bruteforce", "brute forcing"],
                 suggestion: "describe the behaviour change instead, e.g. 'Fix repeated login attempts'"),
        LintTerm("backdoor", forms: ["backdoor", "backdoors"], suggestion: describe),
        LintTerm("zero-day", forms: ["zero-day", "0day", "0-day"], suggestion: describe),
        LintTerm("proof of concept", forms: ["proof of concept"], suggestion: describe),
        LintTerm("harden", forms: ["harden", "hardens", "hardened", "hardening"],
                 suggestion: "say what changed, e.g. 'Fix importing malformed dates'"),
    ])

    // MARK: An advisory's own words

    /// Terms from an advisory's own text: each phrase (vulnerability type,
    /// private title, CWE names and the alias CWE names carry in parentheses,
    /// the advisory's ids) and the phrases' significant words: at least five
    /// letters and not in `commonWords`.
    ///
    /// Words in `publicWords` (the words of file names already public in the
    /// project) are left out: they name the component, not the flaw, and a
    /// fix that touches `GreetingBlock.php` can hardly avoid saying "greeting".
    public static func advisoryTerms(vulnerabilityType: String?, privateTitle: String, cweNames: [String], ids: [String],
                                     publicWords: Set<String> = []) -> [LintTerm]
    {
        let phrases = advisoryPhrases(vulnerabilityType: vulnerabilityType, privateTitle: privateTitle, cweNames: cweNames)
        var terms: [LintTerm] = []
        var seen = Set<[String]>()
        func add(_ text: String, suggestion: String) {
            let words = LeakLinter.formWords(text, exact: false)
            guard !words.isEmpty, seen.insert(words).inserted else { return }
            terms.append(LintTerm(text, forms: [text], suggestion: suggestion))
        }
        for id in ids where !id.isEmpty {
            add(id, suggestion: "leave identifiers out; describe what users will notice instead")
        }
        for phrase in phrases {
            let words = LeakLinter.formWords(phrase, exact: false)
            // A one-word phrase is judged as a word below.
            guard words.count > 1 else { continue }
            add(phrase, suggestion: "this is the private wording of the issue; describe what users will notice instead")
        }
        for phrase in phrases {
            for word in LeakLinter.words(phrase) where isSignificant(word) && !publicWords.contains(word) {
                add(word, suggestion: "this word comes from the private wording of the issue; describe what users will notice instead")
            }
        }
        return terms
    }

    /// The vulnerability type, the private title, and the CWE names with the
    /// aliases they carry in parentheses.
    static func advisoryPhrases(vulnerabilityType: String?, privateTitle: String, cweNames: [String]) -> [String] {
        var phrases: [String] = []
        for name in cweNames {
            // "Improper Neutralization ... ('Cross-site Scripting')": the alias is what people write.
            if let alias = name.firstMatch(of: /\(([^()]+)\)/) {
                phrases.append(String(alias.1).trimmingCharacters(in: CharacterSet(charactersIn: "'\" ")))
                phrases.append(name.replacing(/\s*\([^()]*\)/, with: ""))
            } else {
                phrases.append(name)
            }
        }
        return [vulnerabilityType, privateTitle].compactMap { $0 } + phrases
    }

    /// The significant words of the phrases: the only words `advisoryTerms` looks up in `publicWords`.
    static func advisoryWords(vulnerabilityType: String?, privateTitle: String, cweNames: [String]) -> Set<String> {
        Set(advisoryPhrases(vulnerabilityType: vulnerabilityType, privateTitle: privateTitle, cweNames: cweNames)
            .flatMap(LeakLinter.words).filter(isSignificant))
    }

    static func isSignificant(_ word: String) -> Bool {
        word.count >= 5 && !commonWords.contains(word) && !word.allSatisfy(\.isNumber)
    }

    /// Words of five letters or more that are everyday English, everyday
    /// programming (Drupal included), or the boilerplate of CWE names: taken
    /// from an advisory they would flag neutral messages such as "Check access
    /// before showing the settings form".
    public static let commonWords: Set<String> = [
        // English
        "about", "above", "across", "after", "again", "against", "allow", "allowed", "allowing", "allows", "along", "already",
        "always", "among", "another", "anyone", "anything", "around", "based", "because", "become", "before", "being", "below",
        "between", "beyond", "cannot", "could", "cross", "doing", "during", "either", "enough", "every", "everyone", "first",
        "following", "found", "further", "given", "having", "their", "there", "these", "thing", "things", "those", "through",
        "under", "unless", "until", "using", "various", "where", "whether", "which", "while", "within", "without", "would",
        "should", "other", "others", "multiple", "several", "certain", "specific", "possible", "properly", "proper", "incorrectly",
        "correctly", "causes", "caused", "cause", "makes", "making", "might", "never", "often", "still", "since", "single",
        "small", "large", "great", "known", "unknown", "people", "person", "someone", "something", "third", "party",
        // Programming and the web
        "access", "account", "accounts", "action", "actions", "admin", "administer", "administrator", "administrators", "array",
        "attribute", "attributes", "authenticated", "authentication", "authorization", "authorisation", "block", "blocks", "browser",
        "button", "cache", "cached", "callback", "check", "checks", "class", "client", "command", "comment", "comments", "config",
        "configuration", "content", "contents", "context", "controller", "cookie", "cookies", "create", "created", "data",
        "database", "default", "delete", "display", "displayed", "document", "domain", "editor", "element", "elements", "email",
        "endpoint", "endpoints", "entities", "entity", "error", "errors", "event", "events", "field", "fields", "filter", "filters",
        "format", "formatter", "forms", "function", "functions", "handler", "header", "headers", "image", "images", "input", "inputs",
        "label", "labels", "language", "layout", "library", "link", "links", "login", "logout", "manager", "markup", "media",
        "menu", "message", "messages", "method", "methods", "module", "modules", "names", "node", "nodes", "number", "object",
        "objects", "option", "options", "output", "outputs", "owner", "package", "param", "parameter", "parameters", "password",
        "passwords", "pages", "parse", "parser", "parsing", "permission", "permissions", "plugin", "plugins", "point", "query",
        "queries", "queue", "record", "records", "redirect", "redirects", "render", "rendered", "renders", "rendering", "request",
        "requests", "response", "responses", "result", "results", "return", "returns", "route", "routes", "schema", "script",
        "scripts", "search", "server", "service", "services", "session", "sessions", "setting", "settings", "source", "storage",
        "stored", "string", "strings", "style", "submit", "system", "table", "template", "templates", "tests", "theme", "themes",
        "title", "titles", "token", "tokens", "update", "updates", "upload", "uploads", "users", "validate", "validation",
        "value", "values", "variable", "version", "versions", "views", "widget", "widgets", "window", "write", "project", "projects",
        "drupal", "release", "releases", "escape", "escaped", "escaping", "encode", "encoded", "encoding", "sanitize", "sanitized",
        "sanitise", "sanitised", "upgrade", "contrib", "plain", "files", "index", "items", "model", "models", "prompt",
        "prompts", "provider", "providers",
        // CWE name boilerplate
        "improper", "improperly", "incorrect", "missing", "insufficient", "inefficient", "uncontrolled", "unrestricted",
        "neutralization", "special", "generation", "downstream", "component", "components", "restriction", "limitation",
        "pathname", "restricted", "directory", "control", "controlled", "management", "critical", "resource", "resources",
        "assignment", "external", "reference", "references", "dangerous", "expiration", "allocation", "limits", "throttling",
        "consumption", "transmission", "sensitive", "information", "actor", "trusted", "credentials", "certificate", "modification", "expression", "regular", "complexity", "engine", "prompting", "layers",
        "frames", "prototype", "privilege", "privileges", "insertion", "valid", "validity", "initialization", "algorithm", "cryptographic", "broken", "risky",
    ]
}
