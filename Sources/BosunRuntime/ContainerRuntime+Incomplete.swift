import BosunCgroups
import BosunOCI
import Foundation

extension ContainerRuntime {
    /// Removes what a create killed before it recorded the container (`state.json`) left: the state directory
    /// under the runtime root, and the container's cgroup (from `linux.cgroupsPath` in `bundle`'s config.json,
    /// else `bosun/<id>`) with anything still in it. A container with a state file is left alone (`delete` is
    /// for it). Returns whether there was such a leftover. Blocks briefly.
    @discardableResult
    public func removeIncomplete(id: String, bundle: String?) -> Bool {
        guard (try? ContainerStore.validate(id: id)) != nil else { return false }
        var info = stat()
        guard lstat(store.directory(id), &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR,
              lstat(store.stateFile(id), &info) != 0 else { return false }
        let spec = bundle.flatMap { FileManager.default.contents(atPath: $0 + "/config.json") }.flatMap { try? JSONDecoder().decode(RuntimeSpec.self, from: $0) }
        if let path = try? CgroupResources.path(spec?.linux?.cgroupsPath, id: id), let layout = try? ContainerCgroup.layout(root: cgroupRoot) {
            let manager = layout.manager(for: path)
            guard manager.processFiles.contains(where: { FileManager.default.fileExists(atPath: $0) }) else {
                store.remove(id)
                return true
            }
            try? manager.kill()
            try? manager.delete()
        }
        store.remove(id)
        return true
    }
}
