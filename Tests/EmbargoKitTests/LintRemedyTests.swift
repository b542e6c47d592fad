@testable import EmbargoKit
import EmbargoStore
import Testing

@Suite("leak linter: remedy wording and levels")
struct LintRemedyTests {
    func findings(_ text: String, kind: LintSubject.Kind = .message) -> [LintFinding] {
        LeakLinter.lint([LintSubject(location: "commit 1.1.x#1 message", text: text, kind: kind)], vocabulary: .defaults)
    }

    @Test func everyRuleCompiles() {
        for rule in LintRemedyRules.defaults {
            #expect(LeakLinter.CompiledRule(rule) != nil, "\(rule.id)")
            #expect(rule.exceptions.allSatisfy { (try? Regex($0)) != nil }, "\(rule.id)")
        }
        #expect(Set(LintRemedyRules.defaults.map(\.id)).count == LintRemedyRules.defaults.count)
        // An alternative that starts with a run of word characters is tried at every position of a
        // long token (hex, base64) and rescans it to its end: each starts at a word boundary instead.
        for rule in LintRemedyRules.defaults {
            for pattern in [rule.pattern] + rule.exceptions {
                #expect(!pattern.hasPrefix("\\w") && !pattern.contains("|\\w"), "\(rule.id): \(pattern.prefix(60))")
            }
        }
    }

