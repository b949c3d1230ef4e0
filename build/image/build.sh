#!/usr/bin/env bash
# `make image`: the signed arm64 disk image of the box, from Debian's
# packages only. See docs/IMAGE.md.
#
# Stages (each prints how long it took):
#   keys      the image-signing key (a development key is made if none given)
#   binaries  manbang for linux/arm64 (cgo, cross gcc, Debian's :arm64 libs);
#             manbang-flash for this machine with the public key built in
#   rootfs    Debian 12 arm64 by mmdebstrap; cached, keyed by packages.txt
#             and rootfs.sh, so a rebuild after a code change skips it
#   tree      rootfs + build/image/rootfs overlay + the binary; times clamped
#   fs        ext4 file systems made from directories (mkfs.ext4 -d), fixed
#             UUIDs and hash seeds, no timestamps but SOURCE_DATE_EPOCH
#   disk      GPT on an image file (sfdisk), partitions placed with dd
#   sign      bmap (bmaptool), manifest with hashes, ed25519 signature
#
# Environment: VERSION, MODEL, IMAGE_OUT (default bin/image), IMAGE_CACHE
# (default .cache/image), IMAGE_KEY (private key file), MIRROR,
# ROOT_SIZE_MIB (default 1536), DATA_SIZE_MIB (default 256), IMAGE_SRC
# (the source tree to build manbang from, default this checkout),
# FAT_CODEPAGE (the DOS code page of FAT sticks' short names: 949 Korean,
# the default; 866 Russian; 437 English).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
here=$repo/build/image

