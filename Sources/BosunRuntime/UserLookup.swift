/// A user as the container's own /etc/passwd and /etc/group describe it.
struct ResolvedUser: Equatable {
    var uid: UInt32
    var gid: UInt32
    var additionalGids: [UInt32]
    var home: String
}

/// Parses passwd and group files (pure; the caller reads them from inside the container).
enum UserLookup {
    /// Resolves `username` (or a numeric `uid`) to ids and groups. `additional` are added to the groups
    /// the user is listed in.
    static func resolve(username: String?, uid: UInt32, gid: UInt32, additional: [UInt32], passwd: String?, group: String?) throws(RuntimeError) -> ResolvedUser {
        let users = (passwd ?? "").split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
            .filter { $0.count >= 7 }
        var result = ResolvedUser(uid: uid, gid: gid, additionalGids: additional, home: "/")
        var name: String?
        if let username, !username.isEmpty {
            if let entry = users.first(where: { $0[0] == username }), let id = UInt32(entry[2]), let group = UInt32(entry[3]) {
                result.uid = id
                result.gid = group
                result.home = entry[5]
                name = username
            } else if let id = UInt32(username) {
                result.uid = id
            } else {
                throw RuntimeError("user `\(username)`", detail: "not found in the container's /etc/passwd")
            }
        } else if let entry = users.first(where: { UInt32($0[2]) == uid }) {
            result.home = entry[5]
            name = entry[0]
        }
        if let name {
            for line in (group ?? "").split(separator: "\n") {
                let fields = line.split(separator: ":", omittingEmptySubsequences: false)
                guard fields.count >= 4, let id = UInt32(fields[2]) else { continue }
                if fields[3].split(separator: ",").contains(where: { $0 == name }) && !result.additionalGids.contains(id) {
                    result.additionalGids.append(id)
                }
            }
        }
        return result
    }

    /// Resolves a Docker-style user, `user[:group]` (names or numbers), as `docker exec -u` does: a numeric
    /// uid absent from /etc/passwd gets gid 0; the groups that list the user are added; an explicit group
    /// replaces the user's primary group.
    static func resolve(spec: String, passwd: String?, group: String?) throws(RuntimeError) -> ResolvedUser {
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let userPart = parts.first, !userPart.isEmpty else {
            throw RuntimeError("user `\(spec)`", detail: "empty user name", hint: "write NAME, UID, NAME:GROUP or UID:GID")
        }
        let users = (passwd ?? "").split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
            .filter { $0.count >= 7 }
        let entry = users.first { $0[0] == userPart } ?? UInt32(userPart).flatMap { id in users.first { UInt32($0[2]) == id } }
        var result: ResolvedUser
        if let entry, let uid = UInt32(entry[2]), let gid = UInt32(entry[3]) {
            result = try resolve(username: entry[0], uid: uid, gid: gid, additional: [], passwd: passwd, group: group)
        } else if let uid = UInt32(userPart) {
            result = ResolvedUser(uid: uid, gid: 0, additionalGids: [], home: "/")
        } else {
            throw RuntimeError("user `\(userPart)`", detail: "not found in the container's /etc/passwd")
        }
        if parts.count == 2 {
            let groupPart = parts[1]
            let groups = (group ?? "").split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false) }
                .filter { $0.count >= 3 }
            if let match = groups.first(where: { $0[0] == groupPart }), let gid = UInt32(match[2]) {
                result.gid = gid
            } else if let gid = UInt32(groupPart) {
                result.gid = gid
            } else {
                throw RuntimeError("group `\(groupPart)`", detail: "not found in the container's /etc/group")
            }
        }
        return result
    }
}
