import Foundation

/// What a container's TCP sockets show, read from the kernel's socket tables (`/proc/<pid>/net/tcp` and
/// `tcp6`, which list the sockets of that process's network namespace): the ports it listens on (a start-first
/// update's new container takes the traffic once it listens on the ports it publishes) and the connections
/// clients opened to them (the old container is stopped once they are closed — every request it was serving
/// answered — or its stop grace period ends). Connections the container opened itself (to a database, say)
/// are not counted: their local port is not one it listens on.
public enum ContainerSockets {
    /// The local ports of listening sockets.
    public static func listeningPorts(tables: [String]) -> Set<Int> {
        Set(sockets(tables).filter { $0.state == "0A" }.map(\.port))  // TCP_LISTEN
    }

    /// Established connections whose local port is one a socket of the same tables listens on.
    public static func inboundConnections(tables: [String]) -> Int {
        let all = sockets(tables)
        let listening = Set(all.filter { $0.state == "0A" }.map(\.port))
        return all.filter { $0.state == "01" && listening.contains($0.port) }.count  // TCP_ESTABLISHED
    }

    /// The tables of the namespace of process `pid`; nil when they cannot be read (it exited).
    public static func tables(pid: Int32) -> [String]? {
        let tables = ["tcp", "tcp6"].compactMap { try? String(contentsOfFile: "/proc/\(pid)/net/\($0)", encoding: .utf8) }
        return tables.isEmpty ? nil : tables
    }

    /// Each socket's local port and state (two hex digits).
    static func sockets(_ tables: [String]) -> [(port: Int, state: Substring)] {
        tables.flatMap { table in
            table.split(separator: "\n").dropFirst().compactMap { line -> (port: Int, state: Substring)? in
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 3, let hex = fields[1].split(separator: ":").last, let port = Int(hex, radix: 16) else { return nil }
                return (port, fields[3])
            }
        }
    }
}