    @Test func remedyWordingIsAHint() {
        let cases: [(String, String)] = [
            ("Escape the title in the greeting block", "escape-output"),
            ("Sanitize user-supplied labels before rendering", "escape-output"),
            ("Check access before showing the settings form", "access-check"),
            ("Add a permission check to the export route", "access-check"),
            ("Validate the redirect destination", "redirect-url"),
            ("Only allow http and https; reject other URL schemes", "redirect-url"),
            ("Clear the Authorization header when a redirect changes host", "credentials-on-redirect"),
            ("Verify the certificate host name", "verify-peer"),
            ("Reject control characters in header values", "control-characters"),
            ("Limit the nesting depth of the parser", "bound-size"),
            ("Fix a double free in the decoder", "memory-safety"),
            ("Avoid an over-read of the input buffer", "memory-safety"),
            ("Do not read uninitialized memory", "memory-safety"),
            ("Tighten the iframe sandbox attributes", "sandbox"),
            ("Use `check_plain()` on the title", "security-api"),
            ("Call `$node->access('view')` first", "security-api"),
            ("Clear the proxy credentials as well on port or scheme change", "credentials-on-redirect"),
            ("Only send the bearer token if auth is allowed", "credentials-on-redirect"),
            ("Only reuse connections with the same credentials", "clear-credentials"),
            ("Cast to string when checking empty passwords", "clear-credentials"),
            ("Migrate the session after remember-me authentication", "session-handling"),
            ("Remove private headers before storing responses in the cache", "trusted-headers"),
            ("Reject requests with both Content-Length and Transfer-Encoding", "http-framing"),
            ("Prevent the media store from writing outside of the configured directory", "path-containment"),
            ("Use constant time comparison for signed URIs", "verify-peer"),
            ("Fail on missing OCSP stapling", "verify-peer"),
            ("Return an error when receiving a too large header set", "bound-size"),
            ("Make sure the user name fits in the target buffer", "bound-size"),
            ("Catch buffer overruns in the SGI decoder", "memory-safety"),
            ("Apply CSP sandboxing to converted notebooks", "sandbox"),
            // A body wrapped at 72 columns is read as one paragraph; snake_case as words.
            ("Fix the TLS backend\n\nThe GnuTLS code completely ignored\nclient certificates.", "verify-peer"),
            ("Switch to Retry.remove_headers_on_redirect", "credentials-on-redirect"),
            ("Call Curl_cert_hostcheck on IP addresses too", "security-api"),
            ("Redact the API token in debug output", "secret-exposure"),
            ("Do not log the user's password on failed logins", "secret-exposure"),
            ("Fix a crash on malformed GIF headers", "crafted-input"),
            ("Handle specially crafted archives", "crafted-input"),
            ("Use yaml.safe_load for the settings file", "safe-parsing"),
            ("Disable external entity resolution in the feed reader", "safe-parsing"),
            ("Generate reset tokens with a cryptographically strong generator", "safe-parsing"),
            ("Quote shell arguments passed to the converter", "query-and-command-quoting"),
            ("Escape identifiers in the ORDER BY clause", "query-and-command-quoting"),
            ("Do not follow symbolic links when extracting", "symlinks-and-modes"),
            ("Stop writing world-readable cache files", "symlinks-and-modes"),
            ("Require a logged-in user for the export view", "login-required"),
            ("Only allow owners to delete the album", "login-required"),
            ("Add a bounds check to the palette lookup", "bounds-check"),
            ("Validate indices before gathering rows", "bounds-check"),
            ("Avoid catastrophic backtracking in the e-mail pattern", "regex-complexity"),
            ("Fix quadratic time in header parsing", "regex-complexity"),
            ("Drop the dangerous eval fallback", "risk-words"),
            // A dot inside a name does not end the clause.
            ("Define Parser.MAX_NESTING_DEPTH for lists", "bound-size"),
            ("Require authz to change the project owner", "access-check"),
            ("Fix the auth rules check for editors", "access-check"),
            ("Ensure token expiration is respected on refresh", "session-handling"),
            ("Refuse revoked tokens at login", "session-handling"),
            ("Guard against unbounded recursion in the include resolver", "bound-size"),
            ("Check the Content-Type before decoding the body", "http-framing"),
            ("Treat a scheme change as cross-origin", "credentials-on-redirect"),
            ("Fix missing password hash removal in exports", "secret-exposure"),
            ("Remove the file path from 404 responses", "secret-exposure"),
            ("Word the error to avoid showing keying material", "secret-exposure"),
            // Wording of Go projects' fixes.
            ("Add authentication middleware to the SSH server", "access-check"),
            ("Restrict secret access for namespaced policies", "access-check"),
            ("Use scoped tokens for webhook requests", "access-check"),
            ("Fix token authentication in the registry", "access-check"),
            ("Add a limit to the handshake buffer", "bound-size"),
            ("Limit the maximum output from decompressing payloads", "bound-size"),
            ("Before this change we imposed no limit on buffered data", "bound-size"),
            ("Prevent reading through symlinks in the theme loader", "symlinks-and-modes"),
            ("Normalize the request path before routing", "redirect-url"),
            ("Strip Connection headers before the middleware chain", "trusted-headers"),
            ("Validate the manifest type before unmarshalling it", "sandbox"),
            // The second Go batch: tenancy, tokens, time limits, parsers that stop a server.
            ("Merge commit from fork\n\nFix the export form", "advisory-fork-merge"),
            ("Call sanitizePath on the archive entries", "escape-output"),
            ("Escape the language in code block rendering", "escape-output"),
            ("Scope the list call to the namespace of the request", "access-check"),
            ("Honor the cross-namespace setting in chained middleware", "access-check"),
            ("Never reuse a nonce with the same GCM key", "verify-peer"),
            ("Strip the Authorization header whenever the base URL changes", "credentials-on-redirect"),
            ("Don't allow an unbounded number of parts", "bound-size"),
            ("Add a handshake timeout to the listener", "bound-size"),
            ("Fix panic when decoding unknown attributes", "crafted-input"),
            ("Refactor the scoped file system to avoid escaping symlinks", "symlinks-and-modes"),
            ("Mask the password in the settings API", "secret-exposure"),
            ("Show a generic login error", "secret-exposure"),
            ("Add stricter validation of the repository name", "input-validation"),
            ("Validate the subject token before the exchange", "input-validation"),
            ("Fix the route parser to check the input length", "bounds-check"),
            ("Remove the request body from the audit log", "secret-exposure"),
            ("Add a timeout to the challenge handshake", "bound-size"),
            ("Require signed assertions from the identity provider", "verify-peer"),
            ("Extract uploaded archives safely", "path-containment"),
            // General remedies of the Ruby batch's tuning part.
            ("Escape wildcard characters in the file pattern", "escape-output"),
            ("Enforce URL validation on the homepage field", "redirect-url"),
            ("Compare the fully resolved path when deciding whether a file may be served", "redirect-url"),
            ("Revoke the other sessions after a password change", "session-handling"),
            ("Sign users out upon a password update", "session-handling"),
            ("Add a session restriction to the taxonomy edit links", "session-handling"),
            ("Escape non printable characters in log lines", "control-characters"),
            ("Fix unbounded parameter parsing in the query parser", "bound-size"),
            ("Clear the stack slots that may refer to freed objects", "memory-safety"),
            ("Check the length of the stack before accessing the upvalue", "bounds-check"),
            ("Prevents arbitrary files from being read through the theme path", "path-containment"),
            ("Prevent arbitrary templates from being rendered", "path-containment"),
            ("Filter sensitive parameters from the request log", "secret-exposure"),
            ("Strip EXIF metadata from uploaded photos", "secret-exposure"),
            ("Replace the unsafe constantize call with a lookup table", "safe-parsing"),
            ("Fix the mysql quoting of numbers", "query-and-command-quoting"),
            ("Add a require_password_on_accept option", "login-required"),
            ("Require the current password to change the e-mail address", "login-required"),
            ("Mark the string html_safe only after escaping", "security-api"),
            ("Do not allow scripts in comments", "user-content"),
            ("Refuse SVG uploads as avatars", "user-content"),
            ("Keep SafeBuffer#gsub results from being html_safe", "security-api"),
        ]
        for (text, rule) in cases {
            let found = findings(text)
            #expect(found.map(\.rule).contains(rule), "\(text): \(found.map(\.rule))")
            #expect(found.first { $0.rule == rule }?.level == .hints, "\(text)")
        }
        #expect(findings("Guard against prototype pollution").map(\.level) == [.names])
        // Memory-corruption classes are names; softer memory-safety wording is a hint.
        #expect(findings("Fix use after free when closing the stream").map(\.rule) == ["memory-corruption"])
        #expect(findings("Fix out of bounds read in the tokenizer").map(\.level) == [.names])
        #expect(findings("Fix a heap overflow in the GIF decoder").map(\.level).contains(.names))
        #expect(findings("Fix two Windows untrusted search path cases").map(\.level) == [.names])
        // A merged branch's name is public.
        #expect(findings("Merge pull request #7 from someone/security/tighten-regex").map(\.rule) == ["security-branch"])
        #expect(findings("Merge pull request #7 from someone/fix-titles").isEmpty)
        #expect(findings("Avoid local drive traversal when saving files").map(\.level) == [.names])
        #expect(findings("It should not be possible to inject a header into a request").map(\.level) == [.names])
        #expect(findings("Reported as GHSL-2021-1037").map(\.level) == [.names])
        // Something secret or about other users leaking names the flaw, in any word order and in test names.
        for text in ["Don't leak the session token in redirects", "It leaks message counts for rooms people cannot see",
                     "Prevent secret leaks in the patch logs", "Fix cross-tenant leak of service names"] {
            #expect(findings(text).first?.rule == "leak", "\(text): \(findings(text).map(\.rule))")
        }
        #expect(findings("testNoCredentialLeak", kind: .test).map(\.rule) == ["leak"])
        #expect(findings("Fix arbitrary file access during archive extraction").map(\.level) == [.names])
        #expect(findings("Fix a read-after-free when a node set is released").map(\.rule) == ["memory-corruption"])
        #expect(findings("Merge pull request #12 from someone/fix-comment-sec-issue").map(\.level) == [.names])
        #expect(findings("testZipSlipIsRefused", kind: .test).map(\.level) == [.names])
        // Adding arbitrary files is a feature.
        #expect(findings("Add a flag that allows adding arbitrary files to the image").isEmpty)
        // Paragraphs stay apart: a remedy verb and its object in two paragraphs are no finding.
        #expect(findings("Check the tests\n\nAccess to the cache is shared").isEmpty)
        // Names are read as their words.
        #expect(findings("check-access-in-export", kind: .branch).map(\.rule) == ["access-check"])
    }

