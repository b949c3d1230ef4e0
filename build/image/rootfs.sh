#!/usr/bin/env bash
# The cached rootfs stage: Debian 12 arm64 with mmdebstrap, the second
# stage run under qemu-user-static (binfmt). Writes a directory (root-owned).
# usage: rootfs.sh OUTDIR   (env: MIRROR, SOURCE_DATE_EPOCH)
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
mirror=${MIRROR:-http://deb.debian.org/debian}
include=$(grep -v '^\s*#' "$here/packages.txt" | grep -v '^\s*$' | sort | paste -sd, -)
# qemu-user needs the binfmt handler for arm64 binaries in the chroot.
if [ "$(uname -m)" != aarch64 ] && ! [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
	[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
	update-binfmts --enable qemu-aarch64
fi
mmdebstrap --mode=root --format=directory --variant=minbase --arch=arm64 \
	--include="$include" \
	--aptopt='APT::Install-Recommends "false"' \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-include=/usr/share/locale/ko*' --dpkgopt='path-include=/usr/share/locale/ru*' \
	--customize-hook='chroot "$1" useradd --system --create-home --home-dir /var/lib/manbang --groups video,render,input,audio --shell /usr/sbin/nologin manbang' \
	--customize-hook='chroot "$1" passwd --lock root' \
	--customize-hook='rm -f "$1"/etc/machine-id "$1"/var/lib/dbus/machine-id; touch "$1"/etc/machine-id' \
	--customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/var/log/*' \
	bookworm "$out" "$mirror" "$mirror-security bookworm-security main" "$mirror bookworm-updates main"
