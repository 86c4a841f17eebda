import BosunModel
import BosunHost
import BosunContainers
import BosunRuntime
import BosunRuntimeCLI

extension StateOptions {
    /// The detached containers under this state directory (runtime state in `<state>/runtime`).
    func detachedContainers() -> DetachedContainers {
        let runtime = ContainerRuntime(root: StateLayout(resolvedStateDir).runtime, helperExecutable: RuntimeHelperLocation.path,
                                       seccompCompiler: BPFSeccompCompiler())
        return DetachedContainers(stateDirectory: resolvedStateDir, runtime: runtime, monitorExecutable: RuntimeHelperLocation.monitorPath)
    }
}
