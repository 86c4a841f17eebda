public import Foundation

/// A git commit or tag object split as git verifies it: the signed payload (the object without its signature)
/// and the armored signature — a commit's `gpgsig` header (its continuation lines unfolded; `gpgsig-sha256`
/// and other `gpgsig*` headers left out of the payload, as git leaves them), a tag's block appended to its
/// message (from the last line that starts a signature, as git's `parse_signed_buffer`) — with the signer git
/// names (committer or tagger: email and time, parsed as git's `split_ident_line` does).
public struct GitSignedObject: Sendable, Hashable {
    public var payload: [UInt8]
    /// The armored signature, nil when the object is unsigned.
    public var signature: String?
    /// The committer's (tagger's) email, without the angle brackets.
    public var signerEmail: String?
    /// The committer's (tagger's) time.
    public var signerTime: Date?
    /// A tag's name (its `tag` header); nil for a commit.
    public var tagName: String?

    /// Splits a raw commit object (`git cat-file commit`).
    public init(commit bytes: [UInt8]) {
        var payload: [UInt8] = [], signature: [String] = []
        var inSignature = false, inOtherSignature = false, inHeaders = true
        var email: String?, time: Date?
        for line in Self.lines(bytes) {
            if inHeaders {
                if line == [0x0a] { inHeaders = false }
                else if line.starts(with: Array("gpgsig ".utf8)) {
                    inSignature = true
                    signature.append(Self.text(line.dropFirst("gpgsig ".count)))
                    continue
                } else if line.starts(with: Array("gpgsig".utf8)) {
                    inOtherSignature = true  // gpgsig-sha256: another hash's signature, not part of what is signed
                    continue
                } else if line.first == 0x20 && (inSignature || inOtherSignature) {
                    if inSignature { signature.append(Self.text(line.dropFirst())) }
                    continue
                } else {
                    inSignature = false
                    inOtherSignature = false
                    if line.starts(with: Array("committer ".utf8)) { (email, time) = Self.ident(Self.text(line.dropFirst("committer ".count))) }
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
        var email: String?, time: Date?, name: String?
        var offset = 0
        for line in Self.lines(bytes) {
            offset += line.count
            if line == [0x0a] { break }  // the end of the headers
            if line.starts(with: Array("tagger ".utf8)) { (email, time) = Self.ident(Self.text(line.dropFirst("tagger ".count))) }
            if line.starts(with: Array("tag ".utf8)) { name = Self.text(line.dropFirst("tag ".count)) }
        }
        signerEmail = email
        signerTime = time
        tagName = name
        // git's rule: the last line (of the message) that begins a signature block starts the signature.
        let markers = ["-----BEGIN PGP SIGNATURE-----", "-----BEGIN PGP MESSAGE-----", "-----BEGIN SIGNED MESSAGE-----",
                       "-----BEGIN SSH SIGNATURE-----"].map { Array($0.utf8) }
        var start: Int?
        var position = 0
        for line in Self.lines(bytes) {
            if position >= offset && markers.contains(where: { line.starts(with: $0) }) { start = position }
            position += line.count
        }
        if let start {
            payload = Array(bytes[..<start])
            signature = String(decoding: bytes[start...], as: UTF8.self)
        } else {
            payload = bytes
            signature = nil
        }
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

    /// A header line's text without its newline.
    static func text<S: Sequence<UInt8>>(_ bytes: S) -> String {
        var text = String(decoding: Array(bytes), as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// `Name <email> 1700000000 +0100` → (email, time), as git's `split_ident_line`: the email is between the
    /// first `<` and the `>` after it; the time is the digits after it. A malformed time is no time.
    static func ident(_ text: String) -> (String?, Date?) {
        guard let open = text.firstIndex(of: "<"), let close = text[open...].firstIndex(of: ">") else { return (nil, nil) }
        let email = String(text[text.index(after: open)..<close])
        let rest = text[text.index(after: close)...].split(separator: " ")
        guard let first = rest.first, !first.isEmpty, first.allSatisfy({ $0.isASCII && $0.isNumber }), let seconds = Int64(first) else {
            return (email, nil)
        }
        return (email, Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
