#!/bin/bash
# The layers keep to their libraries (DESIGN, Architecture): core/ includes
# neither popt, libsmartcols nor json-c; output/ includes no popt; no layer
# includes the headers of one above it (cmd/ above output/ above core/, the
# engine above the model); and every file and function stays short enough
# to read at once (600 and 60 lines). The
# build enforces the links; this checks the includes, which a header found
# by another path could still let through.
# usage: test_layers.sh SOURCE-DIR
set -u
src=$1/src
. "$(dirname "$0")/lib.sh"

# includes FILE... : the #include lines that name one of the headers given
# as an extended regex in $pat
includes() {
	grep -HnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pat)[>\"]" "$@"
}

none_in() {
	local found
	found=$(includes "$@")
	if [ -n "$found" ]; then
		printf '%s\n' "$found"
		return 1
	fi
}

expect "there are core sources to check" [ -n "$(ls "$src"/core/*.[ch] 2>/dev/null)" ]
expect "there are output sources to check" [ -n "$(ls "$src"/output/*.[ch] 2>/dev/null)" ]
pat='popt\.h|libsmartcols\.h|libsmartcols/libsmartcols\.h|json-c/[^>"]*|json\.h'
expect "core/ includes no popt, libsmartcols or json-c" none_in "$src"/core/*.[ch]
pat='popt\.h'
expect "output/ includes no popt" none_in "$src"/output/*.[ch]
pat='(output|cmd)/[^>"]*|memcg\.h'
expect "core/ includes nothing of output/ or cmd/" none_in "$src"/core/*.[ch]
pat='cmd/[^>"]*|memcg\.h'
expect "output/ includes nothing of cmd/" none_in "$src"/output/*.[ch]
# the engine's files in core/; the rest is the model
engine='step|ahead|from|plan|validate|dest|move|libcg|recharge|recharge_plan|recharge_frames|recharge_walk|recharge_host|recharge_impl|rcstep|thread|prefetch'
model=()
for f in "$src"/core/*.[ch]; do
	[[ $f =~ /($engine)\.[ch]$ ]] || model+=("$f")
done
pat="core/($engine)\.h"
expect "the model includes nothing of the engine" none_in "${model[@]}"

# too_long FILE... : files over 600 lines, functions over 60 (a function
# runs from a "{" alone in column 0 to the next "}" in column 0)
too_long() {
	awk 'function file_done() {
		if (file != "" && lines > 600)
			printf "%s: %d lines\n", file, lines
	     }
	     FNR == 1 { file_done(); file = FILENAME; start = 0 }
	     { lines = FNR }
	     /^\{$/ { start = FNR }
	     /^\}/ && start {
		if (FNR - start + 1 > 60)
			printf "%s:%d: function of %d lines\n", FILENAME,
			       start, FNR - start + 1
		start = 0
	     }
	     END { file_done() }' "$@" | grep . && return 1
	return 0
}
mapfile -t sources < <(find "$src" -name '*.c' | sort)
expect "there are C sources to measure" [ ${#sources[@]} -gt 10 ]
expect "no source file over 600 lines, no function over 60" \
	too_long "${sources[@]}"
finish
