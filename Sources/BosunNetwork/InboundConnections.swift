import Foundation

/// The TCP connections clients opened to a network namespace's listening sockets, counted from the kernel's
/// socket tables (`/proc/<pid>/net/tcp` and `tcp6`, which list the sockets of that process's namespace). A
/// start-first update stops the old container once this reaches 0 — every request it was serving answered —
/// or its stop grace period ends. Connections the container opened itself (to a database, say) are not
/// counted: their local port is not one it listens on.
public enum InboundConnections {
    /// Established connections whose local port is one a socket of the same table listens on.
    public static func count(tables: [String]) -> Int {
        var listening: Set<String> = []
        var established: [String] = []
        for table in tables {
            for line in table.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 3, let port = fields[1].split(separator: ":").last.map(String.init) else { continue }
                switch fields[3] {
                case "0A": listening.insert(port)  // TCP_LISTEN
                case "01": established.append(port)  // TCP_ESTABLISHED
                default: break
                }
            }
        }
        return established.filter(listening.contains).count
    }

    /// The count for the namespace of process `pid`; nil when its tables cannot be read (it exited).
    public static func count(pid: Int32) -> Int? {
        let tables = ["tcp", "tcp6"].compactMap { try? String(contentsOfFile: "/proc/\(pid)/net/\($0)", encoding: .utf8) }
        return tables.isEmpty ? nil : count(tables: tables)
    }
}
