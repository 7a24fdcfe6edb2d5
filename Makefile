# mactile: `make demo` runs the main job, `make test` the whole test suite; both set up what is missing.
# ONNXRUNTIME_NODE_INSTALL=skip: onnxruntime-node (a test dependency) carries its CPU binary; its install
# script would otherwise try to download GPU files from outside the npm registry.
NODE_BIN := node_modules/.bin
TS_SOURCES := $(shell find src bench -name '*.ts' 2>/dev/null)

.PHONY: setup demo test lint format build tools services clean bench

setup: node_modules/.package-lock.json tools build

node_modules/.package-lock.json: package.json package-lock.json
	ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
	@touch $@

tools:
	@./scripts/setup-tools.sh chromium

build: dist/.built

dist/.built: $(TS_SOURCES) tsconfig.json node_modules/.package-lock.json
	$(NODE_BIN)/tsc -p tsconfig.json
	@touch $@

demo: setup
	./scripts/demo.sh

# The test suite also needs a single-node Slurm (for the Slurm sweep test); as root it is installed and started.
services:
	@./scripts/slurm-up.sh

# The build runs beside the linters (see lint), not before them: on a clean clone that is a core less idle.
test: node_modules/.package-lock.json tools lint services
	$(NODE_BIN)/vitest run

# The rules a tool keeps: types (tsconfig.json through `build`, tests and scripts through tsconfig.test.json), ESLint,
# import boundaries (.dependency-cruiser.cjs), unused files/exports/dependencies (knip.jsonc) and formatting, run
# two at a time with the build (each is single-threaded; none of them reads dist/), the longest first (on a clean
# clone about 17, 13, 12, 12, 4 and 3 s). Caches live in node_modules/.cache.
LINTERS := lint-types lint-format lint-eslint lint-imports lint-unused
.PHONY: $(LINTERS)

lint: node_modules/.package-lock.json
	@$(MAKE) --no-print-directory -j2 $(firstword $(LINTERS)) build $(wordlist 2,9,$(LINTERS))

lint-types:
	$(NODE_BIN)/tsc -p tsconfig.test.json
lint-eslint:
	$(NODE_BIN)/eslint --max-warnings 0 --cache --cache-location node_modules/.cache/eslint/ .
lint-imports:
	$(NODE_BIN)/depcruise src bench test scripts
lint-unused:
	$(NODE_BIN)/knip --cache
lint-format:
	$(NODE_BIN)/prettier --check --cache --log-level warn .

# Rewrites every file prettier checks (see .prettierignore).
format: node_modules/.package-lock.json
	$(NODE_BIN)/prettier --write --cache --log-level warn .

bench: setup
	node dist/bench/run.js

# Regenerates the files PyTorch made (models/pytorch/, test/fixtures/torchvision/) with Debian's PyTorch, installed
# here when missing; `make test` never needs PyTorch (it reads the committed files).
.PHONY: pytorch-fixtures
pytorch-fixtures: node_modules/.package-lock.json
	@./scripts/setup-tools.sh pytorch
	/usr/bin/python3 models/pytorch.py

clean:
	rm -rf dist generated reports
