# vm-lib.sh — host side of the vm test tier, sourced by run-guest (bash).
#
# Fetches Debian kernels into a cache (the image, and the modules the guest
# needs for its disk), builds an initramfs holding busybox, memcg, the test
# workload, those modules and the scripts, an ext4 disk image, and boots it
# under qemu without KVM. Kept apart from run-guest so other scripts can
# reuse the pieces.

VM_CACHE="${MEMCG_VM_CACHE:-/var/cache/memcg-vm}"
VM_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VM_PACKAGES="qemu-system-x86 busybox-static cpio e2fsprogs xz-utils"

vm_say() { printf 'run-guest: %s\n' "$*" >&2; }

# Exit 77 (the tier's "skipped" status) with a reason, leaving a marker in
# the log so the per-scenario checks skip too instead of failing.
vm_skip() {
	vm_say "SKIP: $*"
	if [ -n "${VM_LOG:-}" ]; then
		printf 'VMSKIPALL %s\n' "$*" >"$VM_LOG"
	fi
	exit 77
}

vm_have_tools() {
	command -v qemu-system-x86_64 >/dev/null &&
		command -v busybox >/dev/null &&
		command -v cpio >/dev/null &&
		command -v mkfs.ext4 >/dev/null &&
		command -v xz >/dev/null
}

# Install what is missing; skip (not fail) when that is impossible, since
# the tier is optional on machines without qemu.
vm_need_tools() {
	[ "$(id -u)" = 0 ] || vm_skip "not root (building the initramfs needs mknod)"
	vm_have_tools && return 0
	vm_say "installing $VM_PACKAGES"
	# shellcheck disable=SC2086 # the list is meant to split
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		$VM_PACKAGES >&2 || vm_skip "cannot install $VM_PACKAGES"
	vm_have_tools || vm_skip "qemu-system-x86_64, busybox or cpio missing"
}

# The series the tier boots: a kernel series, and a layout where it is not
# the kernel's own. 6.1-v2 is the 6.1 kernel booted with
# cgroup_no_v1=memory, so that memory is on cgroup2 (kernel-memcg.md §8).
vm_series_kernel() {
	case "$1" in
	6.1 | 6.1-v2) echo 6.1 ;;
	6.12) echo 6.12 ;;
	*) return 1 ;;
	esac
}

# Kernel command line options of a series, beyond the console's.
vm_series_append() {
	case "$1" in
	6.1-v2) echo cgroup_no_v1=memory ;;
	esac
}

# The package name pattern of each kernel series the tier boots.
vm_kernel_pattern() {
	case "$1" in
	6.1) echo '^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) echo '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' ;;
	*) return 1 ;;
	esac
}

# Newest package of a series that apt knows about (empty if none).
vm_newest_package() {
	local prefix pattern
	pattern="$(vm_kernel_pattern "$1")"
	prefix="linux-image-$1"
	apt-cache pkgnames "$prefix" 2>/dev/null | grep -E "$pattern" | sort -V | tail -n 1
}

# The newest kernel of this series already in the cache (offline fallback).
vm_newest_cached() {
	local pattern
	pattern="$(vm_kernel_pattern "$1")"
	find "$VM_CACHE/kernels" -mindepth 2 -maxdepth 2 -name vmlinuz 2>/dev/null |
		awk -F/ '{print $(NF-1)}' | grep -E "$pattern" | sort -V | tail -n 1
}

# The modules the guest loads for its ext4 disk on virtio (tmpfs cannot
# show a page-out's refault from disk): the block driver, the file system,
# the crc32c that ext4's checksums ask the crypto API for (no modprobe in
# the guest to fetch it on demand), and the PCI transport where it is a
# module. What they depend on comes along; a built-in one has no file.
VM_DISK_MODULES="virtio_pci virtio_blk crc32c_generic ext4"

# vm_module_add TREE DIR NAME: copy module NAME (and first what it depends
# on, by its .modinfo "depends=") from the extracted TREE into DIR,
# decompressed, appending to DIR/order in load order.
vm_module_add() {
	local tree="$1" dir="$2" name="$3" f dep
	[ -e "$dir/$name.ko" ] && return 0
	f="$(find "$tree" \( -name "$name.ko*" -o -name "${name//_/-}.ko*" \) | head -n 1)"
	[ -n "$f" ] || return 0
	case "$f" in
	*.xz) xz -dc "$f" >"$dir/$name.ko" ;;
	*.zst) zstd -qdc "$f" >"$dir/$name.ko" ;;
	*) cp "$f" "$dir/$name.ko" ;;
	esac
	for dep in $(tr '\0' '\n' <"$dir/$name.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
		vm_module_add "$tree" "$dir" "$dep"
	done
	echo "$name" >>"$dir/order"
}

# vm_extract_modules DEB DIR: the disk modules of kernel package DEB.
vm_extract_modules() {
	local deb="$1" dir="$2" tree m
	tree="$(mktemp -d)"
	# only the directories where these modules and their dependencies
	# live; a pattern that matches nothing is not an error
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tree" --wildcards \
		'./lib/modules/*/kernel/drivers/block/virtio_blk.ko*' \
		'./lib/modules/*/kernel/drivers/virtio/*' \
		'./lib/modules/*/kernel/fs/ext4/*' './lib/modules/*/kernel/fs/jbd2/*' \
		'./lib/modules/*/kernel/fs/mbcache.ko*' './lib/modules/*/kernel/lib/*' \
		'./lib/modules/*/kernel/crypto/*' 2>/dev/null || true
	mkdir -p "$dir"
	: >"$dir/order"
	for m in $VM_DISK_MODULES; do
		vm_module_add "$tree" "$dir" "$m"
	done
	rm -rf "$tree"
	grep -qx ext4 "$dir/order"
}

