/// Compose variable interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`,
/// `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, `$VAR` and `$$` for a literal `$`. Defaults nest.
public struct Interpolator: Sendable {
    /// Why a value could not be interpolated.
    public struct Failure: Error, Sendable, Equatable {
        public var message: String
        public var hint: String?
    }

    let lookup: @Sendable (String) -> String?

    public init(lookup: @escaping @Sendable (String) -> String?) {
        self.lookup = lookup
    }

    public func interpolate(_ text: String) throws(Failure) -> String {
        var unset: [String] = []
        return try interpolate(text, unset: &unset)
    }

    /// Interpolates, appending to `unset` each variable substituted bare (`$VAR`, `${VAR}`) that is not set —
    /// those Compose warns about ("VAR is not set, defaulting to a blank string"); a default (`${VAR:-}`)
    /// or an alternative (`${VAR:+x}`) says the blank is meant.
    public func interpolate(_ text: String, unset: inout [String]) throws(Failure) -> String {
        guard text.contains("$") else { return text }
        var chars = Array(text.unicodeScalars)[...]
        return try expand(&chars, until: nil, depth: 0, unset: &unset)
    }

    /// Expands until `terminator` (a closing brace of an enclosing default) or the end.
    private func expand(_ s: inout ArraySlice<Unicode.Scalar>, until terminator: Unicode.Scalar?, depth: Int,
                        unset: inout [String]) throws(Failure) -> String {
        if depth > 32 { throw Failure(message: "interpolation nested more than 32 levels deep", hint: nil) }
        var out = String.UnicodeScalarView()
        var braces = 0
        while let c = s.first {
            if c == terminator && braces == 0 { return String(out) }
            s = s.dropFirst()
            if c == "{" && terminator != nil { braces += 1 }
            if c == "}" && terminator != nil { braces -= 1 }
            guard c == "$" else { out.append(c); continue }
            guard let next = s.first else { out.append("$"); continue }
            if next == "$" { out.append("$"); s = s.dropFirst(); continue }
            if next == "{" {
                s = s.dropFirst()
                out.append(contentsOf: try braced(&s, depth: depth, unset: &unset).unicodeScalars)
                continue
            }
            if Interpolator.isNameStart(next) {
                var name = ""
                while let n = s.first, Interpolator.isNameChar(n) { name.unicodeScalars.append(n); s = s.dropFirst() }
                if let value = lookup(name) { out.append(contentsOf: value.unicodeScalars) } else { unset.append(name) }
                continue
            }
            throw Failure(message: "invalid interpolation \"$\(Character(next))\"", hint: "write $$ for a literal $")
        }
        if terminator != nil { throw Failure(message: "unterminated ${ in interpolation", hint: "close it with }") }
        return String(out)
    }

    private func braced(_ s: inout ArraySlice<Unicode.Scalar>, depth: Int, unset: inout [String]) throws(Failure) -> String {
        var name = ""
        while let n = s.first, Interpolator.isNameChar(n) { name.unicodeScalars.append(n); s = s.dropFirst() }
        guard !name.isEmpty, let first = name.unicodeScalars.first, Interpolator.isNameStart(first) else {
            throw Failure(message: "invalid variable name in ${…}", hint: "a name is letters, digits and _, not starting with a digit")
        }
        guard let op = s.first else { throw Failure(message: "unterminated ${\(name)", hint: "close it with }") }
        if op == "}" {
            s = s.dropFirst()
            guard let value = lookup(name) else { unset.append(name); return "" }
            return value
        }
        var modifier = String(Character(op))
        s = s.dropFirst()
        if op == ":" {
            guard let second = s.first, "-?+".unicodeScalars.contains(second) else {
                throw Failure(message: "invalid modifier in ${\(name):…}", hint: "use :-default, :?error or :+alternative")
            }
            modifier.unicodeScalars.append(second)
            s = s.dropFirst()
        }
        guard ["-", ":-", "?", ":?", "+", ":+"].contains(modifier) else {
            throw Failure(message: "invalid modifier \"\(modifier)\" in ${\(name)…}", hint: "use -, :-, ?, :?, + or :+")
        }
        // Variables of a default or alternative count as unset only when it is used.
        var unsetInArgument: [String] = []
        let argument = try expand(&s, until: "}", depth: depth + 1, unset: &unsetInArgument)
        guard s.first == "}" else { throw Failure(message: "unterminated ${\(name)", hint: "close it with }") }
        s = s.dropFirst()
        let value = lookup(name)
        let unsetOrEmpty = value?.isEmpty ?? true
        let usesArgument: Bool
        switch modifier {
        case ":-": usesArgument = unsetOrEmpty
        case "-": usesArgument = value == nil
        case ":+": usesArgument = !unsetOrEmpty
        case "+": usesArgument = value != nil
        default: usesArgument = false
        }
        if usesArgument { unset += unsetInArgument }
        switch modifier {
        case ":-": return unsetOrEmpty ? argument : value!
        case "-": return value ?? argument
        case ":+": return unsetOrEmpty ? "" : argument
        case "+": return value == nil ? "" : argument
        case ":?", "?":
            if (modifier == ":?" && unsetOrEmpty) || (modifier == "?" && value == nil) {
                let why = argument.isEmpty ? "required variable \(name) is \(value == nil ? "not set" : "empty")" : "required variable \(name) is missing a value: \(argument)"
                throw Failure(message: why, hint: "set \(name) in the agent's environment or in .env beside the compose file")
            }
            return value!
        default: return value ?? ""
        }
    }

    static func isNameStart(_ c: Unicode.Scalar) -> Bool { c == "_" || (c.isASCII && c.properties.isAlphabetic) }
    static func isNameChar(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || ("0"..."9").contains(c) }
}
