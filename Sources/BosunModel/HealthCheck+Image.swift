extension HealthCheck {
    /// Docker's defaults for what neither the service nor the image sets.
    public static let dockerDefaults = HealthCheck(test: [])

    /// Whether this check only adjusts timings of the image's HEALTHCHECK (`healthcheck:` without `test:` or a
    /// probe, e.g. `{interval: 10s}`): an empty test stands for the image's; zero timings for the image's too.
    public var usesImageTest: Bool { test.isEmpty && http == nil && tcp == nil }

    /// A check that takes every timing from the image: what `healthcheck:` with only some timings starts from.
    public static var imageTimings: HealthCheck {
        var check = HealthCheck(test: [])
        check.interval = .seconds(0)
        check.timeout = .seconds(0)
        check.retries = 0
        check.startPeriod = .seconds(0)
        check.startInterval = .seconds(0)
        return check
    }

    /// The check a container runs, as Docker decides it: the service's own (`nil` keeps the image's, a
    /// timings-only one takes the image's test with its timings over the image's), else the image's
    /// HEALTHCHECK, with Docker's defaults for timings neither sets. Nil when there is none to run.
    public static func effective(service: HealthCheck?, image: HealthCheck?) -> HealthCheck? {
        guard let service else { return image }
        guard service.usesImageTest else { return service }
        guard var merged = image else { return nil }
        if service.interval.nanoseconds > 0 { merged.interval = service.interval }
        if service.timeout.nanoseconds > 0 { merged.timeout = service.timeout }
        if service.retries > 0 { merged.retries = service.retries }
        if service.startPeriod.nanoseconds > 0 { merged.startPeriod = service.startPeriod }
        if service.startInterval.nanoseconds > 0 { merged.startInterval = service.startInterval }
        return merged
    }
}