    @Test func ordinarySensesAreNotFindings() {
        for text in ["Fix a memory leak in the parser", "Plug file descriptor leaks on error", "Use dependency injection for the logger",
                     "Set overflow: hidden on the sidebar", "Close the dialog on escape key", "Escape the regex in the route matcher",
                     "Update SECURITY.md", "Ask the security team for a review", "Run the security scan workflow nightly",
                     "Limit the number of items on the front page", "Rename the access log option",
                     "Add an example for traversal routing", "Made traversal of Traversables consistent",
                     "[SecurityBundle] Optimize the container tests", "Fix the protocol list for SecureTransport",
                     "Use --insecure in the SFTP tests", "Fail if security.http_utils cannot be configured",
                     "Report filters would overflow the viewport", "The Secure Shell agent key format",
                     "Raise the size limit for certificate information", "Fix a crash in rate-limited uploads",
                     "Hide the sidebar on small screens", "Follow symbolic links when copying assets", "Fix a crash on startup",
                     "Check the index page renders", "Use a placeholder for the empty state", "Require PHP 8.1",
                     "Only show the banner on the front page", "Hand-crafted icons for the toolbar",
                     "Wrap the unsafe pointer access in a helper", "Mark the cache as thread-unsafe", "Use an unsafe block for the FFI call",
                     "Fix tests for refresh_token removal", "Add fault injection to the storage tests", "Show when the token expires",
                     "Allow cross-platform builds",
                     "[Security] Add a test for the remember-me listener", "Detect Secure Boot support on the host",
                     "Improve cleanup in the upload error path", "Fix parsing of the Authorization header",
                     "Fix a nil pointer dereference in the log formatter", "Normalize line endings in the changelog",
                     "Run the fuzzers with AddressSanitizer", "Build the tests with -fsanitize=undefined", "Set the timeout of the slow test to 60s",
                     "Merge branch 'fork-sync' into main",
                     // Everyday work that shares words with the remedies of the second Go batch.
                     "Verify the response status in the functional test", "Add a request timeout to the HTTP client",
                     "Add additional validation to the settings form", "Validate the link field widget settings",
                     "Add missing validation for the date field", "Fix the panic when parsing an empty config file",
                     "Scope the cache tags to the project",
                     // Everyday work of a random sample of ordinary Go commits: leaking resources and
                     // abstractions, the signature of a function, granting the software a permission.
                     "Fix goroutine leaks in the watcher", "Don't leak implementation details from the WAL interface",
                     "Fix leaking context markers when indented", "Prevent TCP connections leakage", "Fix leaking test data between runs",
                     "Use the new validation function signature in the test data", "Add permission to get roles to the operator",
                     "Add missing RBAC permission for the resolver", "Add permissions to the docker action jobs",
                     "ci: add minimum GitHub token permissions for workflows", "Add explicit permissions blocks to the workflows",
                     "Add the zsh completion from a contributor with permission", "Add an optional permission parameter to SaveUploadedFile",
                     // Everyday Drupal and Go work that the wider rules read as remedies (found in review).
                     "Fix block caching for anonymous users", "Create the test user with admin permissions in setUp",
                     "Check if the block type is allowed in the layout region", "Increment the account nonce after each transaction",
                     "Make the event channel unbounded", "Show the upload limit in the file field help text",
                     "Set the connection timeout of the database client to 5s", "Address connection timeouts in flaky e2e tests",
                     "Support reading large messages from Kafka", "Expose node fields as tokens", "Add a password mask toggle to the login form",
                     "Hide the email field on the registration form", "Return a generic error from the handler",
                     "Fix crash when saving the node", "Fix crash when the service container is rebuilt",
                     "Fix panic when receiving on a closed channel", "Fix panic when unmarshalling an empty YAML config",
                     "Validate tokens in the pathauto pattern", "Enable strict config schema validation in kernel tests",
                     "Add extra validation to the block form", "Run drush sql:sanitize after the database sync",
                     "Enable sanitizers in the nightly build", "Run the tests with KernelAddressSanitizer", "Run the fuzzers with AddressSanitiser",
                     "Remove unnecessary escaping in the node template", "Fix escaping of percent signs in the Twig template",
                     "Remove the unused Authorization header constant",
                     "Fix the forget password and sign up routes", "Use a personal access token instead of the cleartext password",
                     "Make the user session timeout configurable", "Set the retry limit to 3", "Validate the healthcheck path configuration",
                     "Verify the URL is non-nil in initQueryCache",
                     "Move the probe packets out of the fast path", "Add a generic error type for untyped errors",
                     "Fix database corruption in case of a daemon crash", "Validate the index TOC checksum on read",
                     "Add a helper with exponential backoff to wait for the server",
                     // Everyday Ruby work that shares words with the remedies of the Ruby batch.
                     "Check the type before the hash access", "Speed up array access in the VM", "Handle unauthorized errors in the API client",
                     "Stub remove_entry_secure in the package tests", "Validate the argument count of the method",
                     "Use constantize to load the serializer class", "Show the image size in the gallery",
                     "Allow images in the sidebar block", "Quote the column names in the CSV export",
                     "Resolve the path of the config file relative to the root",
                     // Everyday work the first form of those rules read as remedies (found in review).
                     "Add sec-issue label to GitHub issue templates", "Bump CI timeout to 30 sec fix flaky spec",
                     "Use FileUtils.remove_entry_secure for temp dirs", "Increase the postgres quota on staging",
                     "Fix mysql quoting of boolean columns", "Move session checks into middleware",
                     "Add end-to-end tests for users on password change", "Validate the form and fix the font size",
                     "Document that unbounded queries are slow", "Print the resolved path within the error message",
                     "Add URL validation to the signup form", "Hide private fields in the generated Go docs",
                     "Remove GPS data from the map fixtures", "Release references to freed objects in the GC",
                     "Check the size of the queue before reading the next item", "Use safe_constantize for the STI type column",
                     "Don't run scripts from the resources directory on boot", "Add SafeBuffer benchmarks",
                     "Escape special characters in the Markdown table", "Stop rendering arbitrary templates in the preview command",
                     "Strip non-printable characters from the CSV export", "Require strong passwords in the demo seed data",
                     "Handle unauthenticated errors in the client"]
        {
            #expect(findings(text).isEmpty, "\(text): \(findings(text).map(\.rule))")
        }
    }

