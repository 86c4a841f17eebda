import BosunBundle
import BosunHost
import BosunModel
import BosunOCI
import BosunSeccomp
import Foundation
import BosunRuntimeCLI

extension RunCommand {
    /// The capabilities the container's processes get: Docker's default set, drops first (ALL empties it), then adds.
    var boundingCapabilities: [String] {
        func name(_ cap: String) -> String { cap.uppercased().hasPrefix("CAP_") ? cap.uppercased() : "CAP_" + cap.uppercased() }
        var caps = Set(DefaultSpec.capabilities)
        for cap in capDrop { if name(cap) == "CAP_ALL" { caps.removeAll() } else { caps.remove(name(cap)) } }
        for cap in capAdd { if name(cap) == "CAP_ALL" { caps = Set(BundleBuilder.allCapabilities) } else { caps.insert(name(cap)) } }
        return caps.sorted()
    }

    /// Docker's default seccomp profile for the container's capabilities, then each `--security-opt` applied;
    /// an option bosun does not support is a usage error naming it.
    func applySecurityOptions(to request: inout RunRequest) throws {
        let capabilities = boundingCapabilities
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
