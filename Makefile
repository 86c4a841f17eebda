# bosun — developer targets. `make demo` is the main job on the embedded example; `make test` runs every test.
SWIFT ?= swift
SHELL := /bin/bash
BUILD_FLAGS ?=

.PHONY: build release test check fuzz demo demo-down chaos soak bench bench-quick bench-validate bench-pull bench-converge fmt clean deps

build:
	$(SWIFT) build $(BUILD_FLAGS)

# Release binaries link the Swift runtime and Foundation statically: a process starts in ~11 ms instead of ~16
# (most of a dynamic start is mapping and relocating 40-odd shared libraries), and a container start pays two.
# They are position-dependent (-no-pie): the ~150,000 relative relocations of Swift metadata a PIE needs cost
# ~0.7 ms per process start and leave ~1.5 MiB of dirty pages in every bosun process, the agent included. And
# they export no symbols (--no-export-dynamic): 37,000 exported Swift symbols made every library's symbol
# lookups and the Swift runtime's one dladdr at start-up (a linear scan) cost ~0.7 ms more.
release:
	$(SWIFT) build -c release --static-swift-stdlib -Xlinker -no-pie -Xlinker --no-export-dynamic $(BUILD_FLAGS)

# Every test. Tests that need root or loopback servers run when root; with CI=1 they fail instead of skipping.
# Warnings in bosun's own sources fail the build (dependencies are not held to it).
test:
	@scripts/check-state-paths
	@scripts/check-linux-calls
	@scripts/check-errors
	@set -o pipefail; $(SWIFT) build --build-tests $(BUILD_FLAGS) 2>&1 | tee .build-log.txt
	@if grep -E '^/.*/(Sources|Tests)/.*: warning:' .build-log.txt; then echo "make: warnings in bosun's sources" >&2; exit 1; fi
	$(SWIFT) test --skip-build

check: test

# A longer fuzzing campaign than CI's: image references and tar layers (300,000 / 100,000 mutations per million).
FUZZ_ITERATIONS ?= 1000000
fuzz:
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	BOSUN_FUZZ_ITERATIONS=$(FUZZ_ITERATIONS) $(SWIFT) test --skip-build --filter 'FuzzTests|RobustnessTests'

# bosun's main job on the embedded example, offline: the example in manifests/ committed to a local git
# repository, its image built from busybox-static and imported, then planned and converged on this host from
# git (as the agent does), and the result shown: status, history, the web front on 127.0.0.1:8080.
# `make demo-down` removes what it created.
DEMO_STATE ?= /var/lib/bosun
DEMO_REPO ?= $(CURDIR)/.build/demo-repo
BOSUN = $(SWIFT) run --skip-build bosun
demo: build
	$(BOSUN) validate --path manifests
	rm -rf .build/demo-image && scripts/make-busybox-image .build/demo-image
	$(BOSUN) image import .build/demo-image --state-dir $(DEMO_STATE)
	scripts/make-demo-repo $(DEMO_REPO)
	$(BOSUN) plan --repo $(DEMO_REPO) --state-dir $(DEMO_STATE)
	$(BOSUN) apply --repo $(DEMO_REPO) --state-dir $(DEMO_STATE)
	$(BOSUN) status --state-dir $(DEMO_STATE)
	$(BOSUN) history --state-dir $(DEMO_STATE)
	curl -fsS http://127.0.0.1:8080/

demo-down: build
	$(BOSUN) down --volumes --state-dir $(DEMO_STATE)

# Fault injection as root (docs/chaos.md): one PASS/FAIL line per scenario, non-zero exit on any FAIL; N agent
# kills (default 10). Everything it starts is stopped and removed. Not part of `make test`.
CHAOS_N ?= 10
chaos: release
	bash chaos/run $(CHAOS_N)

# The agent under sustained work for SOAK_MINUTES (default 60): 10 services, a commit every 5 s, polling every
# second, drift checks every 5 s; RSS each minute and the growth per hour between minute 10 and the end
# (bench/soak.py; --heaptrack FILE finds what grows). A benchmark, not a test.
SOAK_MINUTES ?= 60
soak: release
	python3 bench/soak.py --minutes $(SOAK_MINUTES)

# Every benchmark beside its peers in one run, one table, written to docs/benchmarks.md (bench/README.md).
# BENCH_SECTIONS=start,journal picks sections; bench-quick runs fewer, smaller ones and skips the agent.
bench: release
	python3 bench/all
bench-quick: release
	python3 bench/all --quick
# validate/render beside docker-compose config, and the no-change poll.
bench-validate: release
	bash bench/run

# Debian packages the build and the tests need.
deps:
	apt-get update
	apt-get install -y libgit2-dev libyaml-dev zlib1g-dev libzstd-dev pkg-config git openssh-server openssh-client gpg gpgv gpg-agent lighttpd openssl busybox-static docker-registry skopeo apache2-utils python3 curl umoci libnftables-dev nftables iproute2 util-linux apparmor

clean:
	rm -rf .build
bench-pull: release
	bash bench/pull
bench-converge: release
	bash bench/converge
