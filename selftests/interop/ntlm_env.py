# SPDX-License-Identifier: GPL-2.0
"""What every NTLM interoperability test shares.

- Tap: kselftest-style TAP output ("TAP version 13", "1..N", "ok N name" /
  "not ok N name"), every planned case reported even when the set-up
  failed, exit status 0 (all passed), 1 (failures) or 4 (skip).
- stats(): /sys/kernel/debug/ksspi/stats as a dict.
- NtlmHelper: writes an NTLM user database with tools/ksspi-ntlm-user
  (ksspi-ntlm-user -f FILE --stdin add DOMAIN\\user),
  replaces the running ksspid with one started as
  "$KSSPID --foreground --ntlm-users FILE --ntlm-domain TESTDOM
  --ntlm-computer SRV", and at the end puts a plain "$KSSPID --foreground"
  back (tools/vm/guest-tests then replaces it with its own).
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback

STATS = "/sys/kernel/debug/ksspi/stats"
DOMAIN = "TESTDOM"
COMPUTER = "SRV"
USER = "alice"
PASSWORD = "Passw0rd!"
PYTHON = "/usr/bin/python3"


def _find_top():
    top = os.environ.get("KSSPI_TOP")
    if top:
        return top
    d = os.path.dirname(os.path.abspath(__file__))
    while d != "/":
        if os.path.isdir(os.path.join(d, "kmod")) and \
                os.path.isdir(os.path.join(d, "helper")):
            return d
        d = os.path.dirname(d)
    return os.getcwd()


TOP = _find_top()
KSSPID = os.environ.get("KSSPID", os.path.join(TOP, "helper/build/ksspid"))
NTLM_USER_TOOL = os.environ.get(
    "KSSPI_NTLM_USER_TOOL",
    os.path.join(TOP, "tools/ksspi-ntlm-user/build/ksspi-ntlm-user"))


def diag(msg):
    for line in str(msg).splitlines() or [""]:
        print("# " + line)
    sys.stdout.flush()


# --- TAP ---------------------------------------------------------------------
class Tap:
    def __init__(self, plan, title=None):
        self.plan = plan
        self.n = 0
        self.failed = 0
        print("TAP version 13")
        if title:
            diag(title)
        print("1..%d" % plan)
        sys.stdout.flush()

    def result(self, ok, name, why=None):
        self.n += 1
        if self.n > self.plan:
            diag("BUG: more results than planned: " + name)
        if not ok:
            self.failed += 1
        if why:
            diag(why)
        print("%sok %d %s" % ("" if ok else "not ", self.n, name))
        sys.stdout.flush()
        return ok

    def case(self, name, fn, *args):
        """Runs fn(*args): passes when it returns without raising."""
        try:
            fn(*args)
        except Exception as e:       # noqa: BLE001 - any failure fails
            tb = traceback.format_exc().rstrip().splitlines()
            diag("\n".join(tb[-6:]))
            return self.result(False, name, "%s: %s" % (type(e).__name__, e))
        return self.result(True, name)

    def finish(self, reason="not run"):
        while self.n < self.plan:
            self.result(False, "case %d" % (self.n + 1), reason)
        print("# %d of %d failed" % (self.failed, self.plan))
        sys.stdout.flush()
        sys.exit(1 if self.failed else 0)


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def check_eq(got, want, what):
    if got != want:
        fmt = (lambda v: "0x%08X" % v) if isinstance(want, int) and \
            want > 0xFFFF else repr
        raise AssertionError("%s: got %s, want %s" % (what, fmt(got),
                                                      fmt(want)))


# --- stats -------------------------------------------------------------------
def stats():
    out = {}
    with open(STATS) as f:
        for line in f:
            if ":" not in line or line.startswith("package "):
                continue
            k, v = line.split(":", 1)
            try:
                out[k.strip()] = int(v.strip())
            except ValueError:
                pass
    return out


def live_counts():
    s = stats()
    return s.get("credentials_live"), s.get("contexts_live")


def check_baseline(base, what="stats"):
    """credentials_live and contexts_live are back to base (a tuple)."""
    cur = None
    for _ in range(50):
        cur = live_counts()
        if cur == base:
            return
        time.sleep(0.05)
    raise AssertionError("%s: credentials_live/contexts_live %s, baseline %s"
                         % (what, cur, base))


def helper_pid():
    return stats().get("helper_pid", 0)


def wait_for(pred, timeout=10.0, step=0.05):
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > end:
            return v
        time.sleep(step)


# --- the user database -----------------------------------------------------
def ntlm_user_tool(*args, stdin=None):
    """Runs tools/ksspi-ntlm-user; returns CompletedProcess."""
    return subprocess.run([NTLM_USER_TOOL] + list(args), input=stdin,
                          capture_output=True, text=True, timeout=30)


def write_userdb(path, users):
    """users: [(domain, user, password)], written with the admin tool."""
    for dom, user, pw in users:
        r = ntlm_user_tool("-f", path, "--stdin", "add",
                           "%s\\%s" % (dom, user), stdin=pw + "\n")
        if r.returncode != 0:
            raise RuntimeError("ksspi-ntlm-user add %s\\%s failed (%d): %s%s"
                               % (dom, user, r.returncode, r.stdout,
                                  r.stderr))
    os.chmod(path, 0o600)


# --- the helper -------------------------------------------------------------
class NtlmHelper:
    """Replaces the running ksspid with one that serves NTLM for a user
    database of its own; restore() puts a plain ksspid back."""

    def __init__(self, name, users=((DOMAIN, USER, PASSWORD),),
                 extra_args=()):
        self.dir = tempfile.mkdtemp(prefix="ksspi-%s." % name)
        self.users_file = os.path.join(self.dir, "ntlm-users")
        self.log_path = "/tmp/ksspid-%s.log" % name
        self.users = list(users)
        self.extra_args = list(extra_args)
        self.proc = None

    def args(self):
        return [KSSPID, "--foreground", "--ntlm-users", self.users_file,
                "--ntlm-domain", DOMAIN, "--ntlm-computer",
                COMPUTER] + self.extra_args

    def setup(self):
        write_userdb(self.users_file, self.users)
        self.stop_registered()
        self.start()

    @staticmethod
    def stop_registered(sig=signal.SIGTERM):
        """Stops whatever helper is registered; waits until it is gone."""
        pid = helper_pid()
        if not pid:
            return
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
        if wait_for(lambda: helper_pid() != pid, 10):
            return
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if not wait_for(lambda: helper_pid() != pid, 5):
            raise RuntimeError("helper pid %d did not go away" % pid)

    def _spawn(self, argv):
        log = open(self.log_path, "ab")
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)
        log.close()
        ok = wait_for(lambda: helper_pid() == proc.pid or
                      proc.poll() is not None, 10)
        if proc.poll() is not None or not ok:
            raise RuntimeError("%s did not register (exit %s); log:\n%s" % (
                " ".join(argv), proc.poll(), self.log_tail()))
        return proc

    def start(self):
        """Starts the NTLM helper; returns its pid."""
        self.proc = self._spawn(self.args())
        return self.proc.pid

    def kill(self, sig=signal.SIGKILL):
        """Kills our helper; waits until the kernel has seen it go."""
        if self.proc is None:
            return
        pid = self.proc.pid
        try:
            self.proc.send_signal(sig)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None
        wait_for(lambda: helper_pid() != pid, 10)

    def restart(self):
        self.kill(signal.SIGTERM)
        return self.start()

    def restore(self):
        """Our helper out, a plain "$KSSPID --foreground" in."""
        try:
            self.kill(signal.SIGTERM)
            if not helper_pid():
                plain = self._spawn([KSSPID, "--foreground"])
                plain.returncode = 0     # not ours to wait for
        finally:
            try:
                for f in os.listdir(self.dir):
                    os.unlink(os.path.join(self.dir, f))
                os.rmdir(self.dir)
            except OSError:
                pass

    def log_tail(self, n=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no log)"


def run(title, plan, body, name, users=((DOMAIN, USER, PASSWORD),),
        extra_args=()):
    """The frame of every test: TAP plan, helper set-up, body(tap, helper),
    restore, finish."""
    tap = Tap(plan, title)
    helper = NtlmHelper(name, users, extra_args)
    reason = "not run"
    try:
        if not os.path.exists(STATS):
            raise RuntimeError("%s missing: is ksspi.ko loaded?" % STATS)
        helper.setup()
        diag("ksspid %s (pid %d)" % (" ".join(helper.args()[1:]),
                                     helper.proc.pid))
        body(tap, helper)
    except Exception as e:          # noqa: BLE001
        diag(traceback.format_exc())
        reason = "set-up or test body failed: %s" % e
    finally:
        try:
            helper.restore()
        except Exception as e:      # noqa: BLE001
            diag("restoring the helper: %s" % e)
    if tap.failed:
        diag("ksspid log (%s):\n%s" % (helper.log_path, helper.log_tail()))
    tap.finish(reason)
