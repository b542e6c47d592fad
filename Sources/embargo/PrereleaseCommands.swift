import ArgumentParser
import EmbargoCrypto
import EmbargoKit
import EmbargoStore
import Foundation

extension Embargo {
    struct PrereleaseCommands: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prerelease",
            abstract: "Build the pre-release the security team reviews, and verify bundles.",
            subcommands: [Create.self, Verify.self],
            defaultSubcommand: Create.self
        )
    }
}

extension Embargo.PrereleaseCommands {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Build release commits, tags and archives in a private clone and pack them into an encrypted, signed bundle.",
            discussion: """
                Needs a verified series on every affected branch and a clean lint. The bundle
                is encrypted with age to the recipients (default: every member with the
                security role), and with --gpg-recipient also to OpenPGP keys through gpg.
                Nothing of the fix enters the project's repository.

                Example:
                  embargo prerelease ADV-2026-001 --out ./outbox
                  embargo prerelease ADV-2026-001 --out ./outbox --recipient age1... \\
                    --gpg-recipient 0xDEADBEEF
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var repository: RepositoryOption
        @OptionGroup var output: OutputOptions
        @Argument(help: "The advisory id.") var id: String
        @Option(help: ArgumentHelp("Directory for the bundle.", valueName: "dir")) var out: String
        @Option(name: .customLong("recipient"), help: ArgumentHelp("An age recipient (repeat).", valueName: "age1...")) var recipients: [String] = []
        @Option(name: .customLong("gpg-recipient"), help: ArgumentHelp("An OpenPGP key id for a gpg-encrypted copy (repeat).", valueName: "keyid"))
        var gpgRecipients: [String] = []
        @Option(name: .customLong("accept-finding"), help: ArgumentHelp("Accept a lint finding by its key (repeat).", valueName: "key"))
        var acceptedFindings: [String] = []
        @Flag(help: "Use the branches as last fetched (by default the project's remote is fetched first).") var offline = false

        func run() throws {
            var options = PrereleaseOptions(outputDirectory: URL(fileURLWithPath: out))
            options.offline = offline
            options.recipients = recipients
            options.gpgRecipients = gpgRecipients
            options.acceptedFindings = Set(acceptedFindings)
            let workspace = try location.workspace(repository)
            try TeamAutoSync.syncFirst(workspace, for: "prerelease")
            let result = try workspace.prerelease(id, options: options) { Progress.step($0) }
            let project = try workspace.project(named: workspace.advisory(id).project)
            if project.committer == nil {
                Terminal.warn("project \(project.project.name) has no committer: the release commits and tags are by '\(Workspace.defaultCommitter)'; set yours with 'embargo project set \(project.project.name) --committer \"Name <email>\"' and build the pre-release again")
            }
            Terminal.warnUnset(try workspace.unsetPublicFields(id), of: result.manifest.advisory, when: "goes to the security team")
            // Built too late for the release day (drupal: before 16:00 UTC that day): said now, not only in the timeline.
            for late in try workspace.scheduleReport(id).violations where late.rule.hasPrefix("prerelease-before") {
                Terminal.warn("\(late.profile).\(late.rule): \(late.message)",
                              hint: "the security team may not publish on time; move the disclosure with 'embargo schedule \(id) --next-window' and tell them")
            }
            if !result.breakingChanges.isEmpty {
                Terminal.warn("the security release carries changes marked breaking, which a patch release should not: " + result.breakingChanges.joined(separator: "; "),
                              hint: "base the fix on the last release: take them off the branch (or release them in a major first), then build the pre-release again")
            }
            if output.json {
                try Terminal.printJSON(PrereleaseReport(result))
            } else {
                Terminal.say("wrote \(result.bundle.path)")
                if let gpg = result.gpgBundle { Terminal.say("wrote \(gpg.path)") }
                Terminal.say("sha256 \(result.bundleHash)")
                Terminal.say("manifest sha256 \(result.manifestHash) (what the security team approves)")
                for branch in result.manifest.branches {
                    Terminal.say("\(branch.plan.branch): \(branch.tagName) at \(branch.releaseCommit.prefix(12)) (tag \(branch.tagObject.prefix(12)))")
                }
                Terminal.say("recipients: \(result.recipients.count)")
                if result.manifest.carried.count > 1 {
                    Terminal.say("carries the fixes of \(result.manifest.carried.joined(separator: ", ")), released together")
                }
                Terminal.say("next: " + NextStep.afterPrerelease(result.manifest.carried, bundle: result.bundle))
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Decrypt a bundle, check its signature and every checksum, and show what it holds.",
            discussion: """
                The signer is checked against the store's members, or against --signer-key
                without a store. Exit 4 when anything does not match.

