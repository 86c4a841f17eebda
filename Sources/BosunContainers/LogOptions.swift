/// Rotation of a container's json-file log (`--log-opt max-size=10m --log-opt max-file=3`, Compose
/// `logging.options`). The default, as Docker's json-file driver: one file that grows without limit;
/// `bosun run -d` uses `recommended` (10 MiB × 3) unless told otherwise.
public struct LogOptions: Sendable, Hashable, Codable {
    /// Rotate before the file would pass this many bytes; nil never rotates.
    public var maxSize: Int64?
    /// Files kept, the current one included; nil is 1.
    public var maxFile: Int?

    public init(maxSize: Int64? = nil, maxFile: Int? = nil) {
        self.maxSize = maxSize
        self.maxFile = maxFile
    }

    /// bosun's choice for `run -d`: at most 30 MiB of log per container.
    public static let recommended = LogOptions(maxSize: 10 * 1024 * 1024, maxFile: 3)

    /// A problem with one option.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// From `key=value` options (`max-size`, `max-file`), applied over `base`. Sizes take Docker's units:
    /// a plain number of bytes or k, m, g (powers of 1024).
    public init(options: [String], over base: LogOptions = LogOptions()) throws(Problem) {
        self = base
        for option in options {
            let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw Problem(description: "log option \(option): write KEY=VALUE") }
            switch parts[0] {
            case "max-size":
                guard let size = LogOptions.bytes(parts[1]), size > 0 else {
                    throw Problem(description: "log option max-size=\(parts[1]): write a size such as 10m, 512k or 1g")
                }
                maxSize = size
            case "max-file":
                guard let count = Int(parts[1]), count >= 1 else {
                    throw Problem(description: "log option max-file=\(parts[1]): write a whole number of files, 1 or more")
                }
                maxFile = count
            default:
                throw Problem(description: "log option \(parts[0]): only max-size and max-file are supported (json-file)")
            }
        }
    }

    /// `10m`, `512k`, `1g`, `4096`, `10mb`, `1.5m` → bytes.
    static func bytes(_ text: String) -> Int64? {
        let lower = text.lowercased()
        let digits = lower.prefix { $0.isNumber || $0 == "." }
        let unit = lower.dropFirst(digits.count)
        let factors: [Substring: Double] = ["": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1_048_576, "mb": 1_048_576,
                                            "mib": 1_048_576, "g": 1_073_741_824, "gb": 1_073_741_824, "gib": 1_073_741_824]
        guard let value = Double(digits), let factor = factors[unit], value.isFinite else { return nil }
        let bytes = value * factor
        guard bytes < 1e18 else { return nil }
        return Int64(bytes)
    }
}