# Download one kernel package and keep its image and its disk modules.
# apt-get download runs as the _apt user when it exists, so the directory
# must be its.
vm_download_kernel() {
	local pkg="$1" dest="$VM_CACHE/kernels/$1" tmp deb
	mkdir -p "$VM_CACHE/kernels"
	tmp="$(mktemp -d "$VM_CACHE/kernels/.fetch.XXXXXX")"
	if id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
	if ! (cd "$tmp" && apt-get download -q "$pkg" >&2); then
		rm -rf "$tmp"
		return 1
	fi
	deb="$(ls "$tmp"/*.deb)"
	(cd "$tmp" && dpkg-deb --fsys-tarfile "$deb" | tar -x --wildcards './boot/vmlinuz-*')
	mkdir -p "$tmp/out"
	mv "$tmp"/boot/vmlinuz-* "$tmp/out/vmlinuz"
	vm_extract_modules "$deb" "$tmp/out/modules" || vm_say "$pkg: no ext4 module found"
	basename "$deb" >"$tmp/out/package"
	# rename is atomic: a concurrent run sees the whole kernel or none
	mv -T "$tmp/out" "$dest" 2>/dev/null || true
	rm -rf "$tmp"
	[ -s "$dest/vmlinuz" ]
}

# Print the path of the newest kernel image of a series, fetching it once.
vm_kernel() {
	local series="$1" pkg
	vm_kernel_pattern "$series" >/dev/null || {
		vm_say "unknown kernel series '$series' (known: 6.1, 6.12)"
		return 2
	}
	pkg="$(vm_newest_package "$series")"
	if [ -z "$pkg" ]; then
		vm_say "apt knows no $series kernel package; running apt-get update"
		apt-get update >&2 || true
		pkg="$(vm_newest_package "$series")"
	fi
	if [ -z "$pkg" ]; then
		pkg="$(vm_newest_cached "$series")"
		[ -n "$pkg" ] || return 1
		vm_say "using cached $pkg"
	fi
	# a kernel cached before the guests had a disk lacks its modules
	if [ ! -s "$VM_CACHE/kernels/$pkg/vmlinuz" ] ||
		[ ! -f "$VM_CACHE/kernels/$pkg/modules/order" ]; then
		rm -rf "${VM_CACHE:?}/kernels/$pkg"
		vm_say "fetching $pkg into $VM_CACHE"
		if ! vm_download_kernel "$pkg"; then
			# offline: an older kernel of the series still tests the same
			pkg="$(vm_newest_cached "$series")"
			[ -n "$pkg" ] || return 1
			vm_say "cannot fetch it; using cached $pkg"
		fi
	fi
	echo "$VM_CACHE/kernels/$pkg/vmlinuz"
}

# Copy a program and the shared objects ldd reports (the loader included)
# to the same paths inside ROOT.
vm_copy_program() {
	local root="$1" prog="$2" dest="$3" lib
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$prog" "$root$dest"
	for lib in $(ldd "$prog" 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# Populate ROOT: busybox with one link per applet, memcg, the workload,
# the guest library and the scripts, numbered to keep their order.
vm_fill_root() {
	local root="$1" memcg="$2" workload="$3" n=0 applet s
	shift 3
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,usr/bin,vmtest/scripts}
	mknod -m 600 "$root/dev/console" c 5 1
	vm_copy_program "$root" "$(command -v busybox)" /bin/busybox
	for applet in $("$root/bin/busybox" --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
	vm_copy_program "$root" "$memcg" /usr/bin/memcg
	vm_copy_program "$root" "$workload" /usr/bin/memcg-workload
	# the disk's modules, loaded by init in this order
	if [ -n "${VM_MODULES:-}" ] && [ -f "$VM_MODULES/order" ]; then
		mkdir -p "$root/vmtest/modules"
		cp "$VM_MODULES"/*.ko "$VM_MODULES/order" "$root/vmtest/modules/" 2>/dev/null || true
	fi
	install -m 755 "$VM_HERE/guest/init" "$root/init"
	install -m 644 "$VM_HERE/guest/lib.sh" "$VM_HERE/guest/json.awk" "$root/vmtest/"
	for s in "$@"; do
		n=$((n + 1))
		install -m 755 "$s" "$root/vmtest/scripts/$(printf '%02d' "$n")-$(basename "$s")"
	done
}

# Build an uncompressed newc initramfs (the kernel unpacks it without a
# decompression pass, which is slow under emulation).
vm_build_initramfs() {
	local out="$1" root="$2"
	shift 2
	vm_fill_root "$root" "$@"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out"
}

# vm_make_disk IMAGE MIB: an empty ext4 file system in a sparse file, made
# by mkfs.ext4 -d from an empty directory (no loop mount, no root needed).
vm_make_disk() {
	local img="$1" mib="$2" empty
	empty="$(mktemp -d)"
	rm -f "$img"
	mkfs.ext4 -q -F -L memcg-vm -d "$empty" "$img" "${mib}M" >&2
	rmdir "$empty"
}

# Boot KERNEL with INITRD and the kernel options APPEND (may be empty), and
# DISK (may be empty) as a virtio disk, console on stdout (carriage returns
# dropped).
vm_boot() {
	local kernel="$1" initrd="$2" timeout="$3" append="${4:-}" disk="${5:-}"
	timeout --kill-after=10 "$timeout" \
		qemu-system-x86_64 -accel tcg -m 1024 -smp 2 \
		-kernel "$kernel" -initrd "$initrd" \
		${disk:+-drive "file=$disk,if=virtio,format=raw"} \
		-append "console=ttyS0 panic=-1 quiet${append:+ $append}" \
		-nographic -no-reboot -nodefaults -serial stdio -monitor none \
		</dev/null | tr -d '\r'
}
