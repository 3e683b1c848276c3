# Hearth: `make run` and `make test` do all set-up on a fresh machine.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
PORT ?= 8080
CMAKE_FLAGS ?=
CTEST_FLAGS ?=

.PHONY: all deps configure build run test test-unit test-integration test-e2e test-k8s k8s-fixture \
	bench format lint clean

all: build

deps:
	bash scripts/install-deps

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

configure: $(BUILD_DIR)/build.ninja

build: deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Starts the coordinator on http://127.0.0.1:$(PORT) with a demo owner and simulated devices.
run: build
	$(BUILD_DIR)/hearth demo --listen 127.0.0.1:$(PORT) --data .hearth-demo \
	  --fixtures tests/fixtures/hosts

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j 2 $(CTEST_FLAGS)

test-unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j 2 -L unit $(CTEST_FLAGS)

test-integration: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L integration $(CTEST_FLAGS)

test-e2e: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L e2e $(CTEST_FLAGS)
# Kubernetes tests only, against a real control plane (tests/k8s/cluster; the first run builds
# the upstream binaries, later runs use the cache).
test-k8s: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L k8s $(CTEST_FLAGS)

# Builds (or finds cached) the Kubernetes test fixture's binaries.
k8s-fixture:
	tests/k8s/build

bench: build
	bash bench/run
	bash bench/akash

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'bench/*.cc')

lint: build
	bash scripts/lint $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
