extension Duration {
    /// The whole milliseconds of the duration (journal records and reports count in milliseconds).
    public var wholeMilliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
