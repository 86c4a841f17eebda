import BosunModel

/// Reads `.env` and `env_file` files as Compose does: `KEY=VALUE`, `export KEY=VALUE`, `# comments`,
/// single quotes literal, double quotes with `\n`, `\t`, `\"`, `\\` escapes, `KEY` alone taking the environment's value.
public enum EnvFile {
    /// A line that is not an assignment.
    public struct LineError: Error, Sendable, Equatable {
        public var line: Int
        public var message: String
    }

    /// Parses the file; `interpolate` expands `${…}` in unquoted and double-quoted values.
    public static func parse(
        _ text: String,
        environment: (String) -> String?,
        interpolate: (String) throws -> String = { $0 }
    ) throws -> [(key: String, value: String, line: Int)] {
        var result: [(key: String, value: String, line: Int)] = []
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
                if let value = environment(key) { result.append((key, value, startLine)) }
                continue
            }
            let key = String(line[..<eq]).trimmingSpaces()
            guard isValidKey(key) else { throw LineError(line: startLine, message: "invalid variable name \"\(key)\"") }
            var value = String(line[line.index(after: eq)...]).trimmingSpaces()
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
                value = quote == "'" ? inner : try interpolate(unescape(inner))
            } else {
                if let hash = Substring(value).range(of: " #") { value = String(value[..<hash.lowerBound]).trimmingSpaces() }
                value = try interpolate(value)
            }
            result.append((key, value, startLine))
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
