public import BosunConverge
import Synchronization

extension HealthGate {
    /// A gate whose time moves one second per reading and never sleeps: a 10 s monitor passes in ten looks,
    /// so tests of convergences that create containers do not wait for real monitors.
    public static func stepping(_ engine: any ConvergenceEngine) -> HealthGate {
        let elapsed = Mutex(Duration.zero)
        return HealthGate(engine: engine, now: { elapsed.withLock { $0 += .seconds(1); return $0 } }, sleep: { _ in })
    }
}
