import Testing
@testable import BosunDaemon

/// What an idle agent gives back: code mappings and its own `.rodata`, in whole pages, nothing writable besides.
@Suite struct ProcessMemoryTests {
    let maps = """
        00400000-02a76000 r-xp 00000000 fe:01 123 /usr/local/bin/bosun
        02a77000-02b98000 r--p 02676000 fe:01 123 /usr/local/bin/bosun
        02b98000-05100000 rw-p 02797000 fe:01 123 /usr/local/bin/bosun
        05100000-05200000 rw-p 00000000 00:00 0 [heap]
        7f0000000000-7f0000100000 r-xp 00028000 fe:01 456 /usr/lib/x86_64-linux-gnu/libc.so.6
        7f0000100000-7f0000102000 rw-p 00128000 fe:01 456 /usr/lib/x86_64-linux-gnu/libc.so.6
        7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0 [vdso]
        """

    @Test func codeMappingsAndTheExecutablesRodataInWholePages() {
        // .rodata from file offset 0x2797800 for 0x1000000 bytes: inside the rw-p mapping at 0x2b98000 (offset 0x2797000).
        let ranges = ProcessMemory.releasableRanges(maps: maps, executable: "/usr/local/bin/bosun",
                                                    rodata: (offset: 0x2797800, size: 0x1000000), pageSize: 0x1000)
        #expect(ranges == [
            ReleasableRange(start: 0x400000, end: 0x2a76000),
            ReleasableRange(start: 0x2b99000, end: 0x3b98000),
            ReleasableRange(start: 0x7f0000000000, end: 0x7f0000100000),
        ])
    }

    @Test func withoutRodataOnlyCode() {
        let ranges = ProcessMemory.releasableRanges(maps: maps, executable: "/usr/local/bin/bosun", rodata: nil, pageSize: 0x1000)
        #expect(ranges.count == 2 && ranges.allSatisfy { $0.start == 0x400000 || $0.start == 0x7f0000000000 })
    }

    @Test func thisExecutableHasARodataSection() throws {
        let rodata = try #require(ELFSections.rodata(ofFile: "/proc/self/exe"))
        #expect(rodata.size > 0 && rodata.offset > 0)
        #expect(ELFSections.rodata(ofFile: "/etc/hostname") == nil)
    }

    @Test func aTrimLeavesTheProcessWorking() {
        ProcessMemory.trim()
        ProcessMemory.trim(refresh: false)
        #expect(ProcessMemory.findRanges().isEmpty == false)
    }
}
