# Spooled for C++ — top-level commands. See README.md.
BUILD_DIR ?= build
PRESET    ?= default
JOBS      ?= $(shell nproc)

# ccache keys on paths relative to the checkout, so a fresh clone reuses earlier builds' objects.
export CCACHE_BASEDIR   := $(CURDIR)
export CCACHE_NOHASHDIR := true

.PHONY: deps build run test test-asan bench bench-engine bench-compare clean format

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

# Load benchmarks against a spooled-server each run starts on a temporary SQLite file
# (docs/performance.md). About three minutes on a 2-core machine, most of it filling a queue to
# one million jobs.
bench: build
	./$(BUILD_DIR)/bin/spooled-bench burndown --jobs 20000
	./$(BUILD_DIR)/bin/spooled-bench burndown --jobs 20000 --official-api
	./$(BUILD_DIR)/bin/spooled-bench steady --rate 1000 --seconds 10
	./$(BUILD_DIR)/bin/spooled-bench depth
	./$(BUILD_DIR)/bin/spooled-bench longpoll --waiters 10000

# In-process benchmarks of the job engine (Google Benchmark).
bench-engine: build
	./$(BUILD_DIR)/bin/spooled-engine-bench

# spooled-server next to BullMQ and pg-boss on this machine (installs them; needs root).
bench-compare: build
	bash bench/compare.sh --build-dir $(BUILD_DIR)

format:
	@find include src apps examples tests bench -name '*.[ch]pp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-asan
