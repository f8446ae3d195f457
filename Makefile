# Spooled for C++ — top-level commands. See README.md.
BUILD_DIR ?= build
PRESET    ?= default
JOBS      ?= $(shell nproc)

# ccache keys on paths relative to the checkout, so a fresh clone reuses earlier builds' objects.
export CCACHE_BASEDIR   := $(CURDIR)
export CCACHE_NOHASHDIR := true

.PHONY: deps build run test test-asan bench clean format

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

run: build
	./$(BUILD_DIR)/bin/spooled-server

test: build
	@bash scripts/run-tests.sh $(BUILD_DIR)

test-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@bash scripts/run-tests.sh build-asan

bench: build
	./$(BUILD_DIR)/bin/bench/spooled-bench

format:
	@find include src apps examples tests bench -name '*.[ch]pp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-asan
