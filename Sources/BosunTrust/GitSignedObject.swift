public import Foundation

/// A git commit or tag object split as git verifies it: the signed payload (the object without its signature)
/// and the armored signature — a commit's `gpgsig` header (its continuation lines unfolded), a tag's block
/// appended to its message — with the signer git names (committer or tagger: email and time).
public struct GitSignedObject: Sendable, Hashable {
    public var payload: [UInt8]
    /// The armored signature, nil when the object is unsigned.
    public var signature: String?
    /// The committer's (tagger's) email, without the angle brackets.
    public var signerEmail: String?
    /// The committer's (tagger's) time.
    public var signerTime: Date?

    /// Splits a raw commit object (`git cat-file commit`).
    public init(commit bytes: [UInt8]) {
        var payload: [UInt8] = [], signature: [String] = []
        var inSignature = false, inHeaders = true
        var email: String?, time: Date?
        for line in Self.lines(bytes) {
            if inHeaders {
                let text = String(decoding: line, as: UTF8.self)
                if line == [0x0a] { inHeaders = false }
                else if text.hasPrefix("gpgsig ") {
                    inSignature = true
                    signature.append(String(text.dropFirst("gpgsig ".count)).trimmingCharacters(in: .newlines))
                    continue
                } else if inSignature && text.hasPrefix(" ") {
                    signature.append(String(text.dropFirst()).trimmingCharacters(in: .newlines))
                    continue
                } else {
                    inSignature = false
                    if text.hasPrefix("committer ") { (email, time) = Self.signer(text) }
                }
            }
            payload += line
        }
        self.payload = payload
        self.signature = signature.isEmpty ? nil : signature.joined(separator: "\n") + "\n"
        signerEmail = email
        signerTime = time
    }

    /// Splits a raw annotated tag object (`git cat-file tag`): the signature is the block at the end of its message.
    public init(tag bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        var email: String?, time: Date?
        for line in text.split(separator: "\n") {
            if line.isEmpty { break }
            if line.hasPrefix("tagger ") { (email, time) = Self.signer(String(line)) }
        }
        signerEmail = email
        signerTime = time
        let markers = ["\n-----BEGIN SSH SIGNATURE-----", "\n-----BEGIN PGP SIGNATURE-----"].map { Array($0.utf8) }
        if let start = markers.compactMap({ Self.firstIndex(of: $0, in: bytes) }).min() {
            payload = Array(bytes[...start])  // the message keeps its last newline
            signature = String(decoding: bytes[(start + 1)...], as: UTF8.self)
        } else {
            payload = bytes
            signature = nil
        }
    }

    static func firstIndex(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard needle.count <= bytes.count else { return nil }
        return (0...(bytes.count - needle.count)).first { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    /// Lines with their newline.
    static func lines(_ bytes: [UInt8]) -> [[UInt8]] {
        var result: [[UInt8]] = [], current: [UInt8] = []
        for byte in bytes {
            current.append(byte)
            if byte == 0x0a {
                result.append(current)
                current = []
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// `committer Name <email> 1700000000 +0100` → (email, time).
    static func signer(_ line: String) -> (String?, Date?) {
        guard let open = line.lastIndex(of: "<"), let close = line.lastIndex(of: ">"), open < close else { return (nil, nil) }
        let email = String(line[line.index(after: open)..<close])
        let rest = line[line.index(after: close)...].split(separator: " ")
        let time = rest.first.flatMap { TimeInterval(String($0)) }.map { Date(timeIntervalSince1970: $0) }
        return (email, time)
    }
}
