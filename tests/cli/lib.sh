# Shared by the cli and host tests: run a command, compare its exit status
# and stderr, count failures. Source it; call "finish" at the end.
fails=0
checks=0
# verdicts go to the test's own stdout, kept on fd 3: a redirect written
# after an assertion's command ("expect ... jq ... >/dev/null") is meant
# for that command and must not swallow the verdict line
exec 3>&1

# check NAME STATUS PATTERN CMD...: CMD must exit with STATUS and its stderr
# must match the extended regex PATTERN ("" = anything).
check() {
	local name=$1 want=$2 pat=$3 got err
	shift 3
	checks=$((checks + 1))
	err=$("$@" 2>&1 >/dev/null)
	got=$?
	if [ "$got" != "$want" ]; then
		printf 'FAIL %s: exit %s, want %s\n  %s\n' "$name" "$got" "$want" "$err" >&3
		fails=$((fails + 1))
	elif [ -n "$pat" ] && ! printf '%s' "$err" | grep -Eq -- "$pat"; then
		printf 'FAIL %s: stderr does not match /%s/:\n  %s\n' "$name" "$pat" "$err" >&3
		fails=$((fails + 1))
	else
		printf 'ok   %s\n' "$name" >&3
	fi
}

# expect NAME CONDITION-COMMAND...: a plain assertion.
expect() {
	local name=$1
	shift
	checks=$((checks + 1))
	if "$@"; then
		printf 'ok   %s\n' "$name" >&3
	else
		printf 'FAIL %s\n' "$name" >&3
		fails=$((fails + 1))
	fi
}

finish() {
	printf '%d passed, %d failed\n' "$((checks - fails))" "$fails"
	[ "$fails" -eq 0 ]
}

# MEMCG_VALGRIND=DIR (the memcheck pass of scripts/test): every run of
# $memcg goes through valgrind's memcheck. An error or a definite leak
# makes that run exit with 99, and its report stays in DIR/TEST.PID.vg,
# which scripts/test reads: a run whose status no check looks at counts
# too.
if [ -n "${MEMCG_VALGRIND:-}" ] && [ -n "${memcg:-}" ]; then
	memcg_wrapper=$MEMCG_VALGRIND/memcg.$$
	cat >"$memcg_wrapper" <<WRAP
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full \\
	--errors-for-leak-kinds=definite \\
	--log-file="$MEMCG_VALGRIND/$(basename "$0" .sh).%p.vg" "$memcg" "\$@"
WRAP
	chmod +x "$memcg_wrapper"
	memcg=$memcg_wrapper
fi
