#!/usr/bin/env bash
# The demo behind `make run`: starts the reference head-end with generated
# demo content on loopback, then the box UI against it. Closing the window
# (or Ctrl-C) stops both. Without a display the UI runs in Xvfb and its
# control endpoint is switched on so that it can be driven and screenshotted.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${MANBANG_HEADEND_PORT:-8080}
data=${MANBANG_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/manbang-headend}
log=$(mktemp -t manbang-headend.XXXXXX.log)

bin/manbang-headend --demo --addr "127.0.0.1:$port" --data "$data" 2> >(tee "$log" >&2) &
headend=$!
trap 'kill $headend 2>/dev/null; wait $headend 2>/dev/null || true; rm -f "$log"' EXIT

echo "run: waiting for the head-end (the first run generates the demo content with ffmpeg)..."
until grep -q "serving" "$log" 2>/dev/null; do
	if ! kill -0 $headend 2>/dev/null; then
		echo "run: the head-end did not start; see above" >&2
		exit 1
	fi
	sleep 0.5
done

args=(--operator "http://127.0.0.1:$port" "$@")
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
	bin/manbang "${args[@]}"
else
	control=${MANBANG_CONTROL:-127.0.0.1:7070}
	echo "run: no display; the UI runs in Xvfb. Drive it with:"
	echo "  curl -H 'Content-Type: application/json' -d '{\"key\":\"ok\"}' http://$control/api/v1/keys"
	echo "  curl http://$control/api/v1/state"
	echo "  curl -o screen.png http://$control/api/v1/screenshot.png"
	xvfb-run -a -s "-screen 0 1920x1080x24" bin/manbang "${args[@]}" --control "$control"
fi
