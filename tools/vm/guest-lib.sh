# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers for scripts that run inside the test guest (sourced): load the
# module, start and stop ksspid.  tools/vm/guest-demo and guest-bench use
# them; guest-tests has its own, TAP-reporting versions.

KSSPI_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
KSSPI_MODULE=$KSSPI_TOP/kmod/ksspi.ko
KSSPID=$KSSPI_TOP/helper/build/ksspid
KSSPI_STATS=/sys/kernel/debug/ksspi/stats
KSSPID_LOG=/tmp/ksspid.log
ksspid_pid=
export KSSPI_TOP KSSPID

say() { printf '\n== %s\n' "$*"; }

guest_setup()
{
	[ "$(id -u)" = 0 ] || { echo "must run as root, in the guest (tools/vm/run-guest)" >&2; return 1; }
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
	dmesg -C
}

# load_module [PARAM=VALUE...]
load_module()
{
	local dep
	[ -e "$KSSPI_MODULE" ] || { echo "kmod/ksspi.ko not built: run make" >&2; return 1; }
	for dep in $(modinfo -F depends "$KSSPI_MODULE" 2>/dev/null | tr ',' ' '); do
		modprobe "$dep"
	done
	say "insmod kmod/ksspi.ko $*"
	insmod "$KSSPI_MODULE" "$@"
}

# start_helper: start ksspid and wait (10 s at most) until it registered
start_helper()
{
	[ -x "$KSSPID" ] || { echo "helper/build/ksspid not built: run make" >&2; return 1; }
	say "starting ksspid --foreground (log: $KSSPID_LOG)"
	"$KSSPID" --foreground >>"$KSSPID_LOG" 2>&1 </dev/null &
	ksspid_pid=$!
	wait_helper
}

# wait_helper: wait (10 s at most) until ksspid (pid $ksspid_pid) registered
wait_helper()
{
	local hp
	for _ in $(seq 1 100); do
		hp=$(awk -F': *' '$1 == "helper_pid" { print $2 }' "$KSSPI_STATS" 2>/dev/null)
		if [ -n "$hp" ] && [ "$hp" != 0 ]; then
			echo "ksspid (pid $ksspid_pid) registered: helper_pid $hp"
			return 0
		fi
		kill -0 "$ksspid_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "ksspid did not register; its log:" >&2
	tail -n 30 "$KSSPID_LOG" >&2
	return 1
}

stop_helper()
{
	[ -n "$ksspid_pid" ] || return 0
	say "stopping ksspid"
	kill -TERM "$ksspid_pid" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$ksspid_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$ksspid_pid" 2>/dev/null
	wait "$ksspid_pid" 2>/dev/null
	ksspid_pid=
}

unload_module()
{
	grep -q '^ksspi ' /proc/modules || return 0
	say "rmmod ksspi"
	rmmod ksspi
}

# show_kernel_log: the module's messages, and whether anything went wrong
show_kernel_log()
{
	say "dmesg"
	dmesg
}
