# bosun — developer targets. `make demo` is the main job on the embedded example; `make test` runs every test.
SWIFT ?= swift
SHELL := /bin/bash
BUILD_FLAGS ?=

.PHONY: build release test check demo bench bench-pull fmt clean deps

build:
	$(SWIFT) build $(BUILD_FLAGS)

release:
	$(SWIFT) build -c release $(BUILD_FLAGS)

# Every test. Tests that need root or loopback servers run when root; with CI=1 they fail instead of skipping.
# Warnings in bosun's own sources fail the build (dependencies are not held to it).
test:
	@set -o pipefail; $(SWIFT) build --build-tests $(BUILD_FLAGS) 2>&1 | tee .build-log.txt
	@if grep -E '^/.*/(Sources|Tests)/.*: warning:' .build-log.txt; then echo "make: warnings in bosun's sources" >&2; exit 1; fi
	$(SWIFT) test --skip-build

check: test

# bosun's main job on the embedded example, offline, as far as it goes today: validate and render the desired
# state in manifests/, import the busybox image it uses (built from busybox-static), show the plan, and run
# one container from that image. (`bosun apply` converges it once the agent lands.)
DEMO_STATE ?= /var/lib/bosun
demo: build
	$(SWIFT) run --skip-build bosun validate --path manifests
	$(SWIFT) run --skip-build bosun render --path manifests --format yaml | head -n 40
	rm -rf .build/demo-image && scripts/make-busybox-image .build/demo-image
	$(SWIFT) run --skip-build bosun image import .build/demo-image --state-dir $(DEMO_STATE)
	$(SWIFT) run --skip-build bosun plan --path manifests --state-dir $(DEMO_STATE)
	$(SWIFT) run --skip-build bosun run --state-dir $(DEMO_STATE) localhost:5000/bosun/busybox:1.35 \
		/bin/sh -c 'echo "hello from $$(hostname), a bosun container: $$(grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status | tr "\n\t" "  ")"'

# Figures printed side by side with a peer (see bench/README.md).
bench: release
	bash bench/run

# Debian packages the build and the tests need.
deps:
	apt-get update
	apt-get install -y libgit2-dev libyaml-dev zlib1g-dev libzstd-dev pkg-config git openssh-server lighttpd openssl busybox-static docker-registry skopeo apache2-utils python3 curl umoci libnftables-dev nftables iproute2 util-linux

clean:
	rm -rf .build
bench-pull: release
	bash bench/pull
