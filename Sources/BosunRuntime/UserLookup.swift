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
}