[ "$(id -u)" = 0 ] || { echo "image: needs root (mmdebstrap --mode=root, file ownership in the image)" >&2; exit 1; }
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 1700000000)}
export E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH
export TZ=UTC LC_ALL=C
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
version=${version//[^A-Za-z0-9._+~-]/-}
# Boxes order releases by SemVer and refuse other versions: a tag vX.Y.Z
# is X.Y.Z, anything else (a bare commit, "dev") is 0.0.0-dev+WHAT.
version=${version#v}
[[ $version =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)([-+].*)?$ ]] || version=0.0.0-dev+${version//[^A-Za-z0-9.-]/-}
channel=${CHANNEL:-stable}
security_version=${SECURITY_VERSION:-0}
model=${MODEL:-manbang-arm64}
name=manbang
out=${IMAGE_OUT:-$repo/bin/image}
cache=${IMAGE_CACHE:-$repo/.cache/image}
src=${IMAGE_SRC:-$repo}
root_mib=${ROOT_SIZE_MIB:-1536}
data_mib=${DATA_SIZE_MIB:-256}
boot_mib=32
fat_codepage=${FAT_CODEPAGE:-949}
[[ $fat_codepage =~ ^(437|737|775|850|852|855|857|860|861|862|863|864|865|866|869|874|932|936|949|950)$ ]] ||
	{ echo "image: FAT_CODEPAGE=$fat_codepage is not a code page the kernel's FAT has" >&2; exit 1; }
base=$name-$model-$version
mkdir -p "$out" "$cache"
work=$(mktemp -d "$cache/work.XXXXXX")
trap 'rm -rf "$work"' EXIT

t_all=$(date +%s)
stage() { # stage NAME FUNCTION: run and time one stage
	local t0; t0=$(date +%s)
	echo "==> image: $1"
	"$2"
	echo "<== image: $1 took $(( $(date +%s) - t0 ))s"
}

# uuid NAME: a fixed UUID derived from the name, so that builds repeat.
uuid() {
	local h; h=$(printf 'manbang-image:%s' "$1" | sha256sum | cut -c1-32)
	echo "${h:0:8}-${h:8:4}-4${h:13:3}-a${h:17:3}-${h:20:12}"
}

keys() {
	key=${IMAGE_KEY:-$cache/keys/image-signing.key}
	if [ ! -f "$key" ]; then
		echo "image: no IMAGE_KEY; making a DEVELOPMENT key in $cache/keys (boxes in the field must trust the operator's real key)"
		go run ./cmd/manbang-flash keygen "$cache/keys" >/dev/null
		key=$cache/keys/image-signing.key
	fi
	pub=${key%.key}.pub
	[ -f "$pub" ] || { echo "image: $pub (the public key beside $key) is missing" >&2; exit 1; }
	pubb64=$(sed 's/^manbang-ed25519-public //' "$pub" | tr -d '\n')
}

binaries() {
	GOFLAGS=-tags=gles2 go build -trimpath -ldflags "-X main.publicKey=$pubb64" -o "$out/manbang-flash" ./cmd/manbang-flash
	(
		cd "$src"
		CGO_ENABLED=1 GOOS=linux GOARCH=arm64 CC=aarch64-linux-gnu-gcc \
			PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig \
			GOFLAGS=-tags=gles2,wayland CGO_CFLAGS="-O2 -g0 -w" \
			go build -trimpath -buildvcs=false -ldflags "-s -w -buildid= -X main.version=$version -X main.publicKey=$pubb64" -o "$work/manbang" ./cmd/manbang
		# The watchdog is on only when the binary pets it (sdnotify).
		# (cgo on as in the build: without it go list fails on GLFW's cgo-only
		# packages; its output is kept whole, not cut by grep -q under pipefail.)
		deps=$(CGO_ENABLED=1 GOOS=linux GOARCH=arm64 GOFLAGS=-tags=gles2,wayland go list -deps ./cmd/manbang)
		if grep -q '/operator/update/sdnotify$' <<<"$deps"; then
			echo "WatchdogSec=30s" > "$work/watchdog"
		else
			echo "image: manbang does not send sd_notify WATCHDOG=1 yet: the unit's watchdog is off (see docs/IMAGE.md)"
			echo "# WatchdogSec=30s: off until manbang sends sd_notify WATCHDOG=1" > "$work/watchdog"
		fi
	)
	file "$work/manbang" | grep -q 'ARM aarch64' || { echo "image: $work/manbang is not an aarch64 binary" >&2; exit 1; }
	echo "image: $(file -b "$work/manbang" | cut -d, -f1-2)"
}

rootfs() {
	rootkey=$(cat "$here/packages.txt" "$here/rootfs.sh" | sha256sum | cut -c1-16)
	rootdir=$cache/rootfs-$rootkey
	if [ -d "$rootdir" ]; then
		echo "image: rootfs cached ($rootdir)"
		return
	fi
	rm -rf "$rootdir.tmp"
	"$here/rootfs.sh" "$rootdir.tmp"
	mv "$rootdir.tmp" "$rootdir"
	# Old rootfs caches go; they are hundreds of MB each.
	for old in "$cache"/rootfs-*; do [ "$old" = "$rootdir" ] || rm -rf "$old"; done
}

tree() {
	t=$work/root
	cp -a "$rootdir" "$t"
	cp -a "$here/rootfs/." "$t/"
	sed "s|@WATCHDOG@|$(cat "$work/watchdog")|" "$here/rootfs/etc/systemd/system/manbang.service.in" > "$t/etc/systemd/system/manbang.service"
	rm "$t/etc/systemd/system/manbang.service.in"
	sed -i "s|@FAT_CODEPAGE@|$fat_codepage|" "$t/etc/udev/rules.d/80-manbang-media.rules"
	install -m 0755 "$work/manbang" "$t/usr/bin/manbang"
	cp "$work/manbang" "$out/$base.manbang"
	printf 'NAME=%s\nVERSION=%s\nMODEL=%s\nSECURITY_VERSION=%s\n' "$name" "$version" "$model" "$security_version" > "$t/etc/manbang-release"
	# The update service's server and channel, root's (docs/IMAGE.md).
	mkdir -p "$t/etc/manbang"
	printf 'SERVER=%s\nCHANNEL=%s\n' "${UPDATE_SERVER:-}" "$channel" > "$t/etc/manbang/update.conf"
	chmod 0644 "$t/etc/manbang/update.conf"
	for unit in manbang.service systemd-networkd.service systemd-resolved.service seatd.service manbang-imagetest-forward.socket \
		manbang-mark-good.path manbang-update-request.path manbang-update.timer; do
		if [ -e "$t/etc/systemd/system/$unit" ] || [ -e "$t/lib/systemd/system/$unit" ]; then
			systemctl --root="$t" enable "$unit" >/dev/null 2>&1
		fi
	done
	ln -sf /run/systemd/resolve/stub-resolv.conf "$t/etc/resolv.conf"
	mkdir -p "$t/data" "$t/var/lib/manbang"
	cp -L "$t/vmlinuz" "$out/$base.vmlinuz"
	cp -L "$t/initrd.img" "$out/$base.initrd.img"
	# The data partition's tree: the box's writable state.
	d=$work/data
	mkdir -p "$d/manbang"
	uidgid=$(awk -F: '$1=="manbang"{print $3":"$4}' "$t/etc/passwd")
	chown -R "$uidgid" "$d/manbang"
	# The update's downloads: root's alone (the root update service must
	# not write through links the unprivileged UI could plant).
	mkdir -p "$d/manbang-update"
	chmod 0700 "$d/manbang-update"
	# The boot partition's tree: the U-Boot A/B script.
	b=$work/boot
	mkdir -p "$b"
	cp "$here/boot.cmd" "$b/boot.cmd"
	if command -v mkimage >/dev/null; then
		# mkimage takes the header's time from SOURCE_DATE_EPOCH.
		mkimage -A arm64 -O linux -T script -C none -n manbang-ab -d "$b/boot.cmd" "$b/boot.scr" >/dev/null
	fi
	for dir in "$t" "$d" "$b"; do
		find "$dir" -depth -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	done
}

# mkext4 DIR IMAGE MIB LABEL: an ext4 file system holding DIR, repeatable.
mkext4() {
	local dir=$1 img=$2 mib=$3 label=$4 id
	id=$(uuid "fs-$label")
	rm -f "$img"
	mkfs.ext4 -q -F -L "$label" -U "$id" -E "hash_seed=$id,root_owner=0:0,lazy_itable_init=0" \
		-O ^metadata_csum_seed -b 4096 -I 256 -d "$dir" "$img" "${mib}M"
	# mkfs.ext4 -d copies each file's atime and ctime (the time of this
	# build): clamp them to the epoch, inode by inode.
	(cd "$dir" && find . | LC_ALL=C sort) | sed 's|^\.||; s|^$|/|; s|"|\\"|g' |
		awk -v e="@$SOURCE_DATE_EPOCH" '{printf "sif \"%s\" atime %s\nsif \"%s\" ctime %s\n", $0, e, $0, e}' > "$work/times-$label"
	debugfs -w -f "$work/times-$label" "$img" >/dev/null 2>&1
	e2fsck -fn "$img" >/dev/null || { echo "image: $img does not check clean" >&2; exit 1; }
}

fs() {
	local used
	used=$(du -sm "$work/root" | cut -f1)
	if [ $((used * 115 / 100)) -gt "$root_mib" ]; then
		echo "image: the root tree holds ${used} MiB; ROOT_SIZE_MIB=$root_mib is too small" >&2
		exit 1
	fi
	echo "image: root tree ${used} MiB in a ${root_mib} MiB slot"
	mkext4 "$work/root" "$out/$base.root.ext4" "$root_mib" root
	mkext4 "$work/data" "$work/data.ext4" "$data_mib" data
	mkext4 "$work/boot" "$work/boot.ext4" "$boot_mib" boot
}

disk() {
	local mib=1048576
	boot_off=$((1 * mib)); root_a_off=$((boot_off + boot_mib * mib))
	root_b_off=$((root_a_off + root_mib * mib)); data_off=$((root_b_off + root_mib * mib))
	total=$((data_off + data_mib * mib + mib))
	img=$out/$base.img
	rm -f "$img"
	truncate -s "$total" "$img"
	sfdisk -q --no-reread --no-tell-kernel "$img" <<-EOF
		label: gpt
		label-id: $(uuid disk)
		first-lba: 2048
		start=$((boot_off / 512)), size=$((boot_mib * 2048)), type=linux, name=boot, uuid=$(uuid part-boot)
		start=$((root_a_off / 512)), size=$((root_mib * 2048)), type=linux, name=root_a, uuid=$(uuid part-root_a)
		start=$((root_b_off / 512)), size=$((root_mib * 2048)), type=linux, name=root_b, uuid=$(uuid part-root_b)
		start=$((data_off / 512)), size=$((data_mib * 2048)), type=linux, name=data, uuid=$(uuid part-data)
	EOF
	dd if="$work/boot.ext4" of="$img" bs=1M seek=$((boot_off / mib)) conv=notrunc,sparse status=none
	dd if="$out/$base.root.ext4" of="$img" bs=1M seek=$((root_a_off / mib)) conv=notrunc,sparse status=none
	dd if="$work/data.ext4" of="$img" bs=1M seek=$((data_off / mib)) conv=notrunc,sparse status=none
	# Slot B stays empty (unmapped); BOOT_B_LEFT is 0 until an update fills it.
}

sign() {
	bmaptool -q create "$img" -o "$img.bmap"
	"$out/manbang-flash" sign --key "$key" --name "$name" --version "$version" --model "$model" \
		--channel "$channel" --security-version "$security_version" \
		--image "$img" --bmap "$img.bmap" --update "$out/$base.root.ext4" \
		--part "boot:$boot_off:$((boot_mib * 1048576))" \
		--part "root_a:$root_a_off:$((root_mib * 1048576))" \
		--part "root_b:$root_b_off:$((root_mib * 1048576))" \
		--part "data:$data_off:$((data_mib * 1048576))"
	"$out/manbang-flash" verify "$img" 2>/dev/null
}

stage keys keys
stage binaries binaries
stage rootfs rootfs
stage tree tree
stage fs fs
stage disk disk
stage sign sign
echo "image: $img ($(du -h --apparent-size "$img" | cut -f1), $(du -h "$img" | cut -f1) on disk)"
echo "image: sha256 $(sha256sum "$img" | cut -d' ' -f1)"
echo "image: done in $(( $(date +%s) - t_all ))s"