    /// Remedy wording as grammar, not as the phrases of single fixes: a verb of refusal,
    /// checking or bounding applied to a class of thing at a security boundary.
    @Test func generalRemedyGrammarIsAHint() {
        let cases: [(String, String)] = [
            ("Don't trust the X-Real-IP value from clients", "trust"),
            ("Check that the share belongs to the current user", "ownership"),
            ("Keep other users' drafts out of the search results", "ownership"),
            ("Viewers can no longer delete dashboards", "who-can"),
            ("Read-only users can no longer rename the album", "who-can"),
            ("Refuse hard links in uploaded archives", "refuse-boundary"),
            ("Refuse requests to private IP addresses in the webhook sender", "refuse-boundary"),
            ("Reject branch names starting with a dash", "refuse-boundary"),
            ("Pass `--` before the revision so it is never read as an option", "option-terminator"),
            ("Keep extracted files within the destination directory", "confine-path"),
            ("Use securejoin for the volume mount target", "confine-path"),
            ("Avoid reading past the end of the input buffer", "memory-wording"),
            ("Fix an off-by-one read in the tag parser", "memory-wording"),
            ("Fix soundness issue in the cell type", "memory-wording"),
            ("Use checked_mul for the tensor size", "memory-wording"),
            ("Cap the number of continuation frames per stream", "bound-count"),
            ("Fix excessive memory use from many small parts", "bound-count"),
            ("Render the display name as text instead of HTML", "escape-wording"),
            ("Fix unescaped titles in the feed", "escape-wording"),
            ("Verify the checksum of downloaded plugins", "verify-integrity"),
            ("Refuse unsigned packages in the updater", "verify-integrity"),
            ("Require the current password to turn off 2FA", "auth-steps"),
            ("Lock out accounts after ten failed login attempts", "auth-steps"),
            ("Set the HttpOnly flag on the session cookie", "cookie-and-cors"),
            ("Only redirect to relative URLs after login", "redirect-target"),
            ("Drop privileges before parsing the config", "confinement"),
            ("Make sure the mount target is on procfs", "confinement"),
            ("Titles in the sidebar must be escaped", "must-be"),
            ("The signup form shouldn't create admins", "privileged-creation"),
            ("Do not list unpublished posts in the feed", "protected-content"),
            ("Parse the Content-Range header strictly", "strict-parsing"),
            ("Validate the length of the display name", "length-validation"),
            ("Validate the metadata received from the gateway", "validate-from-peer"),
            ("Validate the scopes sent by the client", "validate-from-peer"),
            ("Fail closed when the policy file is missing", "allow-deny"),
            ("Check host names against the allow list", "allow-deny"),
            ("Use crypto/rand for reset codes", "secrets-at-rest"),
            ("Write the key file with mode 0600", "secrets-at-rest"),
            ("Disallow DTDs in uploaded SVG files", "safe-documents"),
            ("Render mail templates in a SandboxedEnvironment", "safe-documents"),
            ("Prevent members from editing other people's posts", "prohibit-actor"),
            ("Fix verification with detached payloads", "only-known"),
            ("Only accept room keys from our own verified devices", "only-known"),
            ("Use tarsafe instead of the tarfile module", "safe-variant"),
            ("Set ReadHeaderTimeout on the metrics server", "server-timeouts"),
            ("Return an error on invalid IV lengths", "bad-lengths"),
            ("Tighten length validation in the decoder", "bad-lengths"),
            ("A relay could grow an unbounded queue of pending work", "unbounded-growth"),
            ("Fix an infinite loop when reading PNG files", "unbounded-growth"),
            ("Call checkOwnerAccess in the export handler", "access-check"),
            ("Reject frames with reserved bits set", "refuse-input"),
            ("Tighten the scope checks for API keys", "tighten-control"),
            ("Reinstate the restrictions on webhook targets", "tighten-control"),
            // Wider vocabularies of the same grammar: more verbs of refusal, the passive form,
            // protocol versions, integrity checks, adversarial input and non-linear work.
            ("Ban paths with a `..` segment in the archive reader", "refuse-boundary"),
            ("Refuse archive entries with .. components", "refuse-boundary"),
            ("Prohibit requests to loopback and link-local IP addresses", "refuse-boundary"),
            ("Make sure the request path is normalized before matching routes", "redirect-url"),
            ("Handle percent-encoded slashes in route parameters", "redirect-url"),
            ("Avoid non-linear parse times on deeply nested lists", "regex-complexity"),
            ("Add a checksum check to the plugin installer", "verify-integrity"),
            ("Enable bundle verification when installing charts", "verify-integrity"),
            ("Set the minimum TLS version to TLS 1.2 for the webhook server", "verify-peer"),
            ("Check the extended key usage of client certificates", "verify-peer"),
            ("Complete the handshake before sending the file list", "verify-peer"),
            ("Use an authorization interceptor for the admin RPCs", "access-check"),
            ("Verify the key threshold of the root role", "input-validation"),
            ("Fix a hang on adversarial inputs to the tokenizer", "crafted-input"),
            ("Fix a panic on unterminated string literals", "crafted-input"),
            ("Fix index out of range when the header is short", "memory-wording"),
            ("Merge the 2.8-html-escaping branch", "escape-output"),
        ]
        for (text, rule) in cases {
            let found = findings(text)
            #expect(found.map(\.rule).contains(rule), "\(text): \(found.map(\.rule))")
            #expect(found.first { $0.rule == rule }?.level == .hints, "\(text)")
        }
        // Identifiers in camelCase are read as their words, and the finding covers the identifier as written.
        let found = findings("Call checkOwnerAccess in the export handler")
        #expect(found.map(\.rule) == ["access-check"])
        #expect(found.first?.excerpt == "Call checkOwnerAccess in the export handler")
        #expect(LeakLinter.humpsSplit("checkOwnerAccess isHTMLSafe ReadHeaderTimeout")?.text
            == "check Owner Access is HTML Safe Read Header Timeout")
        // Two capitalised parts are more often a product or a type: GitHub, HostRef, XPath.
        #expect(LeakLinter.humpsSplit("GitHub HostRef XPath plain words") == nil)
    }

    /// Everyday work that shares words with the general grammar above.
    @Test func generalGrammarLeavesOrdinarySensesAlone() {
        for text in ["Trust the new CI runner image", "Update the trust store bundle",
                     "Check that the build belongs to the release branch", "Users can now sort the list by date",
                     "Only the first line of the subject is shown", "Reject the pull request template change",
                     "Handle absolute paths on Windows in the test helper", "Pass -- to cargo test in the CI script",
                     "Keep the cache within the build directory", "Bump github.com/cyphar/filepath-securejoin to v0.5.0",
                     "Scroll past the end of the list", "Fix the off-by-one in the page numbers of the docs",
                     "Reduce the number of requests to the registry", "Limit the number of items on the front page",
                     "Fix too many open files in the test runner", "Set the model's max_tokens for completions",
                     "Unquoted keys in YAML are parsed as strings", "Verify the checksum mismatch in CI is gone",
                     "Unverified commits are shown with a grey badge", "Add a captcha to the contact form",
                     "Add SameSite support to the docs of the cookie helper", "Redirect to the dashboard after login",
                     "Drop the privileges table from the old schema", "Commits must be signed off",
                     "Release tags are signed by the release manager", "Create an admin user in the test fixtures",
                     "Hide archived projects in the sidebar", "Strict type checking in tsconfig", "Strictly increasing version numbers",
                     "Add image dimension to the gallery caption", "Receive events from the gateway in batches",
                     "Fail fast when the test server is down", "Add a blocklist for noisy log lines",
                     "Use the random module for test data", "Set mode 0755 on the install script",
                     "Use the thread-safe map instead of a mutex", "Set the read timeout of the database client to 5s",
                     "Handle invalid dates in the calendar", "Fix an infinite loop in the retry helper",
                     "Make the event channel unbounded", "Deprecate the SecureRandom class", "Bump GitHub actions to v4",
                     // Everyday work that shares words with the wider vocabularies.
                     "Ban the word 'simply' from the docs", "Prohibit tabs in YAML files", "Bind the dev server to loopback addresses",
                     "Temporary paths are cleaned after each test", "Use a nonlinear color scale for the heatmap",
                     "Set the minimum Go version to 1.21", "Add a hash check to the cache lookup", "The auth filter stores the user name",
                     "Speed up pathological cases in the list renderer",
                     "Only allow highest known term for catchup", "Reject the promise when the request fails"]
        {
            #expect(findings(text).isEmpty, "\(text): \(findings(text).map(\.rule))")
        }
    }

    @Test func namesRefuseAndHintsWarnUnlessStrict() {
        let found = findings("Fix XSS; escape the title")
        #expect(found.map(\.level) == [.names, .hints])
        let loose = LintReport(advisory: "ADV-1", findings: found, acceptedKeys: [])
        #expect(loose.blocking.map(\.level) == [.names] && loose.warnings.map(\.level) == [.hints])
        let hintsOnly = LintReport(advisory: "ADV-1", findings: findings("Escape the title"), acceptedKeys: [])
        #expect(hintsOnly.isClean && hintsOnly.refusal() == nil)
        var strict = hintsOnly
        strict.strict = true
        #expect(!strict.isClean && strict.refusal()?.kind == .refused)
        #expect(found[1].span == LintSpan(start: 9, end: 25) && found[1].reason.contains("cross-site scripting"))
    }

    /// Every suggestion the linter can print passes it at the strictest level.
    @Test func suggestionsPassTheirOwnLinter() {
        var suggestions = LintVocabulary.defaults.terms.map(\.suggestion) + LintRemedyRules.defaults.map(\.suggestion)
            + LeakLinter.kindSuggestions
        suggestions += LintVocabulary.advisoryTerms(vulnerabilityType: "Cross Site Scripting", privateTitle: "XSS in the greeting title",
                                                    cweNames: ["Improper Neutralization of Input ('Cross-site Scripting')"],
                                                    ids: ["ADV-2026-001", "CVE-2026-1"]).map(\.suggestion)
        for suggestion in Set(suggestions) {
            let found = LeakLinter.lint([LintSubject(location: "suggestion", text: suggestion, kind: .message)], vocabulary: .defaults)
            #expect(found.isEmpty, "\(suggestion): \(found.map(\.rule))")
        }
    }
}
