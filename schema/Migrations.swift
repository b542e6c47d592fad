// The SQL files in this folder are the single source of truth for the store
// schema; the build embeds them. Append a new file and a new line here for each
// migration; never edit one that has shipped.

/// The store's migrations, in order, as (identifier, SQL).
public enum EmbargoMigrations {
    public static let all: [(identifier: String, sql: String)] = [
        ("m0001_init", text(PackageResources.m0001_init_sql)),
        ("m0002_advisories", text(PackageResources.m0002_advisories_sql)),
        ("m0003_audit", text(PackageResources.m0003_audit_sql)),
        ("m0004_patches", text(PackageResources.m0004_patches_sql)),
        ("m0005_releases", text(PackageResources.m0005_releases_sql)),
        ("m0006_membership", text(PackageResources.m0006_membership_sql)),
        ("m0007_disclosure", text(PackageResources.m0007_disclosure_sql)),
        ("m0008_advisory_lists", text(PackageResources.m0008_advisory_lists_sql)),
        ("m0009_accepted_findings", text(PackageResources.m0009_accepted_findings_sql)),
        ("m0010_branch_test_commands", text(PackageResources.m0010_branch_test_commands_sql)),
        ("m0011_people", text(PackageResources.m0011_people_sql)),
        ("m0012_project_blackouts", text(PackageResources.m0012_project_blackouts_sql)),
        ("m0013_releases", text(PackageResources.m0013_releases_sql)),
        ("m0014_keyed_former_members", text(PackageResources.m0014_keyed_former_members_sql)),
        ("m0015_affected_from", text(PackageResources.m0015_affected_from_sql)),
        ("m0016_project_title", text(PackageResources.m0016_project_title_sql)),
    ]

    private static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
