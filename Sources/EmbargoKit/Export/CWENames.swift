/// Names of common weaknesses, as the CWE list writes them. CSAF requires a
/// CWE's name next to its id, and its mandatory test 6.1.11 checks the name
/// against the CWE list, so the names here are copied exactly.
public enum CWENames {
    /// The ids Drupal and web advisories use most, with their official names (CWE 4.x).
    public static let known: [Int: String] = [
        20: "Improper Input Validation",
        22: "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')",
        74: "Improper Neutralization of Special Elements in Output Used by a Downstream Component ('Injection')",
        77: "Improper Neutralization of Special Elements used in a Command ('Command Injection')",
        78: "Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')",
        79: "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
        89: "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')",
        94: "Improper Control of Generation of Code ('Code Injection')",
        116: "Improper Encoding or Escaping of Output",
        200: "Exposure of Sensitive Information to an Unauthorized Actor",
        269: "Improper Privilege Management",
        276: "Incorrect Default Permissions",
        284: "Improper Access Control",
        285: "Improper Authorization",
        287: "Improper Authentication",
        295: "Improper Certificate Validation",
        306: "Missing Authentication for Critical Function",
        312: "Cleartext Storage of Sensitive Information",
        319: "Cleartext Transmission of Sensitive Information",
        327: "Use of a Broken or Risky Cryptographic Algorithm",
        352: "Cross-Site Request Forgery (CSRF)",
        384: "Session Fixation",
        400: "Uncontrolled Resource Consumption",
        434: "Unrestricted Upload of File with Dangerous Type",
        502: "Deserialization of Untrusted Data",
        532: "Insertion of Sensitive Information into Log File",
        601: "URL Redirection to Untrusted Site ('Open Redirect')",
        611: "Improper Restriction of XML External Entity Reference",
        613: "Insufficient Session Expiration",
        639: "Authorization Bypass Through User-Controlled Key",
        732: "Incorrect Permission Assignment for Critical Resource",
        770: "Allocation of Resources Without Limits or Throttling",
        798: "Use of Hard-coded Credentials",
        862: "Missing Authorization",
        863: "Incorrect Authorization",
        918: "Server-Side Request Forgery (SSRF)",
        1021: "Improper Restriction of Rendered UI Layers or Frames",
        1321: "Improperly Controlled Modification of Object Prototype Attributes ('Prototype Pollution')",
        1333: "Inefficient Regular Expression Complexity",
        1336: "Improper Neutralization of Special Elements Used in a Template Engine",
        1427: "Improper Neutralization of Input Used for LLM Prompting",
    ]

    /// The official name, or `CWE-N` for an id not in the table (which CSAF's
    /// test 6.1.11 would flag: add the name here when that happens).
    public static func name(_ id: Int) -> String {
        known[id] ?? "CWE-\(id)"
    }
}
