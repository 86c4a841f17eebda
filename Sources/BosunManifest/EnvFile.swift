import BosunModel

/// Reads `.env` and `env_file` files as Compose does: `KEY=VALUE`, `export KEY=VALUE`, `# comments`,
/// single quotes literal, double quotes with `\n`, `\t`, `\"`, `\\` escapes, `KEY` alone taking the environment's value.
public enum EnvFile {
    /// A line that is not an assignment.
    public struct LineError: Error, Sendable, Equatable {
        public var line: Int
        public var message: String
        public var hint: String?
    }

    /// One assignment of the file.
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: String
        /// The line the assignment starts on.
        public var line: Int
        /// Variables the value substituted bare (`$VAR`, `${VAR}`) that were not set, for a warning.
        public var unset: [String] = []
    }

    /// Parses the file as Compose's dotenv parser does. Unquoted and double-quoted values are interpolated
    /// from the entries above first, then `environment`; a `KEY` alone takes `environment`'s value and is
    /// left out when it has none. `raw` (`format: raw`) takes each `KEY=VALUE` line as written.
    public static func parse(
        _ text: String,
        environment: @escaping @Sendable (String) -> String?,
        raw: Bool = false
    ) throws -> [Entry] {
        if raw { return try parseRaw(text) }
        var result: [Entry] = []
        var above: [String: String] = [:]
        func interpolate(_ value: String, into entry: inout Entry) throws -> String {
            let known = above
            do { return try Interpolator { known[$0] ?? environment($0) }.interpolate(value, unset: &entry.unset) } catch {
                throw LineError(line: entry.line, message: error.message, hint: error.hint)
            }
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }[...]
        var lineNumber = 0
        while let raw = lines.popFirst() {
            lineNumber += 1
            let startLine = lineNumber
            var line = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
            line = line.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingSpaces() }
            guard let eq = line.firstIndex(of: "=") else {
                let key = line
                guard isValidKey(key) else { throw LineError(line: startLine, message: "\"\(key)\" is not KEY=VALUE") }
                if let value = above[key] ?? environment(key) {
                    result.append(Entry(key: key, value: value, line: startLine))
                    above[key] = value
                }
                continue
            }
            let key = String(line[..<eq]).trimmingSpaces()
            guard isValidKey(key) else { throw LineError(line: startLine, message: "invalid variable name \"\(key)\"") }
            var value = String(line[line.index(after: eq)...]).trimmingSpaces()
            var entry = Entry(key: key, value: "", line: startLine)
            if let quote = value.first, quote == "\"" || quote == "'" {
                // A quoted value may span lines until the closing quote.
                var body = String(value.dropFirst())
                while !hasClosingQuote(body, quote) {
                    guard let more = lines.popFirst() else {
                        throw LineError(line: startLine, message: "unterminated \(quote) quote")
                    }
                    lineNumber += 1
                    body += "\n" + more
                }
                let close = closingQuoteIndex(body, quote)!
                let inner = String(body[..<close])
                value = quote == "'" ? inner : try interpolate(unescape(inner), into: &entry)
            } else {
                if let hash = Substring(value).range(of: " #") { value = String(value[..<hash.lowerBound]).trimmingSpaces() }
                value = try interpolate(value, into: &entry)
            }
            entry.value = value
            result.append(entry)
            above[key] = value
        }
        return result
    }

    /// `format: raw`: every non-empty line that is not a comment is `KEY=VALUE`, the value verbatim.
    static func parseRaw(_ text: String) throws -> [Entry] {
        var result: [Entry] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else { throw LineError(line: index + 1, message: "\"\(line)\" is not KEY=VALUE") }
            let key = String(line[..<eq])
            guard isValidKey(key) else { throw LineError(line: index + 1, message: "invalid variable name \"\(key)\"") }
            result.append(Entry(key: key, value: String(line[line.index(after: eq)...]), line: index + 1))
        }
        return result
    }

    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || $0 == "." || $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }

    static func closingQuoteIndex(_ body: String, _ quote: Character) -> String.Index? {
        var escaped = false
        for index in body.indices {
            let c = body[index]
            if escaped { escaped = false; continue }
            if c == "\\" && quote == "\"" { escaped = true; continue }
            if c == quote { return index }
        }
        return nil
    }

    static func hasClosingQuote(_ body: String, _ quote: Character) -> Bool { closingQuoteIndex(body, quote) != nil }

    static func unescape(_ text: String) -> String {
        var out = ""
        var escaped = false
        for c in text {
            if escaped {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                default: out.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        if escaped { out.append("\\") }
        return out
    }
}
