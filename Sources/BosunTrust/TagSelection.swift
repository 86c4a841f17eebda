/// Which tag `signatures: tag` converges: `ref:` names a tag, or a pattern (`v*`, `release-*`) whose newest
/// tag by SemVer precedence is taken — the version being what follows the pattern's literal prefix, a
/// leading `v` allowed; names that are not versions are not candidates.
public enum TagSelection {
    /// The tag `pattern` selects among `names`; nil when none matches.
    public static func select(_ pattern: String, among names: [String]) -> String? {
        guard pattern.contains(where: { "*?".contains($0) }) else { return names.contains(pattern) ? pattern : nil }
        let prefix = pattern.prefix { !"*?".contains($0) }.count
        // The version starts within the pattern's literal prefix or right after it (`v1.*` selects `v1.10.0`).
        func version(_ name: String) -> SemanticVersion? {
            (0...min(prefix, name.count)).reversed().lazy.compactMap { SemanticVersion(String(name.dropFirst($0))) }.first
        }
        return names.filter { AllowedSigners.glob(pattern, $0) }.compactMap { name in version(name).map { (name, $0) } }
            .max { $0.1 < $1.1 }?.0
    }
}

/// A semantic version (semver.org 2.0.0): MAJOR.MINOR.PATCH, a pre-release and build metadata, compared by
/// SemVer precedence (build metadata ignored; a pre-release is lower than its release; numeric identifiers
/// compare as numbers and below alphanumeric ones).
public struct SemanticVersion: Sendable, Hashable, Comparable {
    public var numbers: [Int]
    public var preRelease: [String]

    /// Parses `1.2.3`, `v1.2.3`, `1.2.3-rc.1+build.5`; nil for anything else.
    public init?(_ text: String) {
        var text = Substring(text)
        if text.hasPrefix("v") || text.hasPrefix("V") { text = text.dropFirst() }
        if let plus = text.firstIndex(of: "+") { text = text[..<plus] }
        var pre: [String] = []
        if let dash = text.firstIndex(of: "-") {
            pre = text[text.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !pre.isEmpty, pre.allSatisfy({ !$0.isEmpty }) else { return nil }
            text = text[..<dash]
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              parts.allSatisfy({ $0 == "0" || !$0.hasPrefix("0") }) else { return nil }
        numbers = parts.compactMap { Int($0) }
        guard numbers.count == 3 else { return nil }
        preRelease = pre
    }

    public static func < (a: SemanticVersion, b: SemanticVersion) -> Bool {
        if a.numbers != b.numbers { return a.numbers.lexicographicallyPrecedes(b.numbers) }
        if a.preRelease.isEmpty || b.preRelease.isEmpty { return !a.preRelease.isEmpty && b.preRelease.isEmpty }
        for (x, y) in zip(a.preRelease, b.preRelease) where x != y {
            switch (Int(x), Int(y)) {
            case let (m?, n?): return m < n
            case (.some, nil): return true
            case (nil, .some): return false
            default: return x < y
            }
        }
        return a.preRelease.count < b.preRelease.count
    }
}
