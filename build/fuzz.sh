#!/usr/bin/env bash
# Runs every fuzz target of the module for $FUZZTIME each (default 5s),
# $FUZZJOBS targets at a time (default: the number of cores), each with one
# fuzzing worker, so the whole run takes about
# targets x FUZZTIME / FUZZJOBS. CI runs it with FUZZTIME=30s (make test);
# make faults with 2m.
#
#   build/fuzz.sh                 every target
#   build/fuzz.sh --one PKG NAME  one target (what the jobs run)
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-5s}

# one runs a target; Go's fuzzer can report "context deadline exceeded"
# when its time runs out mid-run with no failing input (a toolchain
# flake); that, and only that, is tried once more. A real finding names
# its input (written under the package's testdata/fuzz: commit it with the
# fix, so it stays in the seed corpus).
one() {
	local pkg=$1 target=$2 log
	log=$(mktemp)
	trap 'rm -f "$log"' RETURN
	for try in 1 2; do
		if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -parallel 1 "$pkg" >"$log" 2>&1; then
			echo "fuzz: ok   $pkg $target ($fuzztime)"
			return 0
		fi
		if [ "$try" = 1 ] && grep -q "context deadline exceeded" "$log" &&
			! grep -q "Failing input written" "$log"; then
			echo "fuzz: $pkg $target ended on the fuzzer's own deadline; once more"
			continue
		fi
		echo "fuzz: FAIL $pkg $target"
		sed 's/^/    /' "$log"
		return 1
	done
}

if [ "${1:-}" = --one ]; then
	one "$2" "$3"
	exit
fi

jobs=${FUZZJOBS:-$(nproc)}
targets=$(git ls-files -z -- '*_test.go' | xargs -0 grep -lE '^func Fuzz' | sort |
	while IFS= read -r file; do
		for t in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)' "$file" | awk '{print $2}'); do
			echo "./$(dirname "$file") $t"
		done
	done)
n=$(printf '%s\n' "$targets" | grep -c .)
echo "fuzz: $n targets, $fuzztime each, $jobs at a time"
if printf '%s\n' "$targets" | xargs -P "$jobs" -L 1 "$0" --one; then
	echo "fuzz: all $n targets passed"
else
	echo "fuzz: some targets failed (above)"
	exit 1
fi
