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

# bosun's main job on the embedded example: validate and render the desired state in manifests/.
demo: build
	$(SWIFT) run --skip-build bosun validate --path manifests
	$(SWIFT) run --skip-build bosun render --path manifests

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
