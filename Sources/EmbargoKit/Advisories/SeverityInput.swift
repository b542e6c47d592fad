import EmbargoStore

/// Checks severity vectors given on the command line. The scoring itself
/// lives in Severity/; this is the seam the registry calls.
enum SeverityInput {
    enum CVSSVersion: Equatable {
        case v31(String)
        case v40(String)
    }

    static func normalizedRisk(_ vector: String) throws -> String {
        vector
    }

    static func normalizedCVSS(_ vector: String) throws -> CVSSVersion {
        if vector.hasPrefix("CVSS:3.1/") { return .v31(vector) }
        if vector.hasPrefix("CVSS:4.0/") { return .v40(vector) }
        throw EmbargoError(.usage, "'\(vector.prefix(40))' is not a CVSS v3.1 or v4.0 vector",
                           hint: "start it with CVSS:3.1/ or CVSS:4.0/")
    }
}
