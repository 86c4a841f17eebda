import BosunModel

/// Field-level differences between two specs of a service, by flattened JSON path, excluding what does
/// not shape the container (depends_on, profiles, pull_policy — as the config hash does).
enum FieldDiff {
    static func changes(from old: Service, to new: Service) -> [PlannedChange] {
        let before = JSONValue.encoding(old).flattened()
        let after = JSONValue.encoding(new).flattened()
        let ignored = ["depends_on", "profiles", "pull_policy"]
        // An empty object or list flattens to one "{}" / "[]" leaf; when it fills up (or empties), its members
        // carry the change, so the placeholder itself is not one.
        let placeholder = { (value: String?) in value == "{}" || value == "[]" }
        return Set(before.keys).union(after.keys)
            .filter { path in before[path] != after[path] && !ignored.contains { path == $0 || path.hasPrefix($0 + ".") || path.hasPrefix($0 + "[") } }
            .filter { path in !((placeholder(before[path]) && after[path] == nil) || (before[path] == nil && placeholder(after[path]))) }
            .sorted(by: JSONValue.byteOrder)
            .map { PlannedChange(field: $0, old: before[$0], new: after[$0], sensitive: isSensitive($0)) }
    }

    /// Environment values, and the digests of the files a service reads (a secret's digest could be matched
    /// against guesses), are kept out of plans and the journal.
    static func isSensitive(_ field: String) -> Bool {
        field.hasPrefix("environment.") || field.hasPrefix(sourceDigestsPrefix)
    }

    static let sourceDigestsPrefix = "source_digests."

    /// What the plan calls each limit (as Compose names it), instead of its field path.
    static let limitNames = [
        "resources.memory": "memory limit", "resources.memory_reservation": "memory reservation",
        "resources.memswap_limit": "memswap limit", "resources.cpu_millis": "cpus", "resources.cpu_reservation_millis": "cpu reservation",
        "resources.cpu_shares": "cpu shares", "resources.cpuset": "cpuset", "resources.pids": "pids limit",
    ]

    /// Thousandths of a CPU as Compose writes them: 500 → "0.5", 2000 → "2".
    static func cpus(_ millis: Int) -> String {
        let whole = millis / 1000, rest = millis % 1000
        guard rest != 0 else { return String(whole) }
        var fraction = String(rest)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }

    /// "memory limit 256m → 512m", "cpus 0.5 → 1", "image nginx:1.26 → nginx:1.27", "3 fields changed: …".
    /// Repository files are named as the compose file in `projectDirectory` (tree-relative) writes them.
    static func summary(_ changes: [PlannedChange], projectDirectory: String = "") -> String {
        func describe(_ change: PlannedChange) -> String {
            if change.field.hasPrefix(sourceDigestsPrefix) {
                // `./conf/app.conf changed`: the repository file (or directory) the service reads.
                var path = String(change.field.dropFirst(sourceDigestsPrefix.count))
                if !projectDirectory.isEmpty && path.hasPrefix("./" + projectDirectory + "/") {
                    path = "./" + path.dropFirst(projectDirectory.count + 3)
                }
                return change.old == nil ? "\(path) added" : change.new == nil ? "\(path) no longer read" : "\(path) changed"
            }
            if change.sensitive { return "\(change.field) changed" }
            let name = limitNames[change.field] ?? change.field
            var old = change.old ?? "(none)", new = change.new ?? "(none)"
            if ["resources.memory", "resources.memory_reservation", "resources.memswap_limit"].contains(change.field) {
                if let o = change.old.flatMap(Int64.init) { old = ByteSize(bytes: o).description }
                if let n = change.new.flatMap(Int64.init) { new = ByteSize(bytes: n).description }
            } else if change.field.hasSuffix("_millis") {
                if let o = change.old.flatMap(Int.init) { old = cpus(o) }
                if let n = change.new.flatMap(Int.init) { new = cpus(n) }
            }
            return "\(name) \(old) → \(new)"
        }
        // A file of the repository that changed is named first: it is the cause, the fields it fills follow.
        let changes = changes.filter { $0.field.hasPrefix(sourceDigestsPrefix) } + changes.filter { !$0.field.hasPrefix(sourceDigestsPrefix) }
        if changes.count <= 2 { return changes.map(describe).joined(separator: ", ") }
        return "\(changes.count) fields changed: " + changes.prefix(2).map(describe).joined(separator: ", ") + ", …"
    }
}

/// Services in an order where each comes after what it depends on (ties by project and name).
enum ServiceOrder {
    static func sorted(_ state: DesiredState) -> [(Project, Service)] {
        var result: [(Project, Service)] = []
        for project in state.projects {
            var done: Set<String> = []
            var remaining = project.services.sorted { $0.name < $1.name }
            while !remaining.isEmpty {
                // The first (by name) whose dependencies are all placed; a cycle cannot reach here (validation refuses it).
                let next = remaining.first { service in
                    service.dependsOn.allSatisfy { dependency in
                        done.contains(dependency.service) || !project.services.contains { $0.name == dependency.service }
                    }
                } ?? remaining[0]
                result.append((project, next))
                done.insert(next.name)
                remaining.removeAll { $0.name == next.name }
            }
        }
        return result
    }
}
