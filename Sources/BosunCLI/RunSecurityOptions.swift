import BosunBundle
import BosunHost
import BosunModel
import BosunOCI
import BosunSeccomp
import Foundation
import BosunRuntimeCLI

extension RunCommand {
    /// Docker's default seccomp profile for the container's capabilities, then each `--security-opt` applied;
    /// an option bosun does not support is a usage error naming it.
    func applySecurityOptions(to request: inout RunRequest) throws {
        let capabilities = BundleBuilder.capabilities(added: capAdd, dropped: capDrop)
        request.seccomp = DockerDefaultProfile.policy(capabilities: capabilities)
        do { request.apparmorProfile = try AppArmorDefault.profileForContainers() } catch {
            throw CommandFailure(.internalError, "\(error)")
        }
        for text in securityOpt {
            let option: SecurityOption
            do { option = try SecurityOption(parsing: text) } catch { throw CommandFailure(.usage, "--security-opt \(error.message)") }
            switch option {
            case .noNewPrivileges(let on): request.noNewPrivileges = on
            case .seccomp(nil): request.seccomp = nil
            case .seccomp(let path?):
                guard let bytes = FileManager.default.contents(atPath: path) else {
                    throw CommandFailure(.usage, "--security-opt seccomp=\(path): cannot read the profile file")
                }
                do {
                    request.seccomp = try DockerSeccompProfile.policy(Array(bytes), file: path, capabilities: capabilities, kernelRelease: HostKernel.release)
                } catch {
                    throw CommandFailure(.usage, "--security-opt seccomp=\(path): \(error.description)")
                }
            case .apparmor(let profile): request.apparmorProfile = profile
            case .labelDisable: break  // bosun applies no SELinux labels: nothing to disable
            case .systemPathsUnconfined: request.systemPathsUnconfined = true
            }
        }
    }
}
