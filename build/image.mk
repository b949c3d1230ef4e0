# The device image (issue 6); the Makefile includes this file. Both targets
# need root and are not part of `make test`. See docs/IMAGE.md.
#   make image        signed arm64 disk image in bin/image/
#   make image-test   boot it under qemu-system-aarch64 to a healthy service
# Debian packages they need (as root: make image-deps).
IMAGE_APT_PACKAGES := mmdebstrap qemu-user-static binfmt-support arch-test \
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross e2fsprogs fdisk bmap-tools u-boot-tools file \
	qemu-system-arm curl \
	libavcodec-dev:arm64 libavformat-dev:arm64 libavfilter-dev:arm64 libavutil-dev:arm64 \
	libswscale-dev:arm64 libswresample-dev:arm64 \
	libasound2-dev:arm64 libgles-dev:arm64 libegl-dev:arm64 libgl1-mesa-dev:arm64 \
	libwayland-dev:arm64 libxkbcommon-dev:arm64

.PHONY: image image-test image-deps image-check

image-deps:
	@dpkg --print-foreign-architectures | grep -qx arm64 || { dpkg --add-architecture arm64 && apt-get update -qq; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(IMAGE_APT_PACKAGES) >/dev/null

image:
	VERSION=$(VERSION) build/image/build.sh
	$(MAKE) image-check

image-test:
	build/image/boot-test.sh

# After the build: the binary is an aarch64 ELF, the image verifies, a
# one-byte change is refused (cmd/manbang-flash's TestBuiltImage).
image-check:
	img=$$(ls -t bin/image/*.img | head -1); \
	MANBANG_IMAGE=$$PWD/$$img MANBANG_IMAGE_PUB=$${IMAGE_PUB:-$$PWD/.cache/image/keys/image-signing.pub} \
		$(GO) test -count=1 -run TestBuiltImage -v ./cmd/manbang-flash
