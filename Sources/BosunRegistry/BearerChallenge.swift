/// A `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
struct AuthChallenge: Sendable, Hashable {
    enum Scheme: Sendable, Hashable { case basic, bearer }
    var scheme: Scheme
    var parameters: [String: String]

    var realm: String? { parameters["realm"] }
    var service: String? { parameters["service"] }
    var scope: String? { parameters["scope"] }

    /// Parses one header value; nil for schemes bosun does not speak.
    init?(header: String) {
        let trimmed = header.drop { $0 == " " }
        guard let space = trimmed.firstIndex(of: " ") ?? Optional(trimmed.endIndex) else { return nil }
        switch trimmed[..<space].lowercased() {
        case "bearer": scheme = .bearer
        case "basic": scheme = .basic
        default: return nil
        }
        parameters = AuthChallenge.parameters(trimmed[space...])
        if scheme == .bearer && realm == nil { return nil }
    }

    /// `key=value` or `key="quoted, with \"escapes\""`, separated by commas.
    static func parameters(_ text: Substring) -> [String: String] {
        var out: [String: String] = [:]
        var i = text.startIndex
        func skip(_ set: Set<Character>) { while i < text.endIndex && set.contains(text[i]) { i = text.index(after: i) } }
        while i < text.endIndex {
            skip([" ", ","])
            let keyStart = i
            while i < text.endIndex && text[i] != "=" && text[i] != "," { i = text.index(after: i) }
            let key = text[keyStart..<i].trimmingSpaces().lowercased()
            guard i < text.endIndex, text[i] == "=" else { continue }
            i = text.index(after: i)
            var value = ""
            if i < text.endIndex && text[i] == "\"" {
                i = text.index(after: i)
                while i < text.endIndex && text[i] != "\"" {
                    if text[i] == "\\" { i = text.index(after: i); if i == text.endIndex { break } }
                    value.append(text[i])
                    i = text.index(after: i)
                }
                if i < text.endIndex { i = text.index(after: i) }
            } else {
                let start = i
                while i < text.endIndex && text[i] != "," { i = text.index(after: i) }
                value = String(text[start..<i]).trimmingSpaces()
            }
            if !key.isEmpty { out[key] = value }
        }
        return out
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
