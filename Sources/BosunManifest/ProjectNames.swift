import BosunModel

/// The naming rules of projects and services.
enum ProjectNames {
    static func isValid(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLowercase || first.isNumber else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// A directory name made into a project name as Compose does: lower case, other characters dropped.
    static func normalise(_ directory: String) -> String {
        let lowered = directory.lowercased().filter { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
        return String(lowered.drop { $0 == "-" || $0 == "_" })
    }

    static func isValidService(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first.isNumber else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }
}

/// An IPv4 network in CIDR form.
struct Subnet: Equatable {
    var base: UInt32
    var prefix: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let address = IPAddressText.ipv4Value(String(parts[0])), let prefix = Int(parts[1]), (0...32).contains(prefix) else { return nil }
        self.prefix = prefix
        self.base = address & Subnet.mask(prefix)
    }

    static func mask(_ prefix: Int) -> UInt32 { prefix == 0 ? 0 : ~UInt32(0) << (32 - prefix) }

    func contains(_ address: UInt32) -> Bool { address & Subnet.mask(prefix) == base }

    func overlaps(_ other: Subnet) -> Bool {
        let common = min(prefix, other.prefix)
        return base & Subnet.mask(common) == other.base & Subnet.mask(common)
    }
}
