# Manbang's build. `make deps run` shows the demo; `make deps test` tests.
# Everything the build, the tests and the demo need comes from Debian's
# packages (make deps) and the Go module proxy.

SHELL := /bin/bash
GO ?= go
# GLFW is built for OpenGL ES with an EGL context: the same GLES 2 shaders
# run on set-top GPUs (Mali, VideoCore) and on desktop Mesa.
export GOFLAGS := -tags=gles2
BIN := bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

# Debian 12 packages: C headers for cgo (FFmpeg, X11/EGL/GLES, ALSA), the
# ffmpeg CLI that makes test and demo streams, Xvfb and Mesa's software GL
# for tests without a display, fonts with Hangul, and the peers and probes
# of make bench (mpv, and rt-tests' cyclictest for the machine's own latency),
# and the tools that make and mount the media sticks of the tests (FAT
# images by mkfs.vfat and mcopy, mounted through FUSE by fusefat).
APT_PACKAGES := gcc pkg-config git ca-certificates \
	ffmpeg libavcodec-dev libavformat-dev libavfilter-dev libavutil-dev libswscale-dev libswresample-dev \
	libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev \
	libgl1-mesa-dev libgles-dev libegl-dev libgl1-mesa-dri libegl-mesa0 \
	libasound2-dev xvfb xauth fonts-nanum fonts-dejavu-core \
	lirc iproute2 mpv rt-tests dosfstools mtools fusefat

# Without a display (CI, a server), GL tests and the demo run in Xvfb.
XVFB := $(if $(DISPLAY),,xvfb-run -a -s "-screen 0 1920x1080x24")

.PHONY: deps build run test vet unit fuzz-short walk golden clean

deps:
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing" $$missing; \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "make deps: Debian packages present"; fi
	@command -v $(GO) >/dev/null || { echo "make deps: Go 1.26 or newer is needed: https://go.dev/dl"; exit 1; }
	$(GO) mod download

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ ./cmd/...

# The demo: a head-end with generated content on loopback, and the box UI.
run: build
	build/run-demo.sh

vet:
	$(GO) vet ./...

unit:
	$(XVFB) $(GO) test -count=1 -timeout 25m ./...

# Every fuzz target for 30 s, two at a time (about 9 minutes): enough to
# catch a regression on the seed corpora and a little beyond; the long runs
# (2 minutes each) are `make faults`. FUZZTIME=5s make fuzz-short for a
# quick look.
FUZZTIME ?= 30s
fuzz-short:
	FUZZTIME=$(FUZZTIME) build/fuzz.sh

# The walk-through (build/walk): the real head-end's demo and the real box
# in Xvfb, driven through the control endpoint along every viewer path;
# each step's screenshot in $(BIN)/walk. The demo's media is made once
# (a minute or two), in the data directory make run uses.
DEMO_DATA ?= $(or $(MANBANG_DATA),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/manbang-headend)
walk: build
	WALK_BIN=$(abspath $(BIN)) WALK_SHOTS=$(abspath $(BIN))/walk WALK_DATA=$(DEMO_DATA) $(XVFB) $(GO) test -tags gles2,walk -count=1 -v -timeout 20m ./build/walk

test: vet unit fuzz-short faults-short walk

# Rewrite the golden screenshots (ui/testdata, ui/gfx/testdata) from what
# is drawn now; look at the pictures' diffs before committing them.
golden:
	$(XVFB) $(GO) test -count=1 -run Golden ./ui/gfx ./ui -update

# make bench, make faults, make faults-short, make soak: the proof beside
# mpv, ffplay and ffmpeg (bench/results.md) and the fault suite.
include build/bench.mk

# make image, make image-test: the signed arm64 device image and its boot
# test under qemu (root, not part of make test): docs/IMAGE.md.
include build/image.mk

clean:
	rm -rf $(BIN)
