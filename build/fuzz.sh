#!/usr/bin/env bash
# Runs every fuzz target of the module for $FUZZTIME each (default 5s).
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-5s}
status=0
while IFS= read -r file; do
	pkg=./$(dirname "$file")
	for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)' "$file" | awk '{print $2}'); do
		echo "fuzz: $pkg $target ($fuzztime)"
		for try in 1 2; do
			if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" >/tmp/manbang-fuzz.log 2>&1; then
				break
			fi
			# Go's fuzzer can report "context deadline exceeded" when its time
			# runs out mid-run with no failing input (a toolchain flake); that,
			# and only that, is tried once more. A real finding names its input.
			if [ "$try" = 1 ] && grep -q "context deadline exceeded" /tmp/manbang-fuzz.log &&
				! grep -q "Failing input written" /tmp/manbang-fuzz.log; then
				echo "fuzz: $pkg $target ended on the fuzzer's own deadline; once more"
				continue
			fi
			cat /tmp/manbang-fuzz.log
			status=1
			break
		done
	done
done < <(git ls-files -z -- '*_test.go' | xargs -0 grep -lE '^func Fuzz' | sort)
exit $status
