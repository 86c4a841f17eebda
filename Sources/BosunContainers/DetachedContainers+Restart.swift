public import BosunRuntime
import Foundation
import Glibc

extension DetachedContainers {
    /// Forgets how an exited container ended so that `create` can start it again from the same bundle and
    /// overlay (as `docker start` does): the runtime's state, the exit record and the metadata go; the logs, the
    /// container's files and its upper layer stay. A running container is refused.
    public func forgetExited(_ name: String) throws(Failure) {
        let status = try inspect(name)
        guard !status.isRunning else {
            throw RuntimeError("start container `\(name)` again", detail: "it is still running")
        }
        waitForMonitor(name, status.monitorPid)
        if (try? runtime.state(id: name)) != nil { try runtime.delete(id: name, force: true) }
        let monitor = monitorConfiguration(name, log: status.metadata.log)
        for file in [monitor.exitPath, monitor.pidPath, metadataPath(name)] { unlink(file) }
    }
}
