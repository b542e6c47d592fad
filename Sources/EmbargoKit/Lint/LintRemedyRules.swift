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

    /// Between a verb and its object: a few words of the same clause. A dot
    /// inside a name (`ImageFont.MAX_SIZE`, `yaml.safe_load`) does not end it.
    private static let gap = "(?:[^.;:\\n]|\\.(?=\\w)){0,40}?"
    /// Words that say something no longer happens.
    private static let negation = "don't|do not|never|no longer|stop|avoid|prevent"
    /// Words that refuse or no longer do something.
    private static let refusal = "don't|do not|doesn't|does not|never|no longer|stop|avoid|prevent|disallow|forbid|prohibit|refuse|reject|deny|block|ban|bans|banned|banning"
    /// What must stay out of logs and responses.
    private static let secrets = "passwords?|secrets?|(?:api |access |auth |session |csrf |bearer )?tokens?|credentials?|api keys?|private keys?|session ids?|password hash\\w*|key(?:ing)? material"
    /// How a program fails on input it cannot read, and what such input is called.
    private static let failure = "crash\\w*|hangs?|hanging|infinite loops?|segfaults?|segmentation faults?|aborts?|panic\\w*|check[- ]fail\\w*"
    /// What a program that serves others is, when a single input can stop it.
    private static let service = "server|daemon|controller|application|proxy|agent"
    private static let badInput = "malformed|crafted|corrupt\\w*|truncated|untrusted|hostile"
    /// What must not leak: secrets, private data, what other users have, and what reveals it.
    private static let leaked = "credentials?|secrets?|tokens?|passwords?|keys?|cookies?|auth\\w*|information|info|data"
        + "|environment|addresse?s?|e-?mails?|user\\w*|private|sensitive|personal|headers?|memory contents|contents|cross-\\w+|across \\w+"
        + "|between \\w+|counts?|lengths?|sizes?|existence|whether|timing|to (?:other|another|unauthori[sz]ed)"

    public static let defaults: [LintRemedyRule] = [
        LintRemedyRule(
            "escape-output",
            pattern: "\\b(?:escap|saniti[sz]|html-?encod|strip[_ ]?tags|filter[_ ]?xss)\\w*\\b\(gap)\\b(?:output|html|markup|titles?|attributes?|labels?|captions?|names?|descriptions?|user[- ]\\w+|comments?|messages?|fields?|values?|text|input|formulas?|entities|help text|(?:glob|wildcard) (?:characters?|chars|metacharacters))\\b"
                + "|\\bencod\\w*\\b\(gap)\\b(?:html|output|markup|entities|attributes?)\\b"
                + "|\\b(?:strip|filter|remov)\\w*\\b\(gap)\\b(?:script tags?|html tags|event handlers?|on\\w+ attributes?|javascript:? ?urls?)\\b"
                + "|\\bauto-?escap\\w*|\\b(?:html|output|url|input|markup)[- ](?:escaping|saniti[sz]\\w*|encoding)\\b"
                + "|\\bsaniti[sz](?:e|es|ed|ing|ation|er)?\\b|\\bsaniti[sz]e\\w+"
                + "|\\bescap\\w*\\b\(gap)\\bin (?:the )?(?:\\w+ ){0,3}(?:render\\w*|templates?|output|html|pages?|views?)\\b|\\bescap\\w* (?:the )?(?:f(?:ile)?names?|file names?)\\b",
            exceptions: ["\\bescape (?:key|button|hatch|sequences?)\\b", "\\besc key\\b", "\\bescap\\w* (?:the )?(?:regex|regexp|regular expression|backslash|quotes?|shell argument)",
                         "(?:address|memory|thread|undefined[- ]behaviou?r|ub|leak)[- ]?saniti[sz]ers?\\b", "\\b(?:clang|gcc|llvm|compiler)[- ]?saniti[sz]ers?\\b",
                         "\\bsanitizers? (?:instrumentation|builds?|flags?|jobs?|runs?|ci)\\b", "\\bsanitizers? (?:in|for|on) (?:the )?(?:ci|nightly|(?:\\w+ )?builds?)\\b",
                         "\\bf(?:no-)?sanitize\\b", "\\bsql[: -]sanitize\\b", "\\b(?:unnecessary|double|redundant|extra|over)[- ]?escap\\w*",
                         "\\bescap\\w* (?:of )?(?:the )?(?:percent|dollar|backslash|ampersand|quote|brace|pipe)\\w*"],
            reason: "escaping or sanitising output is how cross-site scripting is fixed",
            suggestion: behaviour),
        LintRemedyRule(
            "access-check",
            pattern: "\\b(?:check|checks|checked|checking|requir\\w*|enforc\\w*|verif\\w*|respect\\w*|honou?r\\w*|missing|add\\w*|restrict\\w*)\\b\(gap)\\b(?:access|permissions?|authori[sz]ation|authz|ownership|capabilit(?:y|ies)|privileges?|origins?)\\b(?! (?:log|logs|time|times|pattern|modifier)s?\\b)"
                + "|\\b(?:access|permission|capability|ownership|authori[sz]ation|owner|origin) (?:checks?|checking|control)\\b"
                + "|\\b(?:no|without|lacks?|lacking|insufficient) (?:\\w+ )?(?:access|permissions?|privileges?)\\b"
                + "|\\baccess ?denied\\w*|\\b(?:requir|enforc)\\w*\\b\(gap)\\b(?:auth|authentication|authn|authz)\\b|\\bauth\\w* (?:rules? )?(?:checks?|checking)\\b"
                + "|\\b(?:authentication|authori[sz]ation|authn|authz) (?:middleware|bugs?|layer|guards?)\\b|\\b(?:authori[sz]ation|authz) (?:filters?|interceptors?)\\b"
                + "|\\bfix\\w*\\b\(gap)\\b(?:authentication|authori[sz]ation|authz|access control)\\b(?! headers?)|\\bscoped (?:tokens?|credentials?)\\b"
                + "|\\bcross[- ]?(?:namespaces?|tenants?)\\b|\\b(?:namespace|tenant) (?:isolation|scop\\w*|boundar\\w*)\\b|\\bscope\\w*\\b\(gap)\\bto (?:the |its |their )?(?:namespace|tenant|owner)\\b"
                + "|\\b(?:if|when|unless|only if) (?:the )?(?:user|caller|requester|member)s? (?:has|have) (?:\\w+ )?(?:write|read|admin|edit) (?:access|permissions?)\\b"
                + "|\\bcheck\\w*\\b (?:if|whether|that) (?:the )?(?:user|caller|command|requester|account|client)s? (?:is|are) (?:allowed|permitted|authori[sz]ed)\\b"
                + "|\\b(?:disallow|prevent|forbid|refus)\\w*\\b (?:\\w+ ){0,2}?(?:non-?admins?|admin (?:users?|accounts?)|anonymous users?)\\b|\\btrust boundar(?:y|ies)\\b",
            // Granting the software itself a permission (RBAC, IAM, a CI job's) is everyday operations work.
            exceptions: ["\\baccess(?:ibility| log| token for)\\b", "\\b(?:hash|array|memory|field|member|index|element|map|dict\\w*|struct|slot|variable|register|list|random|sequential) access\\b", "\\bread access to the cache\\b",
                         "\\b(?:rbac|iam|github|github[_ ]token|actions?|workflows?|jobs?|ci|docker|packages|cluster ?roles?|service ?accounts?) permissions?\\b",
                         "\\badd\\w* (?:the |a |missing )?(?:\\w+ ){0,2}permissions? (?:to|for) (?!check)",
                         "\\bpermissions? (?:blocks?|for (?:the )?(?:github )?workflows?)\\b",
                         // Permission to use someone's work, and a file mode passed as a parameter.
                         "\\bwith (?:their |his |her |the author's )?permission\\b(?! (?:checks?|to access))",
                         "\\b(?:optional )?permission (?:parameter|argument|bits|mode)s?\\b"],
            reason: "an added access or permission check points at an access bypass",
            suggestion: "describe who can do what now as users see it, e.g. 'Fix who sees the settings form'"),
        LintRemedyRule(
            "verify-peer",
            pattern: "\\b(?:verif|check|validat|enforc|requir|refus|reject|ignor|forc)\\w*\\b\(gap)\\b(?:ekus?|extended key usages?|key usages?|certificates?|certs?|host ?names?|signatures?|signed|ocsp|peer|pinned keys?|host keys?|wildcard)\\b"
                + "|\\b(?:certificate|cert|host ?name|signature|peer|wildcard) (?:verification|validation|checks?|checking|matching|matches)\\b"
                + "|\\bocsp\\b|\\bhsts checks?\\b|\\brequir\\w* (?:tls|ssl|https|encryption)\\b|\\bconstant[- ]time\\b|\\btiming-safe\\b"
                + "|\\b(?:ssl|tls)[- ]?verify\\b|\\b(?:reus\\w*|unique|random|repeat\\w*|predictable)\\b[^.;:\\n]{0,20}?\\bnonces?\\b|\\bnonces?\\b[^.;:\\n]{0,30}?\\b(?:gcm|aead|chacha\\w*|ciphers?|reuse)\\b|\\b(?:default|weak|insecure|legacy) ciphers?\\b"
                + "|\\b(?:requir|enforc|verif|check|add)\\w*\\b\(gap)\\bsigned (?:requests?|assertions?|responses?|authn ?requests?|tokens?|urls?|cookies?|payloads?)\\b"
                // A floor under the protocol version, and encryption set up before anything is sent.
                + "|\\bmin(?:imum)?[ _-]?(?:tls[ _-]?|ssl[ _-]?|protocol[ _-]?)?version\\b[^.;:\\n]{0,30}?\\b(?:version ?)?tls ?v?1[._]?[0-3]\\b"
                + "|\\b(?:disabl|drop|remov|reject|refus|disallow|deprecat)\\w*\\b\(gap)\\b(?:tls ?v?1[._]?[01]|ssl ?v?[23])\\b(?![.]\\d)|\\b(?:requir|enforc)\\w*\\b\(gap)\\btls ?v?1[._]?[23]\\b"
                + "|\\b(?:establish|set ?up|negotiat|complet|finish|perform)\\w* (?:the |an? )?(?:\\w+ )?(?:encryption|encrypted (?:channel|connection|session)|tls|handshake|authentication|key exchange)\\b(?: layer| channel)?[^.;:\\n]{0,20}?\\bbefore (?:send|transfer|exchang|shar|reveal|expos|forward|process|read|accept)\\w*",
            // The signature of a function is code.
            exceptions: ["\\b(?:function|method|type|call|constructor|interface|callback|handler|api|func|closure|trait) signatures?\\b"],
            reason: "verifying a certificate, its key usage, a host name or a signature, choosing ciphers, protocol versions and nonces, or encrypting before anything is sent points at a spoofing, man-in-the-middle or broken-encryption flaw",
            suggestion: "describe what users will notice, e.g. 'Fix connecting to servers with a different name'"),
        LintRemedyRule(
            "redirect-url",
            pattern: "\\b(?:validat|restrict|reject|verif|whitelist|allowlist|disallow|sanitiz|saniti[sz]|filter)\\w*\\b\(gap)\\b(?:redirects?|redirect targets?|destinations?|url schemes?|schemes?|protocols?|hosts?|host ?names?|origins?|filenames?|file names?|uploads?|uploaded files?|paths?|urls?)\\b"
                + "|\\b(?:clean(?:s|ed|ing)?|normali[sz](?:e|es|ed|ing)|canonicali[sz](?:e|es|ed|ing))\\b\(gap)\\b(?:request |url |uri )?paths?\\b|\\b(?:enforc\\w*|requir\\w*|tighten\\w*|stricter)\\b\(gap)\\b(?:url|uri|redirect|scheme|origin) (?:validation|verification|checks?)\\b"
                + "|\\b(?:fully )?(?:resolved|canonical|expanded) (?:file )?paths?\\b[^.;:\\n]{0,40}?\\b(?:(?:is|are|stays?|lies) (?:inside|within|under)|before serving|(?:can|may|is allowed to) be served)\\b"
                + "|\\bip (?:range )?(?:block|deny|allow|black|white)list\\w*|\\bdangerous protocols?\\b|\\bjavascript: ?urls?\\b|\\bbad redirect"
                // The same remedy said of the path ("request path normalized"), and separators hidden by encoding.
                + "|\\b(?:request |url |uri )?paths? (?:is |are |gets? |now |always )*(?:normali[sz]ed|canonicali[sz]ed)\\b|\\b(?:request|url|uri) paths? (?:is |are |gets? |now |always )*cleaned\\b"
                + "|\\b(?:url|percent|double)[- ]?encoded (?:forward |back)?(?:slash\\w*|dots?|(?:path )?separators?|null bytes?|nul bytes?|dot-?dots?)",
            // A URL that must not be nil and a health check's path are everyday checks.
            exceptions: ["\\b(?:error|code|hot|fast|slow|exit|search|class|import|include|lookup) paths?\\b",
                         "\\b(?:urls?|paths?|hosts?) (?:is|are) (?:non-?)?(?:nil|null|empty|set)\\b", "\\b(?:healthcheck|health check|probe|metrics) (?:paths?|urls?)\\b"],
            reason: "validating a redirect target, URL scheme, host, path or upload, normalising a request path or decoding its encoded separators points at an open redirect, SSRF or traversal",
            suggestion: "describe where users end up or what they can open, e.g. 'Fix where the login form sends users'"),
        LintRemedyRule(
            "leak",
            level: .names,
            pattern: "\\bleak(?:s|ed|ing|age)?\\b[^.;:\\n]{0,30}?\\b(?:\(leaked))\\b|\\b(?:\(leaked))(?: [\\w-]+){0,2} leak(?:s|ed|ing|age)?\\b",
            // Resources, handles and abstractions leak too: ordinary bugs.
            exceptions: ["\\b(?:memory|goroutine|thread|fd|file descriptor|handle|socket|connection|resource|tty|pipe|process)s? leak\\w*",
                         "\\bleak\\w* (?:of )?(?:the )?(?:memory|goroutines?|threads?|fds?|file descriptors?|handles?|sockets?|connections?)\\b",
                         "\\bref(?:erence)?[- ]?counts?\\b", "\\bleak (?:sanitizer|check\\w*)\\b", "\\b(?:test|fixture) data\\b"],
            reason: "something secret, private or about other users leaking names an information disclosure",
            suggestion: "describe the behaviour change instead, e.g. 'Fix what the profile page shows to other users'"),
        LintRemedyRule(
            "path-containment",
            pattern: "\\b(?:outside|out) of (?:the )?(?:\\w+ ){0,2}(?:director(?:y|ies)|folders?|root|paths?|base ?dir\\w*)\\b|\\bbreak\\w* out of\\b"
                + "|\\b(?:\(negation)|block|disallow|refus)\\w*\\b\(gap)\\barbitrary (?:files?|paths?|templates?)\\b[^.;:\\n]{0,20}?\\b(?:read|served|rendered|included|accessed|downloaded|opened|reading|serving|rendering|including|accessing)\\b"
                + "|\\bsafe(?:ly)?[- ]?(?:extract|unpack|untar|unzip)\\w*|\\b(?:extract|unpack|untar|unzip)\\w*\\b\(gap)\\bsafely\\b",
            // A code path is not a directory.
            exceptions: ["\\b(?:fast|slow|hot|code|critical|happy|error|data|execution|common) paths?\\b"],
            reason: "keeping file access inside a directory points at a path traversal",
            suggestion: "describe what users can open, e.g. 'Fix downloads from the files directory'"),
        LintRemedyRule(
            "path-traversal",
            level: .names,
            pattern: "\\b(?:path|directory|drive|folder|file|dot-?dot)s? traversals?\\b|\\btraversals?\\b[^.;:\\n]{0,30}\\b(?:paths?|director(?:y|ies)|files?|folders?|attacks?)\\b",
            reason: "a traversal of paths or directories names the flaw",
            suggestion: "describe the behaviour change instead, e.g. 'Fix downloads from the files directory'"),
        LintRemedyRule(
            "credentials-on-redirect",
            pattern: "\\b(?:clear|drop|strip|remov|forget|discard|reset|flush|prevent|stop sending|do not send|don't send)\\w*\\b[^.;\\n]{0,50}?\\b(?:credentials|cookies?|auth\\w*(?: headers?)?|passwords?|proxy-authorization|bearer)\\b[^.\\n]{0,60}?\\b(?:redirect\\w*|port|scheme|host|origin|switch\\w*)"
                + "|\\bcredentials? changes?\\b|\\bon (?:origin|host|port|scheme)(?: or \\w+)? changes?\\b|\\bheaders?\\b[^.;\\n]{0,20}\\b(?:on|in|across|after) (?:cross-origin )?redirects?\\b|\\bonly send\\w*\\b\(gap)\\b(?:bearer|credentials|auth\\w*|cookies?|passwords?|tokens?)\\b|\\bcross-(?:origin|domain)\\b"
                + "|\\b(?:strip|drop|remov|clear)\\w*\\b\(gap)\\bauthori[sz]ation headers?\\b[^.;:\\n]{0,60}?\\b(?:redirect\\w*|host|origin|cross-origin|(?:base|root) url)\\b",
            reason: "dropping credentials when a redirect changes host, port or scheme points at a credential leak",
            suggestion: "describe what changes for users following redirects, e.g. 'Fix following redirects to other sites'"),
        LintRemedyRule(
            "clear-credentials",
            pattern: "\\b(?:clear|wipe|flush|forget|zero|scrub)\\w*\\b\(gap)\\b(?:credentials?|passwords?|proxy auth\\w*|auth(?:entication)? (?:state|data|properties|info\\w*)|secrets?|private keys?)\\b"
                + "|\\bre-?us\\w*\\b\(gap)\\b(?:credentials|username|password|log-?in|client cert\\w*|auth\\w*|identical sessions?)\\b"
                + "|\\b(?:empty|blank) passwords?\\b",
            // A "forgot password" page and cleartext are not clearing credentials.
            exceptions: ["\\bforg[eo]t(?:ten)?[- ](?:your |the |my )?password\\b", "\\bclear[- ]?text\\b"],
            reason: "clearing credentials or matching them before reusing a connection points at a credential leak or an authentication bypass",
            suggestion: "describe what changes for users, e.g. 'Fix switching between accounts'"),
        LintRemedyRule(
            "session-handling",
            pattern: "\\b(?:migrat|regenerat|renew|invalidat|rotat)\\w*\\b\(gap)\\bsessions?\\b|\\bnew session on (?:log-?in|auth\\w*)|\\bsession (?:timeout|expiry|expiration)\\b"
                + "|\\b(?:ensur|enforc|respect|honou?r|maintain|check|verif|validat)\\w*\\b\(gap)\\b(?:tokens?|sessions?|cookies?|certificates?|links?) (?:expir\\w*|lifetime|revocation|validity)\\b"
                + "|\\b(?:expired|revoked) (?:tokens?|sessions?|certificates?|links?)\\b|\\bsession restrictions?\\b"
                + "|\\b(?:log ?out|sign ?out|(?:log|sign) (?:\\w+ ){1,3}out|(?:invalidat|revok|expir|destroy|terminat)\\w* (?:\\w+ ){0,3}?(?:sessions?|tokens?|devices?))\\b[^.;:\\n]{0,30}?\\b(?:on|after|when|upon) (?:a |the )?(?:user'?s? )?password (?:changes?|resets?|updates?)\\b",
            // Making the session timeout configurable is a setting.
            exceptions: ["\\bsession timeouts?\\b[^.;:\\n]{0,20}\\bconfigur\\w*", "\\bconfigur\\w*\\b[^.;:\\n]{0,20}\\bsession timeouts?\\b"],
            reason: "renewing or expiring sessions points at session fixation or hijacking",
            suggestion: "describe what users will notice, e.g. 'Ask users to log in again after changing their password'"),
        LintRemedyRule(
            "trusted-headers",
            pattern: "\\btrusted[ _]?(?:prox(?:y|ies)|headers?|hosts?)\\b|\\bx-forwarded-(?:host|for|proto|port)\\b|\\b(?:private|internal|hop-by-hop|sensitive|connection) headers?\\b|\\bheaders? with internal\\b",
            reason: "which proxy headers are trusted, or kept out of a cache, points at spoofing or cache poisoning",
            suggestion: "describe what users will notice, e.g. 'Fix the client address shown in logs'"),
        LintRemedyRule(
            "control-characters",
            pattern: "\\b(?:reject|strip|disallow|forbid|refus|filter|remov|escap|block|deny|validat|check|contain|encod|percent-encod)\\w*\\b\(gap)\\b(?:control (?:characters?|chars?|codes?|bytes?)|invalid characters|newlines? in (?:headers?|names?|urls?|values?|cookies?)|crlfs?|cr/?lf|nul (?:bytes?|characters?)|null (?:bytes?|characters?))(?!\\w)"
                + "|\\b(?:reject|disallow|forbid|refus|deny|escap)\\w*\\b\(gap)\\bnon[- ]?printable (?:characters?|chars?|bytes?)\\b|\\bonly (?:accept|allow)\\w*\\b\(gap)\\b(?:ascii|printable)\\b",
            reason: "rejecting control characters or NUL bytes points at header or log injection",
            suggestion: "describe the behaviour users will notice, e.g. 'Fix how odd characters in header values are handled'"),
        LintRemedyRule(
            "http-framing",
            pattern: "\\b(?:invalid|duplicate|multiple|conflicting|both) (?:content-length|transfer-encoding)\\b|\\bcontent-length\\b[^.\\n]{0,40}\\btransfer-encoding\\b"
                + "|\\bvalidation (?:in|of) (?:the )?http (?:parser|requests?|headers?)\\b|\\b(?:http )?method (?:validation|override)\\b"
                + "|\\b(?:check|validat|verif|requir|enforc)\\w*\\b\(gap)\\bcontent-?types?\\b",
            reason: "stricter HTTP framing points at request smuggling",
            suggestion: "describe the behaviour users will notice, e.g. 'Fix parsing of unusual requests'"),
        LintRemedyRule(
            "bound-size",
            pattern: "\\b(?:bound|limit|cap|capped|clamp|restrict|enforc)\\w*\\b\(gap)\\b(?:size|length|depth|recursion|nesting|header count|number of headers|allocations?|decompressed \\w+|(?:maximum )?output from decompress\\w*|buffer(?:ed)? (?:size|data))\\b"
                + "|\\b(?:add|set|impos|introduc|put)\\w*\\b (?:a |an )?(?:\\w+ )?(?:limit|cap|bound)s? (?:to|on|for)\\b|\\b(?:imposed?|had|has|have|with) no (?:\\w+ )?(?:limit|bound)s? (?:on|to)\\b"
                + "|\\b(?:maximum|max|upper) (?:recursion|nesting) depth\\b|\\b(?:deep|unbounded|infinite|excessive|uncontrolled|unlimited) (?:recursion|nesting)\\b"
                + "|\\b(?:add|set|defin|introduc|enforc|apply|impos)\\w*\\b\(gap)\\b(?:max(?:imum)?|upper|size|field|length|input) (?:sizes?|limits?|lengths?)\\b"
                + "|\\b(?:add|defin|introduc)\\w*\\b\(gap)\\bmax(?:imum)?\\b(?: \\w+)? (?:length|size|depth)s?\\b|\\blargest acceptable\\b"
                + "|\\b(?:raise|reject|refus|error|fail|bail|deny|catch|return error)\\w*\\b[^.;:\\n]{0,50}\\b(?:too (?:long|large|big|many|deep)|overly long)\\b"
                + "|\\b(?:don't|do not|doesn't|does not|to) fit\\b|\\bfits? in (?:the )?(?:\\w+ )?buffer\\b"
                + "|\\b(?:add|apply|enforc|introduc|implement)\\w*\\b\(gap)\\b(?:rate[- ]?limit\\w*|throttl\\w*)|\\b(?:api|login|auth\\w*|request|password)[- ](?:throttl\\w*|rate[- ]?limit\\w*)"
                // Making something unbounded, showing an upload limit or reading large payloads is everyday work.
                + "|\\b(?:don't|do not|never|no longer|stop|avoid\\w*|prevent\\w*|disallow\\w*|shouldn't|should not|not|no)\\b[^.;:\\n]{0,30}?\\bunbounded\\b|\\bdecompression (?:size )?limits?\\b"
                + "|\\b(?:add\\w*|enforc\\w*|apply\\w*|introduc\\w*|respect\\w*|honou?r\\w*|use)\\b\(gap)\\b(?:body|request|upload|payload|message|frame) (?:size )?limits?\\b"
                + "|\\bunbounded (?:parameter |param |header |body |input )?(?:pars\\w*|allocations?)\\b"
                + "|\\b(?:\(negation)|refus\\w*|reject\\w*)\\b (?:\\w+ )?(?:pars|read|accept|allocat)\\w* (?:\\w+ )?(?:large|huge|oversized) (?:sizes?|lengths?|messages?|payloads?|bodies|requests?)\\b"
                + "|\\b(?:add|adds|added|adding|introduc\\w*|enforc\\w*)\\b (?:an? |the )?(?:\\w+ )?(?:handshake|read|read header|header read|idle|connection) ?timeouts?\\b"
                + "|\\b(?:add|set|enforc|introduc)\\w* (?:a |an )?(?:\\w+ )?timeouts? (?:to|for|on) (?:the )?[^.;:\\n]{0,30}?\\bhandshakes?\\b",
            // Retry and heap limits are everyday operations.
            exceptions: ["\\bretry limits?\\b", "\\bheap limit\\b"],
            reason: "bounding a size, length, depth, rate or time points at a denial of service, an overflow or brute force",
            suggestion: "describe the behaviour users will notice, e.g. 'Fix handling of very large uploads'"),
        LintRemedyRule(
            "memory-corruption",
            level: .names,
            pattern: "\\b(?:use[- ]after[- ]free|read-after-free|out[- ]of[- ]bounds (?:reads?|writes?|access\\w*)|oob (?:read|write)s?|heap[- ](?:buffer[- ])?(?:overflow|corruption|over-?reads?)|stack[- ]buffer[- ]overflow|memory corruption|type confusion)\\b",
            reason: "use after free, out-of-bounds access, heap overflow and memory corruption are names of vulnerability classes",
            suggestion: behaviour),
        LintRemedyRule(
            "memory-safety",
            pattern: "\\b(?:double[- ]free|over-?reads?|under-?reads?|use[- ]after[- ](?:free|scope|return)|uaf|uninitiali[sz]ed (?:read|memory|values?|variables?|data|bytes?|use|stack|contents?)|out[- ]of[- ]bounds?|oob (?:read|write|access)|heap[- ](?:buffer|corruption|overflow|over-?read)|stack[- ](?:buffer|corruption|exhaustion)|buffer (?:overruns?|over-?reads?|underflows?|overflows?|overwrites?)|overruns? the \\w+ buffer|integer (?:overflow|underflow|wrap\\w*)|null (?:pointer )?deref\\w*|dangling pointer|memory (?:corruption|safety)|type confusion)\\b|\\b(?:may|might|can|could|still|would) (?:\\w+ )?(?:refer|point)(?:s|ing)? (?:to )?(?:already[- ])?freed (?:objects?|memory|pointers?|buffers?|values?)\\b",
            reason: "memory-safety wording is how memory corruption flaws are described",
            suggestion: behaviour),
        LintRemedyRule(
            "sandbox",
            pattern: "\\bsandbox\\w*\\b\(gap)\\b(?:restrict\\w*|escap\\w*|flags?|attributes?|polic\\w*|enforc\\w*|tighten\\w*)\\b"
                + "|\\b(?:restrict|tighten|enforc)\\w*\\b\(gap)\\bsandbox\\w*|\\bcsp sandbox\\w*|\\b(?:apply|add|enforc|set)\\w*\\b\(gap)\\b(?:csp|content-security-policy)\\b"
                + "|\\b(?:untrusted|user[- ](?:submitted|supplied|provided|controlled)) (?:input|data|content|values?|types?|strings?|files?|html|markup)\\b"
                + "|\\b(?:prevent|forbid|disallow|reject|restrict)\\w*\\b[^.;:\\n]{0,60}?\\b(?:unserializ|deserializ)\\w*"
                + "|\\bvalidat\\w*\\b\(gap)\\bbefore (?:unmarshal|pars|decod|deseriali[sz]|unserializ)\\w*",
            reason: "sandboxing untrusted content or refusing to unserialise it points at code execution or a sandbox escape",
            suggestion: behaviour),
        LintRemedyRule(
            "injection",
            level: .names,
            pattern: "\\binject(?:s|ed|ing)?\\b[^.;:\\n]{0,30}\\b(?:headers?|html|scripts?|sql|code|commands?|javascript|js|markup|newlines?|crlf|payloads?)\\b",
            reason: "injecting headers, markup, code or commands names the flaw",
            suggestion: "describe the behaviour change instead, e.g. 'Fix the search query'"),
        LintRemedyRule(
            "security-branch",
            level: .names,
            pattern: "\\bfrom [\\w.-]+/(?:security|vuln\\w*|cve|ghsa)\\b|\\b(?:branch|from) '?(?:security|vuln\\w*)[/_-]|\\bfrom [\\w.-]+/[\\w.-]*?\\bsec-(?:issues?|fix(?:es)?|bugs?)\\b",
            reason: "a merged branch named for security work is public, and names what the merge fixes",
            suggestion: "name the branch after the behaviour it changes, e.g. fix-block-titles"),
        LintRemedyRule(
            "advisory-fork-merge",
            pattern: "^merge commit from fork\\b",
            reason: "'Merge commit from fork' is the title GitHub gives to merging a security advisory's private fork, and people watching repositories search for it",
            suggestion: "give the merge a title that says what changes for users, e.g. 'Fix how block titles are rendered'",
            kinds: [.message]),
        LintRemedyRule(
            "input-validation",
            // Drupal's tokens, strict config schema and extra form validation are everyday work.
            pattern: "\\bstricter (?:\\w+ ){0,2}validations?\\b"
                + "|\\b(?:validat|verif)\\w*\\b[^.;:\\n]{0,30}?\\b(?:jwts?|jws|jwe|(?:access|id|bearer|session|csrf|auth\\w*|subject|refresh) tokens?|saml assertions?|assertions?|claims?|uid ?/ ?gid|uids? and gids?|entitlements?|thresholds?)\\b"
                + "|\\b(?:jwt|jws|jwe|token|assertion|claims?) (?:validation|verification)\\b|\\b\\w*validat\\w*token\\w*",
            reason: "adding or tightening validation of tokens, identities or entitlements points at a way past a check",
            suggestion: behaviour),
        LintRemedyRule(
            "prototype-pollution",
            level: .names,
            pattern: "\\bprototype[- ]pollution\\b|\\bpollut\\w* (?:the |object )?prototypes?\\b|__proto__",
            reason: "prototype pollution names the flaw",
            suggestion: behaviour),
        LintRemedyRule(
            "secret-exposure",
            pattern: "\\b(?:redact|mask|obfuscat|censor|scrub|hide|hiding)\\w*\\b\(gap)\\b(?:\(secrets))\\b"
                + "|\\b(?:passwords?|password hash(?:es)?|secrets?|private keys?|key(?:ing)? material) (?:removal|redaction|masking|scrubbing)\\b"
                + "|\\b(?:filter|mask|redact|scrub|strip|remov)\\w*\\b\(gap)\\b(?:sensitive|secret|confidential) (?:parameters?|params|data|values?|information|info)\\b[^.;:\\n]{0,30}?\\b(?:from|in|out of) (?:the )?(?:\\w+ ){0,2}(?:logs?|logging|responses?|errors?|output|exceptions?)\\b"
                + "|\\b(?:strip|remov|scrub)\\w*\\b\(gap)\\b(?:exif|gps) (?:data|metadata|tags?|info\\w*)\\b[^.;:\\n]{0,20}?\\bfrom (?:the )?(?:\\w+ )?(?:uploads?|uploaded|images?|photos?|pictures?|attachments?)\\b"
                + "|\\b(?:remov|hid|strip|redact|omit)\\w*\\b\(gap)\\bfrom (?:the )?(?:\\d{3}|error|exception|debug|not found) (?:responses?|pages?|messages?)\\b"
                + "|\\b(?:\(negation)|without)\\b\(gap)\\b(?:log|logging|logged|print|printing|echo|echoing|expos|reveal|return|returning|includ|send|sending|show|showing|display|displaying|stor|storing)\\w*\\b\(gap)\\b(?:\(secrets))\\b"
                + "|\\b(?:\(negation))\\w*\\b\(gap)\\b(?:expos|reveal)\\w*"
                // Exposing a Drupal token, a password mask toggle, an e-mail field and a generic error type are everyday work.
                + "|\\b(?:\(secrets)) (?:exposed|exposure|leak\\w*)\\b"
                + "|\\b(?:hide|hiding|hid|redact\\w*|mask\\w*)\\b\(gap)\\b(?:users?'?s?|authors?'?s?|members?'?s?) e-?mails?(?: address\\w*)?\\b"
                + "|\\bgeneric (?:login|auth\\w*|sign[- ]?in|password reset) (?:errors?|messages?|responses?)\\b"
                + "|\\b(?:remov|strip|omit|redact|hid|drop)\\w*\\b\(gap)\\b(?:payloads?|request bod(?:y|ies)|headers?|query strings?|user data|personal data|pii)\\b[^.;:\\n]{0,20}?\\b(?:from|in) (?:the )?(?:\\w+ ){0,2}(?:logs?|log messages?|log output)\\b",
            reason: "keeping passwords, tokens or keys out of logs and responses points at an information disclosure",
            suggestion: behaviour),
        LintRemedyRule(
            "crafted-input",
            pattern: "\\b(?:specially|maliciously|carefully|purposely|intentionally)[- ]crafted\\b"
                + "|\\b(?:abusive(?:ly)?|adversarial(?:ly)?|pathological(?:ly)?)[- ](?:constructed|crafted|inputs?|documents?|payloads?|requests?|files?|snippets?|data|messages?)\\b"
                + "|\\b(?:\(failure))\\b\(gap)\\b(?:incomplete|unterminated|unclosed|unbalanced)\\b|\\bcrafted (?:inputs?|files?|requests?|payloads?|urls?|images?|archives?|packets?|data|messages?|headers?|strings?|documents?|fonts?|responses?)\\b"
                + "|\\b(?:\(failure)|assertion failures?)\\b\(gap)\\b(?:\(badInput))\\b"
                + "|\\b(?:\(badInput))\\b[^.;:\\n]{0,30}?\\b(?:\(failure))\\b"
                + "|\\b(?:\(failure))\\b[^.;:\\n]{0,40}?\\b(?:when|while) (?:\\w+ ){0,2}?(?:decod|unmarshal|deseriali[sz])\\w*|\\bpanic\\w* (?:unmarshal|decod|receiv)\\w*"
                + "|\\b(?:panic|crash)\\w*\\b (?:the |a )?(?:\\w+ )?(?:\(service))\\b",
            // Data damaged by a crash or a power loss is crash consistency.
            exceptions: ["\\bcorrupt\\w*\\b[^.;:\\n]{0,30}\\b(?:on|after|in case of|during) (?:a |an |the )?(?:\\w+ )?(?:crash\\w*|power (?:loss|failure))\\b",
                         // A program's own configuration file is not an attacker's input.
                         "\\b(?:decod|unmarshal)\\w* (?:an? |the )?(?:empty |invalid |missing )?(?:config\\w*|yaml|toml|json|settings)\\b"],
            reason: "a crash or hang on malformed, unterminated, crafted or adversarial input points at a denial of service found by fuzzing or an attacker",
            suggestion: "describe the behaviour users will notice, e.g. 'Fix reading damaged image files'"),
        LintRemedyRule(
            "safe-parsing",
            pattern: "\\bsafe[_ ]load\\b|\\bliteral[_ ]eval\\b|\\bdefusedxml\\b|\\bresolve[_ ]entities\\b|\\bno[_ ]network\\b|\\bSystemRandom\\b"
                + "|\\b(?:disabl|disallow|forbid|prevent|turn\\w* off|stop)\\w*\\b\(gap)\\b(?:external )?entit(?:y|ies) (?:expansion|resolution|loading|references?)\\b"
                + "|\\b(?:unsafe|safe) (?:yaml|pickl\\w*|unpickl\\w*|deseriali[sz]\\w*|eval\\w*)\\b|\\bunsafe (?:constantize|reflection)\\b"
                + "|\\b(?:cryptographically (?:secure|strong)|csprng|secure random\\w*|(?:weak|predictable|guessable) (?:random\\w*|tokens?|ids?|seeds?|nonces?|values?))\\b",
            // Symfony's SecureRandom class, read as words, is a component's name.
            exceptions: ["\\bsecure random (?:class|service|component|utility)\\b"],
            reason: "safe parsers, no entity expansion and strong randomness point at code execution, XXE or guessable tokens",
            suggestion: behaviour),
        LintRemedyRule(
            "query-and-command-quoting",
            pattern: "\\bshell ?= ?(?:true|false)\\b|\\bshlex\\.quote\\b|\\bescapeshell(?:arg|cmd)\\b"
                + "|\\b(?:quot|escap)\\w*\\b\(gap)\\b(?:shell|command[- ]line|command|subprocess) (?:arguments?|args?|parameters?|strings?)\\b"
                + "|\\b(?:parameteri[sz]\\w*|bound parameters|bind parameters|query parameters|placeholders?) (?:for|in|instead)\\b[^.;:\\n]{0,30}\\b(?:quer(?:y|ies)|sql|statements?)\\b"
                + "|\\b(?:mysql|sql|postgres\\w*|sqlite) (?:quoting|quotes?|quoted) (?:of )?(?:numeric|numbers?|integers?|user input|values?|strings?)\\b|\\b(?:quot|escap)\\w*\\b\(gap)\\b(?:sql |table |column )?identifiers?\\b|\\b(?:quot|escap)\\w*\\b\(gap)\\b(?:sql|like patterns?|wildcards? in (?:like|search|quer))",
            reason: "quoting shell arguments or SQL, or binding query parameters, is how command and SQL injection are fixed",
            suggestion: "describe the behaviour users will notice, e.g. 'Fix searching for names with quotes'"),
        LintRemedyRule(
            "symlinks-and-modes",
            pattern: "\\b(?:\(negation))\\w*\\b\(gap)\\bfollow\\w*\\b\(gap)\\bsym(?:bolic )?links?\\b"
                + "|\\bsym(?:bolic )?links?\\b[^.;:\\n]{0,30}\\b(?:outside|escap\\w*|pointing out)\\b|\\bescap\\w*\\b[^.;:\\n]{0,20}?\\bsym(?:bolic )?links?\\b|\\b(?:prevent|refus|reject|disallow|forbid|block)\\w*\\b\(gap)\\bsym(?:bolic )?link\\w*|\\bo_nofollow\\b|\\btoctou\\b|\\btime[- ]of[- ]check\\b"
                + "|\\b(?:world|group|other)[- ](?:readable|writable|writeable|accessible)\\b|\\b(?:restrict|tighten)\\w*\\b\(gap)\\b(?:file )?(?:permissions?|modes?|umask)\\b",
            reason: "symbolic links and file modes point at files read or written where they should not be",
            suggestion: "describe the behaviour users will notice, e.g. 'Fix where exported files are written'"),
        LintRemedyRule(
            "login-required",
            pattern: "\\blogin[_ ]required\\b|\\bpermission[_ ]required\\b|\\bis[_ ](?:staff|superuser)\\b"
                + "|\\brequire[_ ](?:current[_ ]|old[_ ])?password[_ ]on[_ ]\\w+|\\brequir\\w* (?:the )?(?:current|old|existing) password (?:to|before|when|for) (?:chang|updat|edit|delet)\\w*"
                + "|\\brequir\\w*\\b\(gap)\\b(?:log-?in|logged[- ]in|sign(?:ed)?[- ]in|authenticated|admin(?:istrator)? (?:rights|role)|staff|superusers?)\\b"
                + "|\\bonly (?:allow|permit|let|show|return|list)\\w*\\b\(gap)\\b(?:admins?|administrators?|staff|superusers?|owners?|the owner|logged[- ]in|authenticated|authori[sz]ed)\\b"
                + "|\\b(?:non-?admins?|anonymous users?|other users?|unprivileged users?|guests?) (?:can|could|may|were able|are able|could still)\\b",
            reason: "restricting an action to logged-in users, owners or administrators points at an access bypass",
            suggestion: "describe who can do what now as users see it, e.g. 'Fix who sees the settings form'"),
        LintRemedyRule(
            "bounds-check",
            pattern: "\\bbounds?[- ]check\\w*|\\brange[- ]check\\w*|\\bindex (?:check|validation)\\w*"
                + "|\\b(?:negative|out[- ]of[- ]range) (?:index|indices|offsets?|sizes?|lengths?|counts?|dimensions?|dims)\\b"
                + "|\\b(?:check|validat|verif|sanit)\\w*\\b\(gap)\\b(?:indices|index|offsets?|bounds)\\b(?! (?:page|file|html|template|route|of the (?:docs|documentation)))"
                + "|\\b(?:check|validat|verif|ensur)\\w*\\b\(gap)\\b(?:input|packet|message|payload|buffer|frame|record|tlv|header|attribute)s? (?:length|size)s?\\b"
                + "|\\b(?:input|packet|message|payload|buffer|frame|record|tlv) (?:length|size) (?:checks?|validation)\\b"
                + "|\\bcheck\\w*\\b (?:the )?(?:length|bounds|capacity) of (?:the )?(?:\\w+ )?(?:stack|buffer|packet|header|input|array|frame|record)s?\\b[^.;:\\n]{0,30}?\\bbefore (?:accessing|indexing|copying|dereferencing|reading)\\b",
            // A database or file index is storage.
            exceptions: ["\\b(?:primary|secondary|unique|covering|database|db|search|btree|b-tree|full-?text|composite)[- ](?:index|indices|indexes)\\b", "\\bindex[- ]only\\b", "\\bindex (?:toc|scans?|builds?|files?)\\b"],
            reason: "checking an index, offset or bounds, or the length of what a parser reads, points at an out-of-bounds read or write",
            suggestion: behaviour),
        LintRemedyRule(
            "regex-complexity",
            pattern: "\\b(?:catastrophic|exponential|excessive|polynomial) backtracking\\b|\\b(?:quadratic|exponential|super-?linear|non-?linear)\\b\(gap)\\b(?:time|complexity|blow-?up|runtime|behaviou?r|backtracking|performance|parsing|parse times?)\\b"
                + "|\\b(?:pars\\w*|decod\\w*|match\\w*) (?:is|was|are|were|becomes?) (?:\\w+ )?(?:non-?linear|quadratic|exponential)\\b",
            // Retrying with exponential backoff is ordinary.
            exceptions: ["\\bexponential(?:ly)? back-?off\\b"],
            reason: "removing quadratic, exponential or other non-linear work points at a denial of service",
            suggestion: "describe the behaviour users will notice, e.g. 'Fix slow parsing of long headers'"),
        LintRemedyRule(
            "risk-words",
            pattern: "\\b(?:risky|dangerous|unsafe|harmful|hostile)\\b",
            exceptions: ["\\bunsafe(?:[ _-]\\w*)? (?:blocks?|fn|functions?|code|pointers?|buffers?|mutable\\w*|raw\\w*|bit ?casts?|casts?|impls?|traits?|methods?|calls?|flags?|rust|swift|api|apis|operations?|unwrap\\w*)\\b",
                         "\\bunsafe(?:mutable|raw|buffer|pointer|bitcast|continuation)\\w*", "\\bthread[- ]unsafe\\b", "\\bunsafe for threads\\b",
                         "\\b(?:dangerous(?:ly)?[_ ]set[_ ]?inner[_ ]?html)\\b", "\\bdangerous (?:goods|curves?)\\b"],
            reason: "calling something risky, dangerous or unsafe says that what it replaces could be abused",
            suggestion: behaviour),
        LintRemedyRule(
            "user-content",
            pattern: "\\b(?:\(negation))\\b (?:allow|accept|render|permit)\\w* (?:html|svg|xhtml|images?|scripts?|iframes?|embeds?|markup) (?:in|inside) (?:user |the )?(?:comments?|profiles?|signatures?|avatars?|user content)\\b"
                + "|\\b(?:refus|reject|disallow|block|forbid|deny)\\w*\\b (?:\\w+ )?(?:html|svg|xhtml|executable|php) (?:files?|uploads?|attachments?)\\b",
            reason: "refusing markup, scripts or files of some types in what users submit points at stored cross-site scripting",
            suggestion: behaviour),
        LintRemedyRule(
            "security-api",
            pattern: "\\bcheck[_ ]plain\\b|\\bcheck[_ ]markup\\b|\\bcheck[_ ]url\\b|\\bfilter[_ ]xss\\w*|\\bXss::filter\\w*|\\bHtml::escape\\b|\\bhtmlspecialchars\\b|\\bhtml[_ ]safe\\b|\\bescapeHtml\\b|\\bhtml[_ ]escape\\b|\\bstripDangerousProtocols\\b|\\bhasPermission\\b|\\buser[_ ]access\\s*\\(|->access\\s*\\(|\\bisGranted\\b|\\bdenyAccessUnlessGranted\\b"
                + "|\\b\\w*verify ?(?:status|host|peer|server)\\w*|\\bhostcheck\\b|\\b(?:snprintf|strlcpy|strlcat|strncpy)\\b|\\bhash[_ ]equals\\b|\\bcompare[_ ]digest\\b|\\b\\w*trusted ?prox(?:y|ies)\\w*",
            reason: "naming an escaping, access-checking or bounds-checking function in the message points at what it fixes",
            suggestion: behaviour),
        // General remedy grammar: a verb of refusal, checking or bounding applied to a class of
        // thing that sits at a security boundary, rather than the phrases of single fixes.
        LintRemedyRule(
            "trust",
            pattern: "\\b(?:don't|do not|no longer|never|stop|not|without|avoid)\\b (?:\\w+ ){0,2}?trust(?:s|ed|ing)?\\b(?! (?:store|anchors?|roots?|bundle))"
                + "|\\bblindly (?:trust|accept|follow|use)\\w*\\b",
            reason: "what is no longer trusted blindly points at input that could be forged",
            suggestion: behaviour),
        LintRemedyRule(
            "ownership",
            pattern: "\\b(?:check|verif|ensur|validat|confirm|make sure|assert|enforc|requir)\\w*\\b\(gap)\\b(?:(?:belongs? to|is owned by|are owned by|owned by|is a member of|are members of) (?:the |this |that |its |their )?(?:current |requesting |calling |logged[- ]in |authenticated |signed[- ]in |same |right |correct |given |expected )?(?:users?|accounts?|callers?|org\\w*|tenants?|teams?|members?|owners?|sessions?|clients?|namespaces?|projects?|groups?|workspaces?)|has access to|have access to|can access|may access|is allowed to|are allowed to|is permitted to|is authori[sz]ed to)\\b"
                + "|\\b(?:belong\\w*|owned|created) (?:to|by) (?:the )?(?:current|requesting|calling|logged[- ]in|authenticated|same|signed[- ]in) (?:user|account|caller|org\\w*|tenant|project|team|member)s?\\b"
                + "|\\b(?:other|another|different|any|arbitrary) (?:users?|accounts?|members?|tenants?|organi[sz]ations?|orgs?|teams?|customers?|owners?)'?s?'? (?:private |own )?(?:data|files?|resources?|projects?|repos\\w*|records?|objects?|items?|secrets?|settings|drafts?|messages?|sessions?|documents?|posts?|comments?|profiles?|orders?)\\b"
                + "|\\bsomeone else'?s\\b",
            reason: "checking that an object belongs to the caller, or keeping other users' data apart, points at an access bypass",
            suggestion: "describe who can do what now as users see it, e.g. 'Fix who sees the settings form'"),
        LintRemedyRule(
            "who-can",
            pattern: "\\b(?:non-?admins?|non-?owners?|non-?members?|guests?|viewers?|readers?|read-only users?|regular users?|normal users?|unprivileged users?|low-privileged users?|any (?:logged-in |authenticated )?user|anonymous(?: users?)?|unauthenticated users?|other users?|users? without (?:the )?(?:\\w+ )?(?:permission|rights?|role))\\b (?:can|could|may|might|were able|are able|was able|is able|can't|cannot|could not|can no longer|may no longer|should not|shouldn't|must not|are not allowed|aren't allowed|no longer)\\b"
                + "|\\b(?:can|could|cannot|can't|should(?: not|n't)?|must(?: not|n't)?|may) (?:no longer )?(?:see|view|read|edit|modify|delete|change|update|download|access|list|manage|approve|impersonate) (?:the )?(?:other|another|others'|any|arbitrary|all) (?:users?|accounts?|members?|tenants?|organi[sz]ations?|projects?|teams?)'?s?\\b",
            reason: "saying who can or cannot do something points at an access bypass",
            suggestion: "describe who can do what now as users see it, e.g. 'Fix who sees the settings form'"),
        LintRemedyRule(
            "refuse-boundary",
            pattern: "\\b(?:\(refusal)|restrict|limit|only allow|check for|guard against|protect against|sanitiz|saniti[sz]|validat|filter)\\w*\\b\(gap)\\b(?:absolute (?:paths?|urls?|file ?names?)|(?:\\.\\.|dot-?dot|parent[- ]directory) (?:paths?|segments?|components?|references?|entries)|hard ?links?|device (?:files?|nodes?)|setuid|setgid|suid|(?:private|internal|loopback|link-local|reserved|localhost|metadata|intranet|local network) (?:ip|ips|ip addresses|addresses|address|networks?|ranges?|hosts?|endpoints?|services?)|file:(?://)? ?(?:urls?|uris?|scheme)|data: ?(?:urls?|uris?)|self-signed (?:certs?|certificates?)|(?:weak|short|small|insecure) (?:keys?|ciphers?|hash\\w*|algorithms?|parameters?|moduli|exponents?)|(?:md5|sha-?1|none|alg ?none|\\\"none\\\") (?:signatures?|algorithm|alg|digests?)|leading (?:dashes?|hyphens?|-)|(?:arguments?|options?|args?|names?|values?|refs?|paths?) (?:starting|beginning) with (?:a |an )?(?:dash|hyphen|-))\\b"
                // A quoted `..` segment, and private addresses named in a list ("loopback, link-local and private IP addresses").
                + "|\\b(?:\(refusal)|restrict|only allow|check for|guard against|protect against|sanitiz|saniti[sz]|validat|filter)\\w*\\b\(gap)(?:[`'\"]\\.\\.[`'\"]|\\s\\.\\.(?![\\w./])) ?(?:paths?|segments?|components?|references?|entries|elements?)\\b"
                + "|\\b(?:prohibit|block|reject|refus|deny|denies|disallow|forbid|ban|restrict|filter|guard against|protect against)\\w*\\b\(gap)\\b(?:loopback|link-local|localhost|private|internal|reserved|rfc ?1918|metadata)\\b[^.;:\\n]{0,40}?\\b(?:ips?|ip addresses|addresses|networks?|ranges?|endpoints?)\\b",
            reason: "refusing absolute or parent paths, `..` segments, private or loopback addresses, weak keys or arguments that start with a dash points at traversal, SSRF, broken crypto or argument injection",
            suggestion: behaviour),
        LintRemedyRule(
            "option-terminator",
            pattern: "(?:`--`|'--'|\\\"--\\\"|\\s--(?=\\s)|\\bdouble[- ]dash(?:es)?\\b|\\bend[- ]of[- ]options? (?:markers?|separators?|arguments?)\\b"
                + "|\\boption terminators?\\b) (?:(?:\\w+ ){0,2}?(?:separator|argument|marker) )?(?:before|to separate|ahead of|in front of)\\b"
                + "|\\b(?:argument|option) (?:parsing )?(?:confusion|smuggling)\\b",
            reason: "an end of options before what users give points at argument injection",
            suggestion: behaviour),
        LintRemedyRule(
            "confine-path",
            pattern: "\\b(?:confin|jail|chroot|contain|keep|stay|restrict|lock|scop|verif|ensur|make sure|confirm)\\w*\\b\(gap)\\b(?:within|inside|beneath|under|to) (?:the |a |an |its |their )?(?:\\w+ )?(?:root|base|working|target|destination|upload|uploads|output|extraction|data|repo(?:sitory)?|workspace|chroot|jail|sandbox|allowed|configured|served|static|public|home|storage|document|web) ?(?:dir(?:ectory|ectories|s)?|folders?|paths?|roots?|tree)?\\b"
                + "|\\b(?:secure ?join|safe ?join|secure[_ ]filename|safe[_ ]path|os\\.Root|openat2|resolve[_ ](?:beneath|in[_ ]root)|no[_ ]?follow|is[_ ]?relative[_ ]?to|commonpath|within[_ ]?root|is[_ ]?subpath|path[_ ]is[_ ]inside)\\b",
            exceptions: ["\\b(?:ci|test|tests|build|docs?) (?:dir\\w*|folders?)\\b", "\\b(?:github\\.com/)?cyphar/filepath-securejoin\\b", "\\bfilepath-securejoin\\b"],
            reason: "keeping files inside a root directory points at a path traversal",
            suggestion: "describe what users can open, e.g. 'Fix downloads from the files directory'"),
        LintRemedyRule(
            "memory-wording",
            pattern: "\\b(?:read|reads|reading|write|writes|writing|copy|copies|copying|access\\w*|index\\w*|go|goes|going|run|runs|running|step\\w*|walk\\w*|scan\\w*)\\b (?:\\w+ ){0,2}?(?:past|beyond|before) the (?:end|start|beginning|bounds?|limits?)\\b(?: of)?"
                + "|\\boff[- ]by[- ]one\\b(?=[^.;:\\n]{0,40}?\\b(?:reads?|writes?|buffers?|arrays?|alloc\\w*|copy|copies|bounds|overflows?|memory|heap|stack|lengths?|index|indices)\\b)"
                + "|\\b(?:unsound\\w*|soundness|undefined behaviou?r|data races? on (?:shared )?(?:memory|buffers?))\\b|\\bdangling (?:references?|pointers?|slices?)\\b"
                + "|\\b(?:may|might|can|could) (?:have )?(?:already )?(?:be(?:en)? )?freed\\b"
                + "|\\bafter (?:it(?:'s| is| was| has been)|being|they(?:'re| are| were| have been)) freed\\b"
                + "|\\b(?:signed|unsigned) (?:integer )?(?:comparison|conversion|mismatch|wrap\\w*|truncation)\\b|\\binteger (?:truncation|wrap-?around|conversion)\\b"
                + "|\\btruncat\\w* (?:to|into) (?:a |an )?(?:u?int\\d*|(?:\\d+-bit)|short|byte)\\b"
                + "|\\b(?:check\\w*|detect\\w*|guard\\w*|handl\\w*|prevent\\w*|avoid\\w*)\\b (?:\\w+ ){0,2}?(?:for |against )?(?:arithmetic |size |length |multiplication |addition )?overflows?\\b"
                + "|\\b(?:index|slice|slice bounds?|bounds) out of (?:range|bounds)\\b"
                + "|\\bchecked[_ ](?:add|sub|mul|neg|shl|pow)\\b|\\bsaturating[_ ](?:add|sub|mul)\\b|\\bwrapping[_ ](?:add|sub|mul)\\b|\\boverflowing[_ ](?:add|sub|mul)\\b",
            exceptions: ["\\bundefined behaviou?r sanitizer\\b", "\\bstack overflow (?:answer|question|post|thread)\\b", "\\bstackoverflow\\b"],
            reason: "reading past an end, an index out of range, off-by-one, unsound code, freed memory and integer truncation are how memory-safety fixes are described",
            suggestion: behaviour),
        LintRemedyRule(
            "bound-count",
            pattern: "\\b(?:limit\\w*|cap|caps|capped|capping|bound\\w*|restrict\\w*|enforc\\w*|clamp\\w*)\\b (?:the )?(?:maximum )?(?:number|count|total) of (?:\\w+ ){0,2}?(?:headers?|header fields|parameters?|params|fields|parts|multipart parts|redirects?|streams?|frames|connections?|requests?|attempts?|login attempts|retries|iterations|rounds|aliases|expansions|entities|recursive calls|nested \\w+|levels|elements|entries|items in (?:a|the) (?:request|query|payload|message|array)|tokens|cookies|ranges|sessions|certificates|chain|extensions|allocations?|bytes (?:read|buffered|allocated)|pending \\w+|concurrent \\w+|in-flight \\w+|queued \\w+|settings|resets?|pings?|continuation frames)\\b"
                + "|\\b(?:too many|excessive(?:ly)?(?: large| many| long| deep)?|unlimited|unbounded|unrestricted|arbitrar(?:y|ily) (?:large|many|long|deep)) (?:\\w+ ){0,2}?(?:headers?|header fields|parameters?|params|fields|parts|redirects?|streams?|frames|connections?|requests?|attempts?|iterations|aliases|expansions|entities|recursion|nesting|levels|elements|entries|allocations?|memory|cpu|resets?|pings?|settings|tokens|cookies|ranges|continuation frames|input|inputs|payloads?|bodies|strings?|files?)\\b"
                + "|\\b(?:memory|resource|cpu|disk|stack|heap|file descriptor|fd|connection|thread) (?:exhaustion|starvation|amplification|consumption|blow-?up|usage) (?:\\w+ ){0,4}?(?:from|by|with|when|on|via|for) (?:a |an |the )?(?:\\w+ )?(?:large|many|huge|malformed|crafted|remote|client|request|input|peer|payload|message|untrusted)\\w*\\b"
                + "|\\b(?:memory|resource|cpu|disk|stack|heap) exhaustion\\b|\\bamplification\\b"
                + "|\\bmax(?:imum)?[_ ](?:iterations|rounds|aliases|complexity|depth|nesting|recursion|expansions|headers|header[_ ]count|params|parameters|fields|parts|streams|frames|redirects|allocations?|tokens|entities|body[_ ]size|request[_ ]size|payload[_ ]size|message[_ ]size|frame[_ ]size|header[_ ]size|upload[_ ]size|content[_ ]length|decompressed[_ ]size|inflated[_ ]size)\\b",
            exceptions: ["\\bmax[_ ]tokens\\b(?=[^.\\n]{0,40}\\b(?:model|llm|openai|gpt|completion|generation|generate|chat)\\b)", "\\b(?:model|llm|openai|gpt|completion|generation|chat)\\b[^.\\n]{0,40}\\bmax[_ ]tokens\\b", "\\btoo many (?:requests|open files) (?:errors?|status|responses?|from)\\b", "\\btoo many open files\\b", "\\b(?:429|rate[- ]limit\\w*)\\b[^.\\n]{0,20}\\btoo many requests\\b", "\\btoo many requests\\b[^.\\n]{0,20}\\b(?:429|rate[- ]limit\\w*)\\b"],
            reason: "bounding how many headers, streams, iterations or entries one input may make points at a denial of service",
            suggestion: "describe the behaviour users will notice, e.g. 'Fix handling of very large uploads'"),
        LintRemedyRule(
            "escape-wording",
            pattern: "\\b(?:unescaped|unsanitized|unsanitised|unquoted|unencoded|not (?:properly |correctly )?(?:escaped|sanitized|sanitised|encoded|quoted)|(?:missing|proper|correct|properly|correctly) (?:html[- ])?(?:escaping|escaped|encoding|encoded|sanitization|sanitisation|sanitizing|quoting|quoted))\\b"
                + "|\\b(?:as|to) (?:plain )?text (?:instead of|rather than|not) (?:as )?(?:html|markup)\\b"
                + "|\\b(?:textContent|innerText|createTextNode)\\b[^.\\n]{0,40}\\binstead of\\b"
                + "|\\b(?:innerHTML|outerHTML|insertAdjacentHTML|document\\.write|v-html|dangerouslySetInnerHTML|mark[_ ]safe|\\|safe\\b|html[_ ]?raw|raw[_ ]html|Markup\\(|escape[_ ]?javascript|json[_ ]escape|ERB::Util|html[_ ]?entities|htmlentities|strip[_ ]?tags|bleach\\.clean|sanitize[_ ]html|escape[_ ]?html|html[_ ]?escape|EscapeString|template\\.HTML|safeHTML)\\b"
                + "|\\bin (?:the )?(?:\\w+ )?(?:href|src|style|onclick|on\\w+) attributes?\\b|\\bjavascript: ?(?:links?|hrefs?|schemes?|protocols?)\\b",
            exceptions: ["\\bunquoted (?:string|keys?|values?) (?:in |for )?(?:yaml|toml|json|ini|config)\\b", "\\bproper(?:ly)? (?:quoting|quoted) (?:of )?(?:the )?(?:yaml|toml|csv|json|shell completion)\\b"],
            reason: "output that was not escaped, or markup rendered as text, points at cross-site scripting",
            suggestion: behaviour),
        LintRemedyRule(
            "verify-integrity",
            pattern: "\\b(?:verif(?:y|ies|ied|ying|ication)|check(?:s|ed|ing)?|validat(?:e|es|ed|ing|ion)|enforc\\w*)\\b\(gap)\\b(?:hmacs?|macs?|integrity|authenticity|proofs?|chain of trust|trust chain|fingerprints?|key ids?|signers?|issuers?|audiences?|aud claims?|nonces?|state param\\w*|csrf|anti-forgery|origin headers?|referr?er headers?|tags? before decrypt\\w*|authentication tags?|padding)\\b"
                + "|\\b(?:verif|check|validat|compar)\\w*\\b\(gap)\\b(?:checksums?|digests?|hash(?:es)?) (?:of|for|on) (?:the |each |every |all )?(?:downloaded|fetched|remote|received|uploaded|external|third-party|pulled|imported)\\b"
                + "|\\b(?:unsigned|unverified|forged|tampered|replayed) (?:\\w+ )?(?:tokens?|messages?|data|payloads?|packages?|artifacts?|images?|manifests?|metadata|updates?|blobs?|layers?|bundles?|requests?|responses?|keys?|certificates?|cookies?|emails?|e-mails?|accounts?)\\b"
                + "|\\b(?:add|adds|added|adding|missing|enforc\\w*|requir\\w*|restor\\w*|fix\\w*)\\b (?:an? |the )?(?:\\w+ )?(?:digest|checksum|integrity|signature) (?:checks?|verification|validation)\\b"
                + "|\\b(?:add|adds|added|adding|missing|enforc\\w*|requir\\w*|enabl\\w*)\\b\(gap)\\b(?:archives?|downloads?|tarballs?|blobs?|bundles?|artifacts?|plugins?|crds?) (?:integrity |signature |checksum |digest )?verification\\b",
            exceptions: ["\\b(?:mac ?os|macbook|mac address\\w*|mac addresses)\\b", "\\b(?:checksums?|digests?) (?:mismatch(?:es)? (?:in|on) (?:the )?(?:ci|tests?|cache))\\b", "\\bunverified (?:links?|builds?|commits?)\\b"],
            reason: "verifying checksums, digests, MACs, nonces or state, or refusing unsigned data, points at forgery or tampering",
            suggestion: "describe what users will notice, e.g. 'Fix connecting to servers with a different name'"),
        LintRemedyRule(
            "auth-steps",
            pattern: "\\b(?:requir|enforc|check|verif|validat|ask for|prompt for)\\w*\\b\(gap)\\b(?:re-?authentication|re-?auth|two[- ]factor|2fa|mfa|otp|totp|one[- ]time (?:codes?|passwords?|tokens?)|e-?mail (?:verification|confirmation|ownership)|verified e-?mails?|confirmed e-?mails?|current password|old password|password confirmation)\\b"
                + "|\\b(?:skip|skips|skipped|skipping|bypass\\w*|disable\\w*) (?:the )?(?:\\w+ )?(?:authentication|authori[sz]ation|auth|verification|permission|access|signature|certificate|tls|ssl|otp|2fa|mfa) (?:checks?|step|verification|validation)\\b"
                + "|\\b(?:lock(?:s|ed|ing)? out|lockout|account lock\\w*|failed (?:login |sign-?in |auth\\w* )?attempts)\\b",
            reason: "requiring re-authentication, a second factor or the current password, or locking out after failed attempts, points at an authentication bypass or brute force",
            suggestion: "describe who can do what now as users see it, e.g. 'Fix who sees the settings form'"),
        LintRemedyRule(
            "cookie-and-cors",
            pattern: "\\b(?:set|add|enforc|use|requir|mark|default)\\w*\\b\(gap)\\b(?:httponly|samesite|same-site)(?: flags?| attributes?| cookies?| ?=| (?:to|on|for) (?:the |all |every )?(?:\\w+ )?cookies?)\\b"
                + "|\\bAccess-Control-Allow-(?:Origin|Credentials|Headers)\\b"
                + "|\\b(?:cors|allowed origins?) (?:\\w+ )?(?:checks?|validation|polic\\w*|restrictions?|whitelist|allowlist|configuration)\\b"
                + "|\\b(?:restrict|validat|tighten|check|verif)\\w*\\b\(gap)\\bcors\\b",
            reason: "cookie flags and cross-origin settings point at session theft or cross-site requests",
            suggestion: behaviour),
        LintRemedyRule(
            "redirect-target",
            pattern: "\\b(?:redirect\\w*|return(?:[_ ]?to|[_ ]url)|next (?:param\\w*|url)|callback ?urls?|redirect[_ ]uris?)\\b\(gap)\\b(?:same|local|relative|internal|external|third-party|arbitrary|untrusted|allowed|trusted|whitelisted|allowlisted) (?:hosts?|domains?|sites?|origins?|urls?|paths?|locations?|destinations?)\\b"
                + "|\\b(?:is[_ ]safe[_ ]url|url[_ ]has[_ ]allowed[_ ]host[_ ]and[_ ]scheme|allow[_ ]other[_ ]host|allowed[_ ]hosts|safe[_ ]redirect\\w*|redirect[_ ]allow\\w*)\\b",
            reason: "restricting where a redirect may go points at an open redirect",
            suggestion: "describe where users end up or what they can open, e.g. 'Fix where the login form sends users'"),
        LintRemedyRule(
            "confinement",
            pattern: "\\b(?:apply|applies|applied|applying|enforc\\w*|restrict\\w*|drop\\w*|tighten\\w*|keep\\w*|honou?r\\w*|respect\\w*|fix\\w*|set\\w*|add\\w*)\\b\(gap)\\b(?:seccomp|apparmor|selinux|no[-_ ]new[-_ ]priv\\w*|masked ?paths|mask ?paths|read-?only ?paths|capabilit(?:y|ies) (?:set|bounding|drop)|bounding set|user namespaces?)\\b"
                + "|\\b(?:drop\\w*|lower\\w*|shed\\w*) (?:\\w+ )?privileges?\\b(?! (?:table|column|schema|field|list|model|page|tab|migration)s?\\b)"
                + "|\\brun\\w* as (?:a )?(?:non-?root|unprivileged)\\b|\\b(?:escape|break out of|leave) (?:the )?(?:container|sandbox|jail|chroot|vm|guest)\\b"
                + "|\\b(?:on|is|are) (?:a )?(?:real )?procfs\\b|\\bprocfs (?:checks?|verification|validation)\\b",
            reason: "seccomp, AppArmor, dropped privileges and checks that a mount is procfs point at a container or sandbox escape",
            suggestion: behaviour),
        LintRemedyRule(
            "must-be",
            pattern: "\\b(?:must|to|should|has to|have to|needs? to|will|now|always|are|is|get|gets) (?:now |always |also |still )?(?:be|get|gets|are|is) (?:properly |correctly |strictly |always |now )?(?:escaped|sanitized|sanitised|html-escaped|html-encoded|signed|authenticated|authori[sz]ed|verified|validated|permission-checked|access-checked)\\b(?! (?:commits?|tags?|builds?|releases?|off|in|out|by (?:ci|gpg|the release)))",
            exceptions: ["\\b(?:commits?|tags?|releases?|packages?|binaries|artifacts?|images?) (?:are|is|must be|to be|should be) signed\\b", "\\bsigned (?:commits?|tags?|off)\\b"],
            reason: "saying something must be escaped, signed or authorised points at a place where it was not",
            suggestion: behaviour),
        LintRemedyRule(
            "privileged-creation",
            pattern: "\\b(?:shouldn't|should not|must not|can't|cannot|can no longer|no longer|don't|do not|never|not|disallow\\w*|prevent\\w*|forbid\\w*|refus\\w*|reject\\w*|block\\w*)\\b (?:\\w+ ){0,2}?(?:creat|mak|grant|promot|assign|elevat|becom|register|sign\\w* up)\\w* (?:\\w+ ){0,2}?(?:admins?|administrators?|superusers?|root users?|owner role|admin role|admin rights|privileged (?:users?|accounts?|roles?))\\b",
            reason: "refusing to create or promote administrators points at privilege escalation",
            suggestion: "describe who can do what now as users see it, e.g. 'Fix who sees the settings form'"),
        LintRemedyRule(
            "protected-content",
            pattern: "\\b(?:\(refusal)|hide|hiding|exclud\\w*|omit\\w*|skip\\w*|filter\\w*)\\b\(gap)\\b(?:password-protected|private|protected|unpublished|restricted|confidential|banned|suspended|deactivated|unlisted|unapproved|moderated) (?:articles?|posts?|pages?|content|nodes?|files?|items?|documents?|repos?|repositories|projects?|users?|accounts?|messages?|rooms?|channels?|events?|comments?|entries|records?|attachments?|memos?|notes?|issues?|shares?|links?)\\b",
            reason: "keeping private, unpublished or protected content out of what others see points at an information disclosure",
            suggestion: "describe the behaviour change instead, e.g. 'Fix what the profile page shows to other users'"),
        LintRemedyRule(
            "strict-parsing",
            pattern: "\\bstrict(?:er|ly)? (?:pars\\w*|interpret\\w*|decod\\w*|validat\\w*|checks?|checking|matching|verification)\\b"
                + "|\\b(?:pars|interpret|decod|validat|check|match|verif|compar)\\w* (?:[\\w-]+ ){0,3}?(?:more )?strictly\\b"
                + "|\\bmake (?:\\w+ ){0,3}?(?:checks?|checking|validation|verification|parsing|parser) stricter\\b",
            exceptions: ["\\bstrict(?:er)? (?:type[- ]?)?checking (?:mode|in (?:tsconfig|mypy|typescript))\\b", "\\bstrictly (?:typed|increasing|decreasing|positive|necessary|speaking|monotonic)\\b"],
            reason: "parsing or checking more strictly points at input that slipped through a lenient parser",
            suggestion: behaviour),
        LintRemedyRule(
            "length-validation",
            pattern: "\\bvalidat\\w* (?:the )?(?:max(?:imum)? )?lengths? of\\b"
                + "|\\b(?:add|adds|added|adding|missing|proper|enforc\\w*|introduc\\w*)\\b (?:a |an |the )?(?:max(?:imum)? )?(?:length|maxlen|size) (?:validation|checks?)\\b"
                + "|\\b(?:maxlen|max[- ]?length) validation\\b|\\bvalidat\\w* (?:\\w+ ){0,2}?(?:input |string |field |attribute )?lengths?\\b",
            reason: "validating the length of submitted values points at an overflow or a denial of service",
            suggestion: "describe the behaviour users will notice, e.g. 'Fix handling of very large uploads'"),
        LintRemedyRule(
            "validate-from-peer",
            pattern: "\\b(?:validat|verif|sanitiz|saniti[sz]|check)\\w*\\b\(gap)\\b(?:from|received from|sent by|supplied by|provided by|coming from|returned by) (?:the |a |an )?(?:\\w+ )?(?:gateway|clients?|peers?|remote(?: \\w+)?|network|frontend|users?|callers?|requests?|upstream|untrusted \\w+|third[- ]part(?:y|ies)|external \\w+)\\b"
                + "|\\b(?:validat|verif|sanitiz|saniti[sz]|check)\\w*\\b (?:all |the |any )?(?:incoming|inbound|received|remote|external|client[- ](?:supplied|provided|sent|side)|user[- ](?:provided|supplied|given|controlled|submitted)|request) (?:data|input|values?|messages?|requests?|parameters?|params|fields?|headers?|payloads?|links?|urls?|names?|ids?)\\b"
                + "|\\b(?:validat|verif|sanitiz|saniti[sz]|check)\\w*\\b (?:the )?(?:external|outbound) (?:links?|urls?)\\b",
            reason: "validating what a client, peer or gateway sends points at trusting input across a boundary",
            suggestion: behaviour),
        LintRemedyRule(
            "allow-deny",
            pattern: "\\b(?:fail\\w*|deny|denies|denied|default) (?:\\w+ )?(?:closed|secure|by default)\\b(?! (?:issues?|prs?|pull requests?))|\\bdefault[- ]deny\\b"
                + "|\\bdeny[- ]by[- ]default\\b"
                + "|\\b(?:use|uses|used|using|add|adds|added|adding|check|checks|checked|checking|enforc\\w*|respect\\w*|honou?r\\w*|introduc\\w*|extend\\w*|tighten\\w*|against) (?:an? |the )?(?:\\w+ )?(?:allow|white|deny|block|black)[- ]?lists?\\b(?! (?:for|of) (?:log|logs|noisy|warnings?|tests?|lint\\w*|spelling|words?|files? to (?:format|lint)))",
            reason: "failing closed, denying by default or checking an allow list points at an access or input bypass",
            suggestion: behaviour),
        LintRemedyRule(
            "secrets-at-rest",
            pattern: "\\b(?:crypto/rand|os\\.urandom|secrets\\.token\\w*|OsRng|getrandom|random_bytes|openssl_random_pseudo_bytes|random\\.SystemRandom)\\b"
                + "|\\b(?:plain ?text|unencrypted|unhashed) (?:passwords?|tokens?|secrets?|credentials?|api keys?|private keys?)\\b"
                + "|\\b(?:hash\\w*|encrypt\\w*|bcrypt|scrypt|argon2|pbkdf2)\\b\(gap)\\b(?:passwords?|api keys?|tokens?|secrets?|recovery codes?|reset codes?) (?:before|at rest|in the database|when stor\\w*)\\b"
                + "|\\b(?:mode|permissions?|chmod|perm|umask)\\b (?:of |to |=|as )?(?:0o?)?(?:600|400|700|640|0600|0400|0700|0640|077)\\b"
                + "|\\b(?:mkstemp|mkdtemp|O_EXCL|NamedTemporaryFile|TempFile)\\b[^.;:\\n]{0,40}\\binstead of\\b|\\binstead of\\b[^.;:\\n]{0,40}\\b(?:mktemp|tmpnam|tempnam)\\b",
            reason: "strong randomness, hashed secrets and owner-only file modes point at guessable tokens or exposed secrets",
            suggestion: behaviour),
        LintRemedyRule(
            "safe-documents",
            pattern: "\\b(?:disabl|disallow|forbid|prohibit|reject|refus|block|ignor|stop)\\w*\\b\(gap)\\b(?:dtds?|doctypes?|document type declarations?|external (?:entities|dtds?|references?|resources?|stylesheets?)|entity (?:references?|declarations?|expansions?))\\b"
                + "|\\bSandboxedEnvironment\\b|\\bsandboxed (?:templates?|environments?|renderers?|evaluat\\w*|execution)\\b",
            reason: "refusing document type declarations or entity references, or sandboxing templates, points at XXE or template injection",
            suggestion: behaviour),
        LintRemedyRule(
            "prohibit-actor",
            pattern: "\\b(?:prevent|disallow|forbid|block|stop)\\w* (?:\\w+ ){0,2}?(?:users?|callers?|members?|clients?|guests?|viewers?|editors?|tenants?|accounts?|anyone|people|non-\\w+|others?) from (?:\\w+ ){0,2}?(?:access\\w*|read\\w*|view\\w*|see\\w*|seeing|edit\\w*|modif\\w*|delet\\w*|chang\\w*|download\\w*|upload\\w*|us\\w*|impersonat\\w*|escalat\\w*|gaining|creating|overwrit\\w*|writ\\w*|run\\w*|execut\\w*|lists?\\w*)\\b(?:[^.;:\\n]{0,40}?\\b(?:other|another|others'|private|admin\\w*|protected|restricted|arbitrary|any)\\b)?",
            reason: "stopping users from reaching others' or protected things points at an access bypass",
            suggestion: "describe who can do what now as users see it, e.g. 'Fix who sees the settings form'"),
        LintRemedyRule(
            "only-known",
            pattern: "\\bfix\\w* (?:the )?(?:\\w+ )?(?:verification|verifying) (?:of|for|when|with|in)\\b"
                + "|\\b(?:permit|allow|accept)\\w* only (?:\\w+ ){0,2}?(?:legit\\w*|whitelisted|allowlisted|permitted|safe|trusted|known|expected)\\b"
                + "|\\bonly (?:accept|allow|trust|process|use)\\w* (?:\\w+ ){0,4}?from (?:our |the |its |their |your )?(?:own |trusted |known |verified |authenticated |configured )+(?:\\w+ )?(?:devices?|peers?|senders?|servers?|sources?|hosts?|users?|origins?|keys?|relays?|clients?)\\b"
                + "|\\b(?:reject|refus|ignor|drop|discard)\\w*\\b\(gap)\\bfrom (?:other|another|untrusted|unknown|unverified|unauthenticated|foreign|different) (?:users?|devices?|peers?|senders?|servers?|origins?|hosts?|accounts?|sources?|relays?|clients?)\\b"
                + "|\\bonly (?:permit|allow|accept)\\w* (?:\\w+ ){0,2}?(?:legit\\w*|whitelisted|allowlisted|permitted|safe|trusted|certain)\\b",
            reason: "fixing a verification, or accepting only what is known or permitted, points at input that slipped past a check",
            suggestion: behaviour),
        LintRemedyRule(
            "safe-variant",
            pattern: "\\b(?:use|uses|used|using|switch\\w* to|prefer\\w*|call\\w*)\\b (?:the |a |an )?[\\w.:/-]*?(?:safe|secure|strict|saniti[sz]\\w*|escap\\w*)[\\w.:/()-]* (?:\\w+ ){0,3}?(?:instead of|rather than)\\b",
            exceptions: ["\\b(?:thread|type|null|nil|concurrency|async|signal|panic|exception|unwind|const|fork|reentrant|fail)[- ]?safe\\w*", "\\bsafe (?:area|mode|navigation)\\b", "\\bescape (?:key|hatch)\\b"],
            reason: "replacing a call with its safe, strict or escaping variant points at what the old one let through",
            suggestion: behaviour),
        LintRemedyRule(
            "server-timeouts",
            pattern: "\\b(?:set\\w*|add\\w*|default\\w*|enforc\\w*|introduc\\w*|configur\\w*)\\b\(gap)\\b(?:ReadHeaderTimeout|ReadTimeout|WriteTimeout|IdleTimeout|read header timeout|header read timeout)\\b",
            reason: "read and idle timeouts on a server keep slow clients from holding its connections",
            suggestion: "describe the behaviour users will notice, e.g. 'Fix handling of very large uploads'"),
        LintRemedyRule(
            "bad-lengths",
            pattern: "\\b(?:reject|refus|handl|error|fail|catch|detect|check|validat|return\\w* (?:an )?error|bail|guard)\\w*\\b\(gap)\\b(?:invalid|bad|wrong|negative|oversized|undersized|excessive|huge|mismatched|inconsistent|bogus|overlong|too (?:long|large|short|small)) (?:\\w+ )?(?:lengths?|sizes?|counts?|offsets?|dimensions?|dims|lens?)\\b"
                + "|\\b(?:tighten|add|fix|improv|strengthen|missing|stricter|proper|harden)\\w* (?:the )?(?:\\w+ )?(?:length|size|bounds?|offset|dimension|range)s? (?:validation|checks?|checking|verification)\\b"
                + "|\\b(?:undersized|oversized|too small|too short) (?:buffers?|inputs?|packets?|frames?|messages?|payloads?|records?|headers?)\\b",
            reason: "refusing invalid or oversized lengths, or adding length and bounds checks, points at an out-of-bounds access or a denial of service",
            suggestion: "describe the behaviour users will notice, e.g. 'Fix handling of very large uploads'"),
        LintRemedyRule(
            "unbounded-growth",
            pattern: "\\bunbounded (?:queues?|buffers?|memory|growth|allocations?|lists?|maps?|caches?|backlogs?|amounts? of)\\b"
                + "|\\b(?:grow|grows|growing|grew)\\b(?: \\w+){0,3} (?:without (?:a )?(?:bound|limit)|unbounded|indefinitely|forever|without end)\\b"
                + "|\\b(?:infinite loops?|hangs?|hanging|endless loops?|out of memory|oom|excessive memory)\\b\(gap)\\b(?:in|when|while|on) (?:reading|parsing|decoding|loading|processing|opening|inflating|decompressing) (?:\\w+ ){0,2}?(?:files?|images?|archives?|packets?|messages?|documents?|fonts?|pngs?|jpe?gs?|gifs?|tiffs?|pdfs?|zips?|inputs?|streams?|frames?|headers?|requests?|responses?|data)\\b",
            reason: "a queue or buffer that grows without bound, or a loop that never ends on some input, points at a denial of service",
            suggestion: "describe the behaviour users will notice, e.g. 'Fix handling of very large uploads'"),
        LintRemedyRule(
            "refuse-input",
            pattern: "\\b(?:reject(?:s|ed|ing)?|refus(?:e|es|ed|ing))\\b(?! (?:the |a |this )?(?:promises?|pull requests?|prs?|patch(?:es)?|invitations?|friend requests?|merge requests?|changes?|button|suggestions?|reviews?)\\b)",
            exceptions: ["\\bunhandled (?:promise )?rejections?\\b", "\\b(?:promise|deferred|future)s? (?:\\w+ )?(?:is |are |was |were )?reject\\w*"],
            reason: "refusing input that used to be accepted is how parsers and servers are made to stop what should not get through",
            suggestion: behaviour),
        LintRemedyRule(
            "tighten-control",
            pattern: "\\btighten\\w*\\b (?:up )?(?:the |a |an )?(?:\\w+ ){0,2}?(?:checks?|checking|validation|verification|rules?|pars\\w*|matching|permissions?|handling|restrictions?|requirements?|access|limits?|bounds?|polic(?:y|ies)|regexp?e?s?|patterns?|filters?|filtering|sanitization|escaping|scopes?|allow ?lists?)\\b"
                + "|\\b(?:restor|re-?enabl|reinstat|reintroduc|bring\\w* back|put\\w* back)\\w*\\b (?:the |a |an )?(?:\\w+ ){0,2}?(?:checks?|validation|verification|sanitization|escaping|auth\\w*|permission checks?|access checks?|restrictions?)\\b",
            reason: "tightening or restoring a check, a limit or a restriction points at what got past it",
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
