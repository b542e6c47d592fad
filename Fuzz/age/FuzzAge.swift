import EmbargoCrypto

// The identities of the age test vectors `x25519` and `scrypt`
// (Tests/Fixtures/age/testdata), so the seeds made from those vectors decrypt
// and the fuzzer reaches the header MAC, the payload and the armor end.
// scrypt work factors are capped at 10 (the vector's): a header cannot make a
// run spend more than a few milliseconds in scrypt.
let x25519 = try! AgeX25519Identity(parsing: "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0")
let scrypt = AgeScryptIdentity(passphrase: SecureBytes(copying: Array("password".utf8)), maxWorkFactor: 10)

/// Any input either decrypts or throws; a trap or a sanitizer report is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? Age.decrypt(bytes, identities: [x25519, scrypt])
    return 0
}
