import ArgumentParser
import Testing
@testable import BosunCLI

/// The fast path reads exactly what the full parser reads, and leaves everything else to it.
@Suite struct RuntimeFastPathTests {
    @Test(arguments: [
        ["bosun", "runtime", "run", "c1"],
        ["bosun", "runtime", "--root", "/var/tmp/r", "run", "--bundle", "/b", "c1"],
        ["bosun", "runtime", "--root=/var/tmp/r", "create", "-b", "/b", "--pid-file", "/p", "c1"],
        ["bosun", "runtime", "create", "--console-socket=/s", "c1", "--bundle=/b"],
        ["bosun", "runtime", "run", "--root", "/r2", "-b", "bundle", "c1"],
    ])
    func agreesWithTheParser(_ arguments: [String]) throws {
        let fast = try #require(RuntimeInvocation(arguments))
        let parsed = try BosunCommand.parseAsRoot(Array(arguments.dropFirst()))
        let bundle: BundleArguments
        let root: String
        switch parsed {
        case let run as RuntimeRunCommand:
            #expect(fast.command == .run)
            (bundle, root) = (run.container, run.options.root)
        case let create as RuntimeCreateCommand:
            #expect(fast.command == .create)
            (bundle, root) = (create.container, create.options.root)
        default:
            Issue.record("parsed as \(type(of: parsed))")
            return
        }
        #expect(fast.id == bundle.id)
        #expect(fast.bundle == bundle.bundle)
        #expect(fast.pidFile == bundle.pidFile)
        #expect(fast.consoleSocket == bundle.consoleSocket)
        #expect(fast.root == root)
    }

    @Test(arguments: [
        ["bosun", "runtime", "run", "--help"],
        ["bosun", "runtime", "run"],
        ["bosun", "runtime", "run", "a", "b"],
        ["bosun", "runtime", "--bundle", "/b", "run", "c1"],
        ["bosun", "runtime", "run", "--detach", "c1"],
        ["bosun", "runtime", "start", "c1"],
        ["bosun", "runtime", "run", "-b"],
        ["bosun", "run", "busybox"],
    ])
    func leavesOtherFormsToTheParser(_ arguments: [String]) {
        #expect(RuntimeInvocation(arguments) == nil)
    }

    @Test func warmsUpOnlyForCommandsThatAttach() {
        #expect(AttachWarmup.willAttach(["bosun", "runtime", "--root", "run", "create", "c1"]))
        #expect(AttachWarmup.willAttach(["bosun", "runtime", "exec", "c1", "true"]))
        #expect(AttachWarmup.willAttach(["bosun", "run", "busybox"]))
        #expect(!AttachWarmup.willAttach(["bosun", "runtime", "state", "c1"]))
        #expect(!AttachWarmup.willAttach(["bosun", "apply"]))
        #expect(!AttachWarmup.willAttach(["bosun", "run", "--help"]))
    }
}
