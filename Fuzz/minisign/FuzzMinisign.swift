import EmbargoCrypto

// The key the seeds in Fuzz/corpus/minisign were signed with, and the message.
let publicKey = try! MinisignPublicKey(fileContents: """
    untrusted comment: minisign public key E06CBCAA3C698D67
    RWRnjWk8qrxs4GyKtaV5OaThVQQ4Hj+pasQG3FtWw9z1E7KKZ+ckVCb1
    """)
let message = Array("embargo fuzz seed\n".utf8)

/// A `.minisig` or public key file either parses or throws a MinisignError; a
/// trap or a sanitizer report is a bug, and so is a signature that does not
/// survive encoding and parsing again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let signature = try? MinisignSignature(parsing: text) {
        precondition((try? MinisignSignature(parsing: signature.encoded)) == signature, "signature does not round-trip")
        _ = try? publicKey.verify(signature, for: message)
    }
    _ = try? MinisignPublicKey(fileContents: text)
    return 0
}
