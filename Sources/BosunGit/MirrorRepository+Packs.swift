import CLibGit2
import Foundation

extension MirrorRepository {
    /// How many packs a mirror may hold before they are merged: each fetch that brings objects writes one
    /// (an agent polling a busy repository makes hundreds a day), and libgit2 reads every pack's index on each
    /// open — as git's `gc.autoPackLimit`.
    static let packLimit = 50

    /// When the mirror holds more than `limit` packs, writes everything reachable from its refs — and the
    /// commits in `keeping` (the last applied one, which the rewind guard compares with after a force-push) —
    /// into one pack and removes the others. Another process reading the mirror meanwhile keeps the packs it
    /// has open, and libgit2 refreshes its list when an object is not where it looked. Returns the packs
    /// merged (0 when under the limit).
    @discardableResult
    func consolidatePacks(limit: Int = packLimit, keeping: [GitCommitID] = []) throws(GitError) -> Int {
        guard let gitDirectory = git_repository_path(pointer) else { return 0 }
        let directory = String(cString: gitDirectory) + "objects/pack"
        let packs = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix("pack-") && $0.hasSuffix(".pack") }
        guard packs.count > limit else { return 0 }
        let action = "merge the packs of"
        var walk: OpaquePointer?
        try LibGit2.check(git_revwalk_new(&walk, pointer), code: .mirror, action: action, object: object)
        defer { git_revwalk_free(walk) }
        try LibGit2.check(git_revwalk_push_glob(walk, "refs/*"), code: .mirror, action: action, object: object)
        for id in keeping where contains(id) {
            var oid = git_oid()
            if git_oid_fromstr(&oid, id.hex) == 0 { git_revwalk_push(walk, &oid) }
        }
        var builder: OpaquePointer?
        try LibGit2.check(git_packbuilder_new(&builder, pointer), code: .mirror, action: action, object: object)
        defer { git_packbuilder_free(builder) }
        try LibGit2.check(git_packbuilder_insert_walk(builder, walk), code: .mirror, action: action, object: object)
        try LibGit2.check(git_packbuilder_write(builder, directory, 0, nil, nil), code: .mirror, action: action, object: object)
        guard let hash = git_packbuilder_hash(builder) else {
            throw GitError(code: .mirror, action: action, object: object, cause: "the new pack has no name")
        }
        var text = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ) + 1)
        git_oid_tostr(&text, text.count, hash)
        let kept = "pack-" + String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        for pack in packs where !pack.hasPrefix(kept + ".") {
            let base = directory + "/" + String(pack.dropLast(".pack".count))
            for suffix in [".keep", ".idx", ".rev", ".pack"] { unlink(base + suffix) }
        }
        var odb: OpaquePointer?
        if git_repository_odb(&odb, pointer) == 0 {
            git_odb_refresh(odb)
            git_odb_free(odb)
        }
        return packs.count
    }
}
