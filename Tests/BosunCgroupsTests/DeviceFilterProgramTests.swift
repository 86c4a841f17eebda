@testable import BosunCgroups
import Testing

/// The cgroup v2 device filter, run on a small interpreter of the eBPF it uses, against v1's rule semantics.
@Suite struct DeviceFilterProgramTests {
    /// What the kernel's device hook would answer (1 allow, 0 deny) for a request. `type`: 1 block, 2 char.
    func verdict(_ rules: [DeviceRule], type: Int32, _ access: DeviceRule.Access, _ major: UInt32, _ minor: UInt32) -> UInt64 {
        let program = DeviceFilterProgram.instructions(for: rules)
        let context: [UInt32] = [UInt32(bitPattern: access.rawValue << 16 | type), major, minor]
        var registers = [UInt64](repeating: 0, count: 11)
        var pc = 0
        for _ in 0..<10_000 {
            let instruction = program[pc]
            let d = Int(instruction.destination), s = Int(instruction.source)
            let immediate = UInt64(bitPattern: Int64(instruction.immediate))
            pc += 1
            switch instruction.code {
            case DeviceFilterProgram.loadWord: registers[d] = UInt64(context[Int(instruction.offset) / 4])
            case DeviceFilterProgram.and32Immediate: registers[d] = UInt64(UInt32(truncatingIfNeeded: registers[d]) & UInt32(truncatingIfNeeded: immediate))
            case DeviceFilterProgram.shiftRight32Immediate: registers[d] = UInt64(UInt32(truncatingIfNeeded: registers[d]) >> UInt32(immediate))
            case DeviceFilterProgram.move32Register: registers[d] = UInt64(UInt32(truncatingIfNeeded: registers[s]))
            case DeviceFilterProgram.move64Immediate: registers[d] = immediate
            case DeviceFilterProgram.jumpNotEqualImmediate: if registers[d] != immediate { pc += Int(instruction.offset) }
            case DeviceFilterProgram.jumpEqualImmediate: if registers[d] == immediate { pc += Int(instruction.offset) }
            case DeviceFilterProgram.jumpNotEqualRegister: if registers[d] != registers[s] { pc += Int(instruction.offset) }
            case DeviceFilterProgram.exit: return registers[0]
            default: Issue.record("unexpected opcode \(instruction.code)"); return 99
            }
        }
        Issue.record("the program did not exit")
        return 99
    }

    static let block: Int32 = 1, char: Int32 = 2
    /// `runc spec`'s rule, then what the runtime adds by default.
    static let containerRules = [DeviceRule(allow: false, kind: .all)] + [
        DeviceRule(allow: true, kind: .character, access: .mknod), DeviceRule(allow: true, kind: .block, access: .mknod),
        DeviceRule(allow: true, kind: .character, major: 1, minor: 3), DeviceRule(allow: true, kind: .character, major: 136),
    ]

    @Test func aContainerGetsTheStandardDevicesAndNothingElse() {
        let rules = Self.containerRules
        #expect(verdict(rules, type: Self.char, [.read, .write], 1, 3) == 1)
        #expect(verdict(rules, type: Self.char, .read, 136, 7) == 1)
        #expect(verdict(rules, type: Self.char, .read, 1, 11) == 0)
        #expect(verdict(rules, type: Self.block, .read, 254, 0) == 0)
        #expect(verdict(rules, type: Self.block, .write, 8, 0) == 0)
        // mknod of anything, but opening it is another request.
        #expect(verdict(rules, type: Self.block, .mknod, 254, 0) == 1)
        #expect(verdict(rules, type: Self.char, [.mknod, .read], 1, 11) == 0)
    }

    @Test func theLastMatchingRuleDecides() {
        let rules = [DeviceRule(allow: true, kind: .all), DeviceRule(allow: false, kind: .character, major: 1, minor: 3, access: .write)]
        #expect(verdict(rules, type: Self.char, .read, 1, 3) == 1)
        #expect(verdict(rules, type: Self.char, .write, 1, 3) == 0)
        // A deny rule catches a request that asks for any access it names.
        #expect(verdict(rules, type: Self.char, [.read, .write], 1, 3) == 0)
        #expect(verdict(rules, type: Self.char, .write, 1, 5) == 1)
        let reversed = [DeviceRule(allow: false, kind: .all), DeviceRule(allow: true, kind: .character, major: 1, minor: 3, access: .read)]
        #expect(verdict(reversed, type: Self.char, .read, 1, 3) == 1)
        // An allow rule must cover every access asked for.
        #expect(verdict(reversed, type: Self.char, [.read, .write], 1, 3) == 0)
    }

    @Test func noRulesAllowEverythingAsANewV1CgroupDoes() {
        #expect(verdict([], type: Self.block, .all, 254, 0) == 1)
        #expect(DeviceFilterProgram.instructions(for: []).count == 8)
    }

    @Test func aRuleForEverythingEndsTheProgram() {
        // The verifier refuses unreachable instructions: nothing may follow the verdict of `a`.
        let program = DeviceFilterProgram.instructions(for: Self.containerRules)
        #expect(program.last?.code == DeviceFilterProgram.exit)
        #expect(program[program.count - 2] == .init(DeviceFilterProgram.move64Immediate, 0, 0, 0, 0))
        #expect(DeviceFilterProgram.instructions(for: [DeviceRule(allow: true, kind: .all)]).count == 8)
    }

    @Test func theTypeMatters() {
        let rules = [DeviceRule(allow: false, kind: .all), DeviceRule(allow: true, kind: .block, major: 7)]
        #expect(verdict(rules, type: Self.block, .read, 7, 4) == 1)
        #expect(verdict(rules, type: Self.char, .read, 7, 4) == 0)
    }

    @Test func v1LinesReadAsBefore() {
        #expect(DeviceRule(allow: false, kind: .all).legacyValue == "a")
        #expect(DeviceRule(allow: true, kind: .character, major: 136).legacyValue == "c 136:* rwm")
        #expect(DeviceRule(allow: true, kind: .block, access: .mknod).legacyValue == "b *:* m")
        #expect(DeviceRule.Access(letters: "mr") == [.mknod, .read])
        #expect(DeviceRule.Access(letters: "") == .all)
        #expect(DeviceRule.Access(letters: "x") == nil)
    }
}

/// The v2 manager loads the filter when its settings carry device rules.
@Suite struct UnifiedDeviceFilterTests {
    @Test func createAttachesTheFilter() throws {
        let tree = try FakeCgroupTree()
        let hierarchy = UnifiedHierarchy(mountPoint: tree.root, base: [], controllers: ["memory", "pids"], delegated: false)
        let manager = UnifiedCgroupManager(hierarchy: hierarchy, path: try CgroupPath(components: ["bosun", "web"]), fileSystem: tree)
        try manager.create(settings: CgroupSettings(writes: [], deviceFilter: DeviceFilterTestRules.standard))
        let attached = tree.deviceFilters.withLock { $0["bosun/web"] }
        #expect(attached == DeviceFilterProgram.instructions(for: DeviceFilterTestRules.standard))
        // An update does not stack a second filter (it could only narrow the first): it says so.
        let report = try manager.update(settings: CgroupSettings(writes: [], deviceFilter: [DeviceRule(allow: true, kind: .all)]))
        #expect(report.skipped.contains { $0.hasPrefix("device rules") })
        #expect(tree.deviceFilters.withLock { $0["bosun/web"] } == attached)
    }
}

enum DeviceFilterTestRules {
    static let standard = DeviceFilterProgramTests.containerRules
}
