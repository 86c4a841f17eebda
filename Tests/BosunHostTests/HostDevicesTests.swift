import BosunModel
import Foundation
import Testing
@testable import BosunHost

/// Compose `devices:` resolved on this host: the node's numbers, mode and owner; clear errors otherwise.
@Suite struct HostDevicesTests {
    @Test func aCharacterDeviceKeepsItsNumbersAndMode() throws {
        let resolved = try HostDevices.resolve([DeviceMapping(hostPath: "/dev/null", containerPath: "/dev/mynull", permissions: "rw")], for: "c1")
        #expect(resolved.count == 1)
        #expect(resolved[0].node.type == "c" && resolved[0].node.major == 1 && resolved[0].node.minor == 3)
        #expect(resolved[0].node.path == "/dev/mynull" && resolved[0].node.fileMode == 0o666 && resolved[0].access == "rw")
    }

    @Test func aFileOrAMissingPathIsRefused() {
        #expect { try HostDevices.resolve([DeviceMapping(hostPath: "/etc/hostname", containerPath: "/dev/x")], for: "c1") } throws: { error in
            "\(error)".contains("/etc/hostname is not a device node")
        }
        #expect { try HostDevices.resolve([DeviceMapping(hostPath: "/dev/no-such-device", containerPath: "/dev/x")], for: "c1") } throws: { error in
            "\(error)".contains("/dev/no-such-device: No such file or directory")
        }
    }
}
