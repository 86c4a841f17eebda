public import Foundation

/// An allowed-signers file in the format of `ssh-keygen`'s ALLOWED SIGNERS (git's `gpg.ssh.allowedSignersFile`):
/// one key per line, `PRINCIPALS [OPTIONS] KEYTYPE BASE64 [COMMENT]`, with the options `namespaces="…"`,
/// `valid-after="…"`, `valid-before="…"` and `cert-authority` (refused by name: bosun does not verify
/// certificates). Blank lines and `#` comments are skipped. Errors name the line.
public struct AllowedSigners: Sendable, Hashable {
    /// One line of the file.
    public struct Entry: Sendable, Hashable {
        /// Comma-separated patterns (`*`, `?`, `!` to negate), as written.
        public var principals: [String]
        /// nil: every namespace.
        public var namespaces: [String]?
        public var validAfter: Date?
        public var validBefore: Date?
        public var key: SSHPublicKey
        /// The line it was on (1-based).
        public var line: Int

        /// Whether `principal` matches the entry's patterns (a negated pattern that matches excludes it).
        public func matches(principal: String) -> Bool { AllowedSigners.matches(principals, principal) }

        /// Whether the key may sign in `namespace` (a negated pattern that matches excludes it, as OpenSSH's).
        public func allows(namespace: String) -> Bool { namespaces.map { AllowedSigners.matches($0, namespace) } ?? true }

        /// Nil when `time` is inside the validity window; otherwise why not.
        public func outsideValidity(at time: Date) -> String? {
            if let validAfter, time < validAfter { return "its key is valid only after \(AllowedSigners.format(validAfter))" }
            if let validBefore, time >= validBefore { return "its key was valid only before \(AllowedSigners.format(validBefore))" }
            return nil
        }
    }

    public var entries: [Entry]
    /// Lines skipped because their key type is not one bosun verifies (`sk-ssh-ed25519@openssh.com`, `ssh-dss`),
    /// as "line N: why". A signature by such a key is an unknown key.
    public var skipped: [String] = []

    /// Parses the file's text; `name` is how errors call it. `timeZone` reads timestamps written without `Z`
    /// (OpenSSH reads them in local time).
    public init(text: String, name: String = "allowed signers", timeZone: TimeZone = .current) throws(TrustError) {
        var entries: [Entry] = []
        var skipped: [String] = []
        // Lines end at \n, with or without \r (in Swift "\r\n" is one Character: split the scalars).
        let lines = String(text.unicodeScalars.filter { $0 != "\r" }).split(separator: "\n", omittingEmptySubsequences: false)
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            do throws(TrustError) {
                entries.append(try Self.entry(line, number: index + 1, timeZone: timeZone))
            } catch where error.message.hasPrefix("unsupported SSH key type") {
                skipped.append("line \(index + 1): \(error.message)")
            } catch {
                throw TrustError("\(name):\(index + 1): \(error.message)")
            }
        }
        self.entries = entries
        self.skipped = skipped
    }

    static func entry(_ line: String, number: Int, timeZone: TimeZone) throws(TrustError) -> Entry {
        var fields = Self.fields(line)
        guard fields.count >= 3 else { throw TrustError("a line needs principals, a key type and a key") }
        let principals = fields.removeFirst().split(separator: ",").map(String.init)
        var namespaces: [String]?, after: Date?, before: Date?
        if !SSHPublicKey.supportedTypes.contains(fields[0]) && !fields[0].hasPrefix("ssh-") && !fields[0].hasPrefix("ecdsa-")
            && !fields[0].hasPrefix("sk-") {
            for option in Self.options(fields.removeFirst()) {
                let (key, value) = option
                switch key.lowercased() {
                case "namespaces": namespaces = value?.split(separator: ",").map(String.init)
                case "valid-after": after = try Self.timestamp(value, option: key, timeZone: timeZone)
                case "valid-before": before = try Self.timestamp(value, option: key, timeZone: timeZone)
                case "cert-authority": throw TrustError("cert-authority is not supported: list the signers' own keys")
                default: throw TrustError("unknown option \(key)")
                }
            }
        }
        guard fields.count >= 2 else { throw TrustError("a line needs a key type and a key after its options") }
        return Entry(principals: principals, namespaces: namespaces, validAfter: after, validBefore: before,
                     key: try SSHPublicKey(type: fields[0], base64: fields[1]), line: number)
    }

    /// Whitespace-separated fields, where double quotes keep spaces together.
    static func fields(_ line: String) -> [String] {
        var fields: [String] = [], current = "", quoted = false
        for character in line {
            if character == "\"" { quoted.toggle() }
            if (character == " " || character == "\t") && !quoted {
                if !current.isEmpty { fields.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { fields.append(current) }
        return fields
    }

    /// `a,b="x,y",c` → [(a, nil), (b, "x,y"), (c, nil)].
    static func options(_ text: String) -> [(String, String?)] {
        var result: [(String, String?)] = [], current = "", quoted = false
        func flush() {
            guard !current.isEmpty else { return }
            if let equals = current.firstIndex(of: "=") {
                result.append((String(current[..<equals]), String(current[current.index(after: equals)...]).replacingOccurrences(of: "\"", with: "")))
            } else {
                result.append((current, nil))
            }
            current = ""
        }
        for character in text {
            if character == "\"" { quoted.toggle() }
            if character == "," && !quoted { flush() } else { current.append(character) }
        }
        flush()
        return result
    }

    /// `YYYYMMDD[HHMM[SS]][Z]`.
    static func timestamp(_ value: String?, option: String, timeZone: TimeZone) throws(TrustError) -> Date {
        guard var text = value else { throw TrustError("\(option) needs a timestamp") }
        var zone = timeZone
        if text.hasSuffix("Z") || text.hasSuffix("z") {
            text.removeLast()
            zone = TimeZone(identifier: "UTC")!
        }
        let digits = text.compactMap(\.wholeNumberValue)
        guard digits.count == text.count, [8, 12, 14].contains(digits.count) else {
            throw TrustError("\(option)=\"\(value ?? "")\" is not YYYYMMDD[HHMM[SS]][Z]")
        }
        func number(_ range: Range<Int>) -> Int { digits[range].reduce(0) { $0 * 10 + $1 } }
        var components = DateComponents(year: number(0..<4), month: number(4..<6), day: number(6..<8))
        if digits.count >= 12 { components.hour = number(8..<10); components.minute = number(10..<12) }
        if digits.count == 14 { components.second = number(12..<14) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        // Calendar rolls 20241301 over to 2025-01-01; OpenSSH refuses it: the date must read back as written.
        guard let date = calendar.date(from: components),
              calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date).matches(components) else {
            throw TrustError("\(option)=\"\(value ?? "")\" is not a date")
        }
        return date
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }

    /// OpenSSH's `match_pattern_list`: some pattern matches `text` and no negated one (`!pattern`) does.
    static func matches(_ patterns: [String], _ text: String) -> Bool {
        var matched = false
        for pattern in patterns {
            if pattern.hasPrefix("!") {
                if glob(String(pattern.dropFirst()), text) { return false }
            } else if glob(pattern, text) {
                matched = true
            }
        }
        return matched
    }

    /// OpenSSH's `match_pattern`: `*` any run, `?` one character.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1; ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

private extension DateComponents {
    /// Every field `written` sets has the same value here (unset hour, minute, second are 0).
    func matches(_ written: DateComponents) -> Bool {
        year == written.year && month == written.month && day == written.day && (hour ?? 0) == (written.hour ?? 0)
            && (minute ?? 0) == (written.minute ?? 0) && (second ?? 0) == (written.second ?? 0)
    }
}
