import Dispatch
import Glibc

/// The agent's signals: SIGHUP converges now (`systemctl reload bosun`), SIGTERM and SIGINT stop the loop
/// (the convergence in flight finishes or stops safely and is journaled; containers keep running).
public final class AgentSignals {
    let sources: [any DispatchSourceSignal]

    public init(loop: AgentLoop, log: AgentLog) {
        var sources: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGHUP, "SIGHUP"), (SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                log.event("signal", ["signal": name, "action": number == SIGHUP ? "converge now" : "stop; containers keep running"])
                if number == SIGHUP { loop.trigger(.manual) } else { loop.stop() }
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    public func cancel() {
        for source in sources { source.cancel() }
    }
}
