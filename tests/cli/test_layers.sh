#!/bin/bash
# The layers keep to their libraries (DESIGN, Architecture): core/ includes
# neither popt, libsmartcols nor json-c; output/ includes no popt; no layer
# includes the headers of one above it (cmd/ above output/ above core/). The
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
finish
