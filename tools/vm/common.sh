# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared shell helpers for the ksspi test tools (sourced, not run).
#
#   ksspi_top          absolute path of the repository
#   ksspi_kver         kernel version the guest boots and the module builds
#                      against ($KVER, else the newest installed Debian kernel
#                      that has an image, modules and a build tree)
#   ksspi_cache_dir    where install-deps unpacks linux-source parts
#   ksspi_linux_src    $(ksspi_cache_dir)/linux-source-6.1
#   ksspi_linux_src_tarball
#                      /usr/src/linux-source-6.1.tar.* (Debian's linux-source-6.1)
#   ksspi_debug_kernel_dir
#                      where tools/install-deps --debug-kernel builds the debug
#                      kernel: $(ksspi_cache_dir)/debug-kernel/KEY, KEY a hash
#                      of the source's version, the compiler and the recipe;
#                      the kernel tree (KDIR) is its linux/, the modules
#                      directory its root/lib/modules/RELEASE/
#   ksspi_debug_kernel_fragment_hash
#                      hash of tools/vm/debug-kernel.config
#   ksspi_debug_kernel_ready
#                      whether that directory holds a finished build of the
#                      current fragment
#   ksspi_debug_modules_dir
#                      where tools/run-tests --debug-kernel builds the
#                      out-of-tree modules against the debug kernel:
#                      <repo>/out/debug-kernel/modules (the repository's
#                      layout: kmod/ksspi.ko, selftests/kapi/..., samples/...)

ksspi_top()
{
	local here
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
	(cd "$here/../.." && pwd -P)
}

# All kernel versions that have /boot/vmlinuz-V and /lib/modules/V/modules.dep,
# oldest first.
ksspi_kvers()
{
	local f v
	for f in /boot/vmlinuz-*; do
		[ -e "$f" ] || continue
		v=${f#/boot/vmlinuz-}
		[ -e "/lib/modules/$v/modules.dep" ] || continue
		printf '%s\n' "$v"
	done | sort -V
}

ksspi_kver()
{
	if [ -n "${KVER:-}" ]; then
		printf '%s\n' "$KVER"
		return 0
	fi
	local v best=
	# Prefer the newest kernel that also has headers (so the module we
	# build loads into the kernel we boot), else the newest one at all.
	while read -r v; do
		[ -d "/lib/modules/$v/build" ] && best=$v
	done < <(ksspi_kvers)
	[ -n "$best" ] || best=$(ksspi_kvers | tail -n 1)
	[ -n "$best" ] || return 1
	printf '%s\n' "$best"
}

ksspi_cache_dir()
{
	if [ -n "${KSSPI_CACHE:-}" ]; then
		printf '%s\n' "$KSSPI_CACHE"
	elif [ "$(id -u)" = 0 ] || [ -w /var/cache/ksspi ] ||
	     [ -e /var/cache/ksspi/linux-source-6.1/.ksspi-stamp ] ||
	     { [ ! -e /var/cache/ksspi ] && [ -w /var/cache ]; }; then
		printf '%s\n' /var/cache/ksspi
	else
		printf '%s\n' "${XDG_CACHE_HOME:-$HOME/.cache}/ksspi"
	fi
}

ksspi_linux_src()
{
	printf '%s/linux-source-6.1\n' "$(ksspi_cache_dir)"
}

ksspi_linux_src_tarball()
{
	local f
	for f in /usr/src/linux-source-6.1.tar.*; do
		[ -e "$f" ] && { printf '%s\n' "$f"; return 0; }
	done
	return 1
}

# The debug kernel's cache key changes with the source package (its version
# and the tarball's size and date), the compiler (the out-of-tree modules
# must be built by the same one) and the build recipe (DEBUG_KERNEL_RECIPE,
# raised when tools/install-deps builds differently).  The config fragment
# is checked against the build's "built" file: a changed one is rebuilt
# incrementally in the same tree.
DEBUG_KERNEL_RECIPE=1

ksspi_debug_kernel_dir()
{
	local tar key
	tar=$(ksspi_linux_src_tarball) || return 1
	key=$( {
		echo "recipe $DEBUG_KERNEL_RECIPE"
		dpkg-query -W -f='${Version}\n' linux-source-6.1 2>/dev/null || true
		stat -L -c '%s %Y' "$tar"
		gcc --version 2>/dev/null | head -n 1
	} | sha256sum | cut -c1-16)
	printf '%s/debug-kernel/%s\n' "$(ksspi_cache_dir)" "$key"
}

ksspi_debug_kernel_fragment_hash()
{
	local here
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
	sha256sum <"$here/debug-kernel.config" | cut -c1-16
}

ksspi_debug_kernel_ready()
{
	local dk
	dk=$(ksspi_debug_kernel_dir) || return 1
	grep -qx "fragment=$(ksspi_debug_kernel_fragment_hash)" "$dk/built" 2>/dev/null
}

ksspi_debug_modules_dir()
{
	printf '%s/out/debug-kernel/modules\n' "$(ksspi_top)"
}
