import BosunImageSpec
import BosunModel

/// An image's HEALTHCHECK (Docker's config form, durations in nanoseconds) as a `HealthCheck`, with Docker's
/// defaults for what it leaves out (30 s interval and timeout, 3 retries, no start period, 5 s start interval).
enum ImageHealthCheck {
    static func check(_ config: ImageConfig.HealthConfig?) -> HealthCheck? {
        guard let config, let test = config.test, let kind = test.first else { return nil }
        if kind == "NONE" { return HealthCheck(test: ["NONE"]) }
        guard kind == "CMD" || kind == "CMD-SHELL", test.count > 1 else { return nil }
        var check = HealthCheck(test: test)
        if let n = config.interval, n > 0 { check.interval = ComposeDuration(nanoseconds: n) }
        if let n = config.timeout, n > 0 { check.timeout = ComposeDuration(nanoseconds: n) }
        if let n = config.retries, n > 0 { check.retries = n }
        if let n = config.startPeriod, n > 0 { check.startPeriod = ComposeDuration(nanoseconds: n) }
        if let n = config.startInterval, n > 0 { check.startInterval = ComposeDuration(nanoseconds: n) }
        return check
    }
}
