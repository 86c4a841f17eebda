// swift-tools-version: 6.0
// bosun — a GitOps agent for one Linux host.
//
// Modules from the leaves up (see docs/architecture.md):
//   CLibYAML, CLibGit2 (system libraries), CBosunSys (the few syscalls Swift cannot call)
//   BosunModel            pure desired-state model, config hashes
//   BosunYAML             libyaml node tree with positions
//   BosunOCI              pure OCI runtime-spec model (config.json, state) and bosun's default spec
//   BosunSeccomp          pure seccomp compiler (OCI policy → classic BPF), syscall tables, Docker's profile
//   BosunCgroups          effects: per-container cgroups (v2, delegated v2, v1/hybrid), limits, stats, kill
//   BosunImageSpec        pure OCI image-spec model: digests, descriptors, manifests, index, config, platforms
//   BosunArchive          pure tar reading (ustar, GNU, PAX) and the layer-unpacking plan (whiteouts, safety)
//   BosunImageStore       effects: decompression, safe layer unpacking into snapshots, blobs by digest
//   BosunRegistry         effects: OCI distribution pull (auth, TLS, mirrors, resumable verified blobs)
//   BosunBundle           pure: image config + run request → config.json with Docker's default isolation
//   BosunPlanner          pure: (desired, observed) → plan with causes and field-level diffs
//   BosunDaemon           effects: the agent's webhook endpoint, control socket, systemd notifications
//   BosunAgent            pure: the agent's config, poll schedule, webhook verification, restart decisions
//   BosunManifest         Compose parsing, interpolation, validation (pure)
//   BosunJournal          pure hash-chained journal records, verification, redaction
//   BosunConverge         pure: the executor (plan → engine calls), the journal of a convergence, inventory, health states
//   BosunJournalFiles     durable journal segments on disk (append + fsync)
//   BosunGit              libgit2 mirror, fetch, resolve, read tree (effects)
//   BosunRuntime          the container runtime: OCI bundle -> isolated process (effects)
//   BosunLogFormat        pure, Glibc-free: json-file log lines, RFC 3339 stamps, exit records (shared with the monitor)
//   bosun-monitor         static executable: the per-container monitor (logs, exit status) and the minimal init
//   BosunContainers       effects: detached containers — start through the monitor, stop, remove, list, logs
//   BosunSource           a source spec (repo or directory) -> files + revision
//   CNftables             system library (libnftables)
//   BosunNetwork          effects: bridges, veth, IPAM, nftables NAT and published ports, hosts/resolv.conf
//   BosunHost             effects: the host engine, inventory file, named volumes and mounts, health probes and monitor
//   BosunRuntimeCLI       the `bosun runtime …` commands (runc's surface), exit codes, the start fast path
//   BosunCLI              subcommands
//   bosun                 the small front: helper mode, `runtime …` in-process, anything else execs bosun-cli
//   bosun-cli             the whole command line (git, registry, network, agent): @main only
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The executables on a container start's path link fully static in release builds (`make release`): no
/// shared libraries to load and relocate, about a millisecond less per start. Debug builds stay dynamic
/// (static Foundation links only together with `--static-swift-stdlib`).
let staticInRelease: [LinkerSetting] = [.unsafeFlags(["-static-executable"], .when(configuration: .release))]

