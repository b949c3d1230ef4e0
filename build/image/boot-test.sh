#!/usr/bin/env bash
# `make image-test`: boots the built arm64 image under qemu-system-aarch64
# (software emulation, -M virt -cpu cortex-a53), slot A, and waits until the
# box's UI has drawn frames, as GET /api/v1/state on its control endpoint
# says, reached
# through qemu's user-mode network forwarded to 127.0.0.1 only. The guest
# is isolated from every other network (restrict=on). Disk writes go to a
# temporary snapshot; the image is not changed.
# Environment: IMAGE (default: the newest bin/image/*.img), TIMEOUT (s),
# WATCH (s: keep it running that long after and check the watchdog).
set -euo pipefail
cd "$(dirname "$0")/../.."
img=${IMAGE:-$(ls -t bin/image/*.img 2>/dev/null | head -1)}
[ -f "$img" ] || { echo "image-test: no image; run make image first" >&2; exit 1; }
base=${img%.img}
timeout=${TIMEOUT:-1800}
bin/image/manbang-flash verify "$img" >/dev/null 2>&1 || { echo "image-test: $img does not verify" >&2; exit 1; }
root_uuid=$(sfdisk -d "$img" | awk -F'uuid=' '/name="root_a"/{split($2,a,","); print a[1]}' | tr -d ' ' | tr A-Z a-z)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$(mktemp -t manbang-image-test.XXXXXX.log)
append="root=PARTUUID=$root_uuid ro rootwait console=ttyAMA0 manbang.slot=A manbang.imagetest \
systemd.setenv=MANBANG_CONTROL=127.0.0.1:7070 systemd.setenv=MANBANG_OPERATOR=http://127.0.0.1:9 \
systemd.setenv=MANBANG_BOOTENV=file:/run/manbang-boot/env \
systemd.setenv=WLR_BACKENDS=headless \
systemd.setenv=WLR_RENDERER=pixman systemd.setenv=WLR_LIBINPUT_NO_DEVICES=1 systemd.setenv=LIBGL_ALWAYS_SOFTWARE=1 \
systemd.journald.forward_to_console=1"
echo "image-test: booting $img (log: $log; control forwarded to 127.0.0.1:$port)"
start=$(date +%s)
qemu-system-aarch64 -M virt -cpu cortex-a53 -smp 2 -m 1536 -nographic -no-reboot \
	-kernel "$base.vmlinuz" -initrd "$base.initrd.img" -append "$append" \
	-drive "if=none,id=hd,file=$img,format=raw,snapshot=on" -device virtio-blk-pci,drive=hd \
	-netdev "user,id=net,restrict=on,hostfwd=tcp:127.0.0.1:$port-:7071" -device virtio-net-pci,netdev=net,romfile= \
	-serial "file:$log" -monitor none -display none </dev/null &
qemu=$!
trap 'kill $qemu 2>/dev/null; wait $qemu 2>/dev/null || true' EXIT
state=""
while [ $(( $(date +%s) - start )) -lt "$timeout" ]; do
	if ! kill -0 $qemu 2>/dev/null; then
		echo "image-test: qemu stopped; the end of the console:" >&2
		tail -40 "$log" >&2
		exit 1
	fi
	# Healthy: the UI answers and has drawn frames (before its first frame
	# the endpoint answers null).
	if state=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/api/v1/state" 2>/dev/null) &&
		grep -Eq '"frames": *[1-9]' <<<"$state"; then
		break
	fi
	state=""
	sleep 5
done
took=$(( $(date +%s) - start ))
if [ -z "$state" ]; then
	echo "image-test: no answer from the box after ${took}s; the end of the console:" >&2
	tail -40 "$log" >&2
	exit 1
fi
echo "image-test: the box answered after ${took}s: $state"
# WATCH=SECONDS keeps the box running that long more and checks that the
# UI still answers and systemd's watchdog (WatchdogSec=30s, petted by the
# render loop) never fired.
if [ "${WATCH:-0}" -gt 0 ]; then
	sleep "$WATCH"
	if grep -aqi 'watchdog timeout' "$log" || ! curl -fsS --max-time 10 "http://127.0.0.1:$port/api/v1/state" >/dev/null; then
		echo "image-test: after ${WATCH}s more the UI is gone or the watchdog fired; the end of the console:" >&2
		tail -40 "$log" >&2
		exit 1
	fi
	echo "image-test: still answering ${WATCH}s later, no watchdog timeout"
fi
grep -E 'Reached target|manbang' "$log" | tail -5 || true
