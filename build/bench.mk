# Benchmarks beside mpv, ffplay and ffmpeg, and the fault suite (issue 7).
# Included by the Makefile, which defines GO, BIN and XVFB.

.PHONY: bench faults faults-short soak

BENCH_FLAGS ?=
FAULTS_ENV = FAULTS_BIN=$(abspath $(BIN)) FAULTS_REPORT=$(abspath bench/faults.md)

# One run of every figure beside the peers: results in bench/results.md,
# bench/results.json (compared with the previous run: regressions over 10%
# are flagged) and bench/*.png. The harness starts its own Xvfb. One case
# alone, kept out of the committed results:
#   make bench BENCH_FLAGS='-only cpu/idle -out /tmp/bench-idle'
# (go run ./build/bench -help lists the sections and steps -only takes).
bench: build
	$(GO) run ./build/bench -bin $(BIN) -out bench $(BENCH_FLAGS)

# The whole fault suite, then every fuzz target for 2 minutes.
faults: build
	$(FAULTS_ENV) $(XVFB) $(GO) test -tags gles2,faults -count=1 -v -timeout 60m ./build/faults
	FUZZTIME=2m build/fuzz.sh

# The short fault suite make test (and so CI) runs: the main cases, 100
# kills, no fuzzing (make test fuzzes every target). Its report goes to
# $(BIN)/faults-short.md, leaving bench/faults.md to the full suite.
faults-short: build
	FAULTS_BIN=$(abspath $(BIN)) FAULTS_REPORT=$(abspath $(BIN))/faults-short.md $(XVFB) $(GO) test -tags gles2,faults -short -count=1 -v -timeout 10m ./build/faults

# 30 minutes of playback in the UI with a change every 10 s.
SOAK ?= 30m
soak: build
	FAULTS_SOAK=$(SOAK) $(FAULTS_ENV) $(XVFB) $(GO) test -tags gles2,faults -count=1 -v -timeout 60m -run TestSoak ./build/faults