let package = Package(
    name: "bosun",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bosun", targets: ["bosun"]),
        .executable(name: "bosun-cli", targets: ["bosun-cli"]),
        .executable(name: "bosun-init", targets: ["bosun-init"]),
        .executable(name: "bosun-monitor", targets: ["bosun-monitor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLibGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .target(name: "CBosunSys"),
        .systemLibrary(name: "CNftables", pkgConfig: "libnftables", providers: [.apt(["libnftables-dev"])]),
        .target(
            name: "BosunModel",
            dependencies: ["BosunFailure", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .target(name: "BosunYAML", dependencies: ["BosunFailure", "CLibYAML"], swiftSettings: strict),
        .target(
            name: "BosunTrust",
            dependencies: ["BosunFailure", .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto")],
            swiftSettings: strict),
        .testTarget(name: "BosunTrustTests", dependencies: ["BosunTrust"], swiftSettings: strict),
        .target(name: "BosunOCI", dependencies: ["BosunModel"], swiftSettings: strict),
        .target(name: "BosunImageSpec", dependencies: ["BosunFailure"], swiftSettings: strict),
        .target(name: "BosunBundle", dependencies: ["BosunOCI", "BosunImageSpec", "BosunModel"], swiftSettings: strict),
        .target(name: "BosunArchive", dependencies: ["BosunFailure"], swiftSettings: strict),
        .target(
            name: "BosunImageStore",
            dependencies: ["BosunFailure", "BosunLinux", "BosunArchive", "BosunImageSpec", "BosunModel", "CBosunSys", "CZlib", "CZstd", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .target(name: "BosunSeccomp", dependencies: ["BosunFailure", "BosunOCI"], swiftSettings: strict),
        .target(name: "BosunCgroups", dependencies: ["BosunFailure", "BosunLinux", "BosunModel", "CBosunSys"], swiftSettings: strict),
        .testTarget(name: "BosunCgroupsTests", dependencies: ["BosunTestSupport", "BosunCgroups", "BosunModel"], swiftSettings: strict),
        .testTarget(
            name: "BosunSeccompTests", dependencies: ["BosunSeccomp", "BosunOCI", "CBosunSys"], swiftSettings: strict),
        .target(
            name: "BosunRegistry",
            dependencies: ["BosunFailure", "BosunLinux", 
                "BosunImageSpec", "BosunImageStore", "BosunModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        .target(name: "BosunManifest", dependencies: ["BosunModel", "BosunYAML"], swiftSettings: strict),
        .target(name: "BosunPlanner", dependencies: ["BosunModel"], swiftSettings: strict),
        .target(
            name: "BosunAgent",
            dependencies: ["BosunFailure", "BosunModel", "BosunYAML", "BosunTrust", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .target(
            name: "BosunDaemon",
            dependencies: [
                "BosunTrust","BosunFailure", "BosunLinux", 
                "BosunAgent", "BosunModel", "BosunJournal", "CBosunSys", "BosunHost", "BosunCycle", "BosunSource", "BosunContainers",
                "BosunNetwork", "BosunConverge", "BosunPlanner", "BosunManifest", "BosunGit", "BosunCgroups", "BosunLogFormat", "BosunImageStore",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .testTarget(name: "BosunDaemonTests", dependencies: ["BosunDaemon", "BosunAgent", "BosunModel", "BosunJournal", "BosunTestSupport", "BosunConverge", "BosunPlanner", "BosunCgroups", "BosunManifest", "BosunContainers", "BosunRuntime", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        .testTarget(name: "BosunAgentTests", dependencies: ["BosunAgent", "BosunModel", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        .target(
            name: "BosunJournal",
            dependencies: ["BosunFailure", "BosunModel", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .target(name: "BosunJournalFiles", dependencies: ["BosunLinux", "BosunJournal"], swiftSettings: strict),
        .target(name: "BosunConverge", dependencies: ["BosunFailure", "BosunModel", "BosunPlanner", "BosunJournal"], swiftSettings: strict),
        .testTarget(
            name: "BosunConvergeTests",
            dependencies: ["BosunTestSupport", "BosunConverge", "BosunPlanner", "BosunModel", "BosunManifest", "BosunJournal"],
            swiftSettings: strict),
        .target(
            name: "BosunGit",
            dependencies: ["BosunFailure", "BosunModel", "CLibGit2", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .target(name: "BosunRuntime", dependencies: ["BosunFailure", "BosunLinux", "BosunOCI", "BosunSeccomp", "BosunCgroups", "CBosunSys", "BosunModel"], swiftSettings: strict),
        .target(name: "BosunSource", dependencies: ["BosunLinux", "BosunModel", "BosunManifest", "BosunGit", "BosunTrust"], swiftSettings: strict),
        .target(name: "BosunFailure", swiftSettings: strict),
        .testTarget(name: "BosunFailureTests", dependencies: ["BosunFailure"], swiftSettings: strict),
        .target(name: "BosunLinux", dependencies: ["BosunFailure", "CBosunSys"], swiftSettings: strict),
        .testTarget(name: "BosunLinuxTests", dependencies: ["BosunLinux"], swiftSettings: strict),
        .target(
            name: "BosunTestSupport",
            dependencies: ["BosunLinux", "CBosunSys", "BosunAgent", "BosunModel", "BosunConverge", "BosunPlanner", "BosunJournal", "BosunGit", "BosunRegistry", "BosunCgroups"],
            swiftSettings: strict),
        .target(
            name: "BosunCycle",
            dependencies: [
                "BosunTrust", "BosunFailure", "BosunModel", "BosunManifest", "BosunPlanner", "BosunConverge", "BosunJournal", "BosunSource", "BosunGit"],
            swiftSettings: strict),
        .testTarget(
            name: "BosunCycleTests",
            dependencies: ["BosunTestSupport", "BosunFailure", "BosunCycle", "BosunConverge", "BosunJournal", "BosunModel", "BosunSource", "BosunGit", "BosunManifest", "BosunPlanner"],
            swiftSettings: strict),
        .target(
            name: "BosunCLI",
            dependencies: [
                "BosunTrust","BosunFailure", 
                "BosunModel", "BosunManifest", "BosunSource", "BosunCycle", "BosunJournal", "BosunJournalFiles", "BosunImageSpec", "BosunImageStore", "BosunRegistry",
                "BosunRuntime", "BosunSeccomp", "BosunBundle", "BosunPlanner", "BosunNetwork", "BosunContainers", "BosunConverge", "BosunHost",
                "BosunAgent", "BosunDaemon", "BosunRuntimeCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        // `bosun` is the small front: runtime commands run in it, everything else execs `bosun-cli` beside it.
        .target(
            name: "BosunRuntimeCLI",
            dependencies: ["BosunFailure", "BosunLinux", "BosunRuntime", "BosunOCI", "BosunModel", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        .executableTarget(
            name: "bosun", dependencies: ["BosunRuntimeCLI"], swiftSettings: strict,
            linkerSettings: staticInRelease),
        .executableTarget(name: "bosun-cli", dependencies: ["BosunCLI", "BosunRuntimeCLI"], swiftSettings: strict),
        .executableTarget(
            name: "bosun-init", dependencies: ["BosunRuntime"], swiftSettings: strict,
            linkerSettings: staticInRelease),
        // The container monitor and minimal init: Glibc only, linked fully static so it runs in any image.
        .target(name: "BosunLogFormat", swiftSettings: strict),
        .executableTarget(
            name: "bosun-monitor", dependencies: ["BosunLinux", "BosunLogFormat", "CBosunSys"], swiftSettings: strict,
            linkerSettings: [.unsafeFlags(["-static-executable"])]),
        .target(
            name: "BosunContainers",
            dependencies: ["BosunLinux", "BosunRuntime", "BosunCgroups", "BosunLogFormat", "BosunImageStore", "BosunBundle", "CBosunSys"],
            swiftSettings: strict),
        .testTarget(name: "BosunContainersTests", dependencies: ["BosunContainers", "BosunLogFormat", "BosunModel"], exclude: ["Fixtures"], swiftSettings: strict),
        .target(name: "BosunNetwork", dependencies: ["BosunFailure", "BosunLinux", "BosunModel", "CBosunSys", "CNftables"], swiftSettings: strict),
        .target(
            name: "BosunHost",
            dependencies: ["BosunFailure", "BosunLinux", 
                "BosunConverge", "BosunJournal", "BosunModel", "BosunPlanner", "BosunOCI", "BosunImageSpec", "BosunImageStore", "BosunRegistry",
                "BosunNetwork", "BosunContainers", "BosunBundle", "BosunRuntime", "BosunSeccomp", "CBosunSys", "BosunCycle", "BosunSource",
            ],
            swiftSettings: strict),
        .testTarget(
            name: "BosunHostTests",
            dependencies: ["BosunTestSupport", "BosunHost", "BosunConverge", "BosunModel", "BosunPlanner", "BosunManifest", "BosunOCI", "BosunImageStore", "BosunRegistry", "CBosunSys"],
            swiftSettings: strict),
        .testTarget(name: "BosunNetworkTests", dependencies: ["BosunTestSupport", "BosunNetwork", "BosunModel", "CBosunSys"], swiftSettings: strict),
        .testTarget(name: "BosunYAMLTests", dependencies: ["BosunYAML"], swiftSettings: strict),
        .testTarget(name: "BosunManifestTests", dependencies: ["BosunManifest", "BosunModel", "BosunBundle", "BosunImageSpec", "BosunOCI"], swiftSettings: strict),
        .testTarget(name: "BosunBundleTests", dependencies: ["BosunBundle", "BosunModel", "BosunImageSpec", "BosunOCI"], swiftSettings: strict),
        .testTarget(name: "BosunImageSpecTests", dependencies: ["BosunImageSpec"], swiftSettings: strict),
        .testTarget(name: "BosunArchiveTests", dependencies: ["BosunTestSupport", "BosunArchive", "BosunModel"], swiftSettings: strict),
        .testTarget(
            name: "BosunImageStoreTests",
            dependencies: ["BosunTestSupport", "BosunImageSpec", "BosunArchive", "BosunImageStore", "CZlib", "CZstd", "CBosunSys",
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .testTarget(
            name: "BosunRegistryTests",
            dependencies: ["BosunTestSupport", 
                "BosunRegistry", "BosunImageSpec", "BosunImageStore", "BosunModel",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        .testTarget(name: "BosunPlannerTests", dependencies: ["BosunPlanner", "BosunModel", "BosunManifest"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "BosunJournalTests", dependencies: ["BosunTestSupport", "BosunJournal", "BosunJournalFiles", "BosunModel"], swiftSettings: strict),
        .testTarget(name: "BosunJournalFilesTests", dependencies: ["BosunTestSupport", "BosunJournal", "BosunJournalFiles", "BosunModel"], swiftSettings: strict),
        .testTarget(name: "BosunModelTests", dependencies: ["BosunModel"], swiftSettings: strict),
        .testTarget(name: "BosunSourceTests", dependencies: ["BosunSource", "BosunModel", "BosunTrust", "BosunGit"], swiftSettings: strict),
        .testTarget(name: "BosunOCITests", dependencies: ["BosunOCI"], swiftSettings: strict),
        .testTarget(name: "BosunLogFormatTests", dependencies: ["BosunLogFormat", "BosunContainers"], swiftSettings: strict),
        .testTarget(name: "BosunRuntimeCLITests", dependencies: ["BosunRuntimeCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")], swiftSettings: strict),
        .testTarget(name: "BosunGitTests", dependencies: ["BosunTestSupport", "BosunGit", "BosunModel", "BosunSource", "BosunTrust"], swiftSettings: strict),
        .testTarget(name: "BosunRuntimeTests", dependencies: ["BosunTestSupport", "BosunRuntime", "BosunCgroups", "BosunOCI", "BosunSeccomp", "bosun"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "BosunCLITests",
            dependencies: ["BosunTestSupport", 
                "BosunCLI", "BosunRuntimeCLI", "bosun", "bosun-cli", "BosunAgent", "BosunDaemon", "BosunModel", "BosunPlanner", "BosunJournal", "BosunManifest",
                "BosunLinux",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
