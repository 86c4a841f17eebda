@testable import BosunRuntime
import Testing

@Suite("exec: users, environment, output, exit codes")
struct ExecUnitTests {
    let passwd = "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:alice:/home/alice:/bin/sh\n"
    let group = "root:x:0:\nalice:x:1000:\nstaff:x:50:alice\nwheel:x:10:\n"

    @Test("docker exec -u: names, numbers, groups; a uid without a passwd entry gets gid 0")
    func users() throws {
        #expect(try UserLookup.resolve(spec: "alice", passwd: passwd, group: group)
            == ResolvedUser(uid: 1000, gid: 1000, additionalGids: [50], home: "/home/alice"))
        #expect(try UserLookup.resolve(spec: "1000", passwd: passwd, group: group).additionalGids == [50])
        #expect(try UserLookup.resolve(spec: "0", passwd: passwd, group: group) == ResolvedUser(uid: 0, gid: 0, additionalGids: [], home: "/root"))
        #expect(try UserLookup.resolve(spec: "4242", passwd: passwd, group: group) == ResolvedUser(uid: 4242, gid: 0, additionalGids: [], home: "/"))
        #expect(try UserLookup.resolve(spec: "alice:wheel", passwd: passwd, group: group).gid == 10)
        #expect(try UserLookup.resolve(spec: "4242:77", passwd: passwd, group: group).gid == 77)
        #expect(throws: RuntimeError("user `bob`", detail: "not found in the container's /etc/passwd")) {
            try UserLookup.resolve(spec: "bob", passwd: passwd, group: group)
        }
        #expect(throws: RuntimeError("group `nogroup`", detail: "not found in the container's /etc/group")) {
            try UserLookup.resolve(spec: "alice:nogroup", passwd: passwd, group: group)
        }
        #expect(throws: RuntimeError.self) { try UserLookup.resolve(spec: ":0", passwd: passwd, group: group) }
    }

    @Test("--env adds variables and replaces those of the same name")
    func environment() {
        #expect(ContainerRuntime.merge(environment: ["PATH=/bin", "A=1"], with: ["A=2", "B=", "C=x=y"]) == ["PATH=/bin", "A=2", "B=", "C=x=y"])
    }

    @Test("captured output keeps the last bytes")
    func tail() {
        var buffer = TailBuffer(limit: 4)
        buffer.append(ArraySlice(Array("ab".utf8)))
        #expect(buffer.bytes == Array("ab".utf8) && !buffer.truncated)
        buffer.append(ArraySlice(Array("cdef".utf8)))
        #expect(buffer.bytes == Array("cdef".utf8) && buffer.truncated)
    }

    @Test("a program that cannot run maps to Docker's 127, 126 or 125")
    func exitCodes() {
        #expect(RuntimeError("exec `nope`", errno: 2).execExitCode == 127)
        #expect(RuntimeError("exec `/etc/passwd`", errno: 13).execExitCode == 126)
        #expect(RuntimeError("setns into `/proc/1/ns/net`", errno: 1).execExitCode == 125)
        #expect(RuntimeError("exec in container `x`", detail: "the container is stopped").execExitCode == 125)
    }
}
