# Installs what building and testing memcg needs from Debian's packages,
# only what is missing. Sourced by scripts/test and scripts/demo.
memcg_packages=(
	cmake gcc make pkg-config
	libmount-dev libpopt-dev libcgroup-dev libsmartcols-dev libjson-c-dev
	libcmocka-dev scdoc jq strace bash-completion zsh fish
	qemu-system-x86 busybox-static cpio
)

memcg_install_deps() {
	local missing=() p
	for p in "${memcg_packages[@]}"; do
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

# memcg_build DIR [CMAKE-ARGS...]
memcg_build() {
	local dir=$1
	shift
	cmake -S "$memcg_top" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null &&
		cmake --build "$dir" -j"$(nproc)" >/dev/null
}
