import EmbargoSeverity

/// The input as a Drupal risk vector, a Drupal risk as printed, and a CVSS
/// 3.1/4.0 vector. Each parses or throws an EmbargoError; a trap or a sanitizer
/// report is a bug, and so is a parsed value whose printed form does not parse
/// back to the same score.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let risk = try? DrupalRisk(parsing: text) {
        precondition((try? DrupalRisk(parsingDisplay: risk.display)) == risk, "display of \(text) does not parse back")
    }
    if let risk = try? DrupalRisk(parsingDisplay: text) {
        precondition((try? DrupalRisk(parsing: risk.vector)) == risk, "vector of \(text) does not parse back")
    }
    if let severity = try? Severity(parsing: text) {
        _ = severity.display
        switch severity {
        case .cvss3(let cvss):
            _ = (cvss.temporalRating, cvss.environmentalRating)
            precondition((try? CVSS3(parsing: cvss.normalizedVector))?.baseScore == cvss.baseScore,
                         "normalized form of \(text) scores differently")
        case .cvss40(let cvss):
            _ = cvss.nomenclature
            precondition((try? CVSS40(parsing: cvss.normalizedVector))?.score == cvss.score,
                         "normalized form of \(text) scores differently")
        }
    }
    return 0
}
