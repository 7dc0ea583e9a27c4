# Installs what building and testing memcg needs from Debian's packages,
# only what is missing. Sourced by scripts/test, scripts/fuzz and
# scripts/demo.
memcg_packages=(
	cmake gcc make pkg-config
	libmount-dev libpopt-dev libcgroup-dev libsmartcols-dev libjson-c-dev
	libcmocka-dev scdoc jq strace bash-completion zsh fish
	qemu-system-x86 busybox-static cpio
)
# What the test passes add when they can: clang and its libFuzzer runtime
# for tests/fuzz, valgrind for the memcheck pass over the cli tier. Without
# them those passes are skipped, with a message; the rest still runs.
memcg_test_packages=(clang-14 libclang-rt-14-dev valgrind)

# memcg_install PACKAGE...: install the ones that are missing
memcg_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "missing packages: ${missing[*]} (run as root to install them)" >&2
		return 1
	fi
	echo "installing: ${missing[*]}"
	apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "${missing[@]}" >/dev/null
}

memcg_install_deps() {
	memcg_install "${memcg_packages[@]}"
}

# Never fails: what cannot be installed is skipped later, by name.
memcg_install_test_deps() {
	memcg_install "${memcg_test_packages[@]}" ||
		echo "note: could not install ${memcg_test_packages[*]}; the passes that need them will be skipped" >&2
	return 0
}

# memcg_build DIR [CMAKE-ARGS...]
memcg_build() {
	local dir=$1
	shift
	cmake -S "$memcg_top" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null &&
		cmake --build "$dir" -j"$(nproc)" >/dev/null
}

# memcg_fuzz_cc: the clang that can link a libFuzzer target, on stdout;
# fails with the reason on stderr when there is none
memcg_fuzz_cc() {
	local cc dir
	for cc in clang-14 clang; do
		command -v "$cc" >/dev/null || continue
		dir=$(mktemp -d)
		printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
			'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
			'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
			>"$dir/t.c"
		if "$cc" -fsanitize=fuzzer,address,undefined "$dir/t.c" \
			-o "$dir/t" 2>/dev/null; then
			rm -rf "$dir"
			echo "$cc"
			return 0
		fi
		rm -rf "$dir"
	done
	echo "no clang with the libFuzzer runtime (packages clang-14, libclang-rt-14-dev)" >&2
	return 1
}

# memcg_fuzz_build DIR: the libFuzzer targets (tests/fuzz) in DIR/fuzz
memcg_fuzz_build() {
	local dir=$1 cc
	cc=$(memcg_fuzz_cc) || return 1
	CC=$cc cmake -S "$memcg_top" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DMEMCG_FUZZ=ON -DMEMCG_TESTS=OFF >/dev/null &&
		cmake --build "$dir" -j"$(nproc)" --target memcg-fuzz >/dev/null
}
