import ArgumentParser
import Testing
@testable import BosunRuntimeCLI

/// The fast path reads exactly what the full parser reads, and leaves everything else to it.
@Suite struct RuntimeFastPathTests {
    @Test(arguments: [
        ["bosun", "runtime", "run", "c1"],
        ["bosun", "runtime", "--root", "/var/tmp/r", "run", "--bundle", "/b", "c1"],
        ["bosun", "runtime", "--root=/var/tmp/r", "create", "-b", "/b", "--pid-file", "/p", "c1"],
        ["bosun", "runtime", "create", "--console-socket=/s", "c1", "--bundle=/b"],
        ["bosun", "runtime", "run", "--root", "/r2", "-b", "bundle", "c1"],
        // The validation suite's form (runtime-tools validation/util/container.go).
        ["bosun", "runtime", "create", "--pid-file", "/tmp/oci-pid/pidfile", "--bundle", "/tmp/ocitest1", "2c4210de-a656-4aa3-bc80-fa7d4b8e4953"],
        ["bosun", "runtime", "create", "--bundle", "/tmp/ocitest1", "c1"],
        ["bosun", "runtime", "--root", "/a", "create", "--root", "/b", "c1"],
        ["bosun", "runtime", "create", "--bundle", "/a", "--bundle", "/b", "c1"],
        ["bosun", "runtime", "create", "--bundle=/a=b", "c1"],
        ["bosun", "runtime", "create", "--pid-file", "-", "c1"],
        ["bosun", "runtime", "create", "--pid-file", "relative/pid", "-b", ".", "run"],
        ["bosun", "runtime", "run", "c1", "--console-socket", "/s", "--pid-file", "/p"],
        ["bosun", "runtime", "--cgroup-root", "/sys/fs/cgroup/unified", "run", "c1"],
        ["bosun", "runtime", "run", "--cgroup-root=/c", "--root", "/r", "c1"],
    ])
    func agreesWithTheParser(_ arguments: [String]) throws {
        let fast = try #require(RuntimeInvocation(arguments))
        // `bosun runtime …` is RuntimeCommand under bosun's root command: the same parser.
        let parsed = try RuntimeCommand.parseAsRoot(Array(arguments.dropFirst(2)))
        let bundle: BundleArguments
        let options: RuntimeOptions
        switch parsed {
        case let run as RuntimeRunCommand:
            #expect(fast.command == .run)
            (bundle, options) = (run.container, run.options)
        case let create as RuntimeCreateCommand:
            #expect(fast.command == .create)
            (bundle, options) = (create.container, create.options)
        default:
            Issue.record("parsed as \(type(of: parsed))")
            return
        }
        #expect(fast.id == bundle.id)
        #expect(fast.bundle == bundle.bundle)
        #expect(fast.pidFile == bundle.pidFile)
        #expect(fast.consoleSocket == bundle.consoleSocket)
        #expect(fast.root == options.root)
        #expect(fast.cgroupRoot == options.cgroupRoot)
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
        // runc options bosun's parser does not take: the parser, not the fast path, answers them.
        ["bosun", "runtime", "run", "-d", "c1"],
        ["bosun", "runtime", "create", "--no-pivot", "c1"],
        ["bosun", "runtime", "create", "--no-new-keyring", "c1"],
        ["bosun", "runtime", "create", "--preserve-fds", "3", "c1"],
        ["bosun", "runtime", "--log", "/l", "create", "c1"],
        ["bosun", "runtime", "--debug", "create", "c1"],
        ["bosun", "runtime", "create", "-b=/b", "c1"],
        ["bosun", "runtime", "create", "--bundle", "/b", "--", "c1"],
        ["bosun", "runtime", "create", ""],
        ["bosun", "runtime", "create", "--help", "c1"],
        // Spellings the parser reads differently from a hand reading: an empty `--name=` takes the next word,
        // a separate value that looks like an option is refused.
        ["bosun", "runtime", "create", "--pid-file=", "c1"],
        ["bosun", "runtime", "create", "--pid-file", "-x", "c1"],
        ["bosun", "runtime", "create", "--bundle", "--pid-file", "/p", "c1"],
    ])
    func leavesOtherFormsToTheParser(_ arguments: [String]) {
        #expect(RuntimeInvocation(arguments) == nil)
    }
}

/// Where the small front finds the whole command line.
@Suite struct FrontCommandTests {
    @Test func findsBosunCliBesideItself() {
        #expect(FrontCommand.besideExecutable("/usr/local/bin/bosun") == "/usr/local/bin/bosun-cli")
        #expect(FrontCommand.besideExecutable("/work/.build/x86_64-unknown-linux-gnu/release/bosun")
            == "/work/.build/x86_64-unknown-linux-gnu/release/bosun-cli")
        // Never one in the working directory.
        #expect(FrontCommand.besideExecutable("bosun") == nil)
    }
}