                Example:
                  embargo prerelease verify sample_module-1.0.2-1.1.1.prerelease.tar.age \\
                    --identity ~/security.identity
                  embargo prerelease verify BUNDLE --identity key.txt --signer-key RWQ...
                """
        )

        @OptionGroup var location: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The bundle file (.tar.age).") var bundle: String
        @Option(name: .customLong("signer-key"), help: ArgumentHelp("A minisign public key allowed to sign (repeat); no store needed.", valueName: "RW..."))
        var signerKeys: [String] = []
        @Flag(help: "Check a pre-release that a newer one superseded (otherwise exit 4).") var allowSuperseded = false

        func validate() throws {
            if allowSuperseded, !signerKeys.isEmpty {
                throw ValidationError("--allow-superseded needs the store, which knows the current pre-release; it does not go with --signer-key")
            }
        }

        func run() throws {
            guard let bytes = try SafeFile.read(URL(fileURLWithPath: bundle)) else {
                throw EmbargoError(.failure, "no bundle at \(bundle)")
            }
            // One unlock: the store's workspace carries the identity.
            let workspace = signerKeys.isEmpty ? try location.workspace() : nil
            let identity = try workspace?.identity ?? location.loadIdentity()
            let signers = try workspace?.signingKeys() ?? signerKeys.enumerated().map { ("--signer-key \($0.offset + 1)", $0.element) }
            let report = try BundleVerifier.verify(bytes, identity: identity.age, signers: signers, store: workspace?.notAddressed)
            let trust = try workspace?.checkBundle(report, allowSuperseded: allowSuperseded)
            if output.json {
                try Terminal.printJSON(BundleReport(report, trust: trust))
            } else {
                if let trust {
                    Terminal.say("bundle ok: signed by \(report.signer), its creator (\(trust.creatorRole.rawValue)) (\(report.trustedComment.replacingOccurrences(of: "\t", with: " ")))")
                    Terminal.say(trust.current ? "pre-release \(trust.prerelease): the current one"
                        : "pre-release \(trust.prerelease): SUPERSEDED by \(trust.supersededBy.map { "pre-release \($0)" } ?? "a revert"), checked on request")
                } else {
                    Terminal.say("bundle ok: signed by \(report.signer) (\(report.trustedComment.replacingOccurrences(of: "\t", with: " ")))")
                    Terminal.note("without a store, who may sign and whether the bundle is current were not checked")
                }
                Terminal.say("\(report.manifest.carried.count > 1 ? "advisories" : "advisory") \(report.manifest.carried.joined(separator: ", ")), project \(report.manifest.project), created \(report.manifest.createdAt) by \(report.manifest.createdBy)")
                for branch in report.manifest.branches {
                    Terminal.say("\(branch.plan.branch): \(branch.tagName) release commit \(branch.releaseCommit) tag \(branch.tagObject)")
                }
                Terminal.printTable(["FILE", "BYTES"], report.files.map { [$0.path, String($0.size)] })
            }
        }
    }
}

struct PrereleaseReport: Encodable {
    let bundle: String
    let gpgBundle: String?
    let sha256: String
    let manifestSHA256: String
    let recipients: [String]
    let manifest: PrereleaseManifest

    init(_ result: PrereleaseResult) {
        bundle = result.bundle.path
        gpgBundle = result.gpgBundle?.path
        sha256 = result.bundleHash
        manifestSHA256 = result.manifestHash
        recipients = result.recipients
        manifest = result.manifest
    }

    enum CodingKeys: String, CodingKey {
        case bundle, sha256, recipients, manifest
        case gpgBundle = "gpg_bundle"
        case manifestSHA256 = "manifest_sha256"
    }
}

struct BundleReport: Encodable {
    let ok = true
    let signer: String
    let prerelease: Int?
    let current: Bool?
    let trustedComment: String
    let manifest: PrereleaseManifest
    let files: [[String: String]]

    init(_ report: BundleVerifier.Report, trust: BundleTrust?) {
        signer = report.signer
        prerelease = trust?.prerelease
        current = trust?.current
        trustedComment = report.trustedComment
        manifest = report.manifest
        files = report.files.map { ["path": $0.path, "size": String($0.size)] }
    }

    enum CodingKeys: String, CodingKey {
        case ok, signer, manifest, files, prerelease, current
        case trustedComment = "trusted_comment"
    }
}
