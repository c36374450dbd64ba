# SPDX-License-Identifier: GPL-2.0
"""What the CredSSP (RDP NLA) interoperability tests share.

- CredsspHelper: ntlm_env.NtlmHelper whose ksspid also gets a test
  certificate (--credssp-cert, --credssp-key), made with openssl in the
  helper's scratch folder: the CredSSP package's TLS server side.
- KernelFrontDoor: insmod/rmmod of samples/ksspi_rdp_nla/ksspi_rdp_nla.ko
  on a port of its own, and its /sys/kernel/debug/ksspi_rdp_nla/sessions.
- UserFrontDoor: samples/ksspi_rdp_nla/build/ksspi-rdp-nla-server as a
  child process, its output lines.
- xfreerdp(): FreeRDP's client with /sec:nla +auth-only under xvfb-run -a,
  HOME in a scratch folder.
- rdp_client(): samples/ksspi_rdp_nla/build/ksspi-rdp-nla-client.
"""
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time

import ntlm_env as E

SAMPLE = os.path.join(E.TOP, "samples/ksspi_rdp_nla")
MODULE = os.path.join(SAMPLE, "ksspi_rdp_nla.ko")
USER_SERVER = os.path.join(SAMPLE, "build/ksspi-rdp-nla-server")
CLIENT = os.path.join(SAMPLE, "build/ksspi-rdp-nla-client")
SESSIONS = "/sys/kernel/debug/ksspi_rdp_nla/sessions"
XFREERDP = "/usr/bin/xfreerdp"
XVFB_RUN = "/usr/bin/xvfb-run"
OPENSSL = "/usr/bin/openssl"
WHO = "%s\\%s" % (E.DOMAIN, E.USER)


def make_test_certificate(folder):
    """A self-signed RSA certificate and its key, PEM: (cert, key)."""
    cert = os.path.join(folder, "credssp-cert.pem")
    key = os.path.join(folder, "credssp-key.pem")
    r = subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                        "-subj", "/CN=srv.test.local"],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("openssl req failed: %s" % r.stderr)
    os.chmod(key, 0o600)
    return cert, key


class CredsspHelper(E.NtlmHelper):
    """ksspid with an NTLM user database and a CredSSP certificate."""

    def __init__(self, name, users=((E.DOMAIN, E.USER, E.PASSWORD),),
                 extra_args=()):
        super().__init__(name, users, extra_args)
        self.cert = self.key = None

    def args(self):
        return super().args() + ["--credssp-cert", self.cert,
                                 "--credssp-key", self.key]

    def setup(self):
        self.cert, self.key = make_test_certificate(self.dir)
        super().setup()


def run(title, plan, body, name, extra_args=()):
    """ntlm_env.run with CredsspHelper."""
    tap = E.Tap(plan, title)
    helper = CredsspHelper(name, extra_args=extra_args)
    reason = "not run"
    try:
        if not os.path.exists(E.STATS):
            raise RuntimeError("%s missing: is ksspi.ko loaded?" % E.STATS)
        helper.setup()
        E.diag("ksspid %s (pid %d)" % (" ".join(helper.args()[1:]),
                                       helper.proc.pid))
        body(tap, helper)
    except Exception as e:          # noqa: BLE001
        import traceback
        E.diag(traceback.format_exc())
        reason = "set-up or test body failed: %s" % e
    finally:
        try:
            helper.restore()
        except Exception as e:      # noqa: BLE001
            E.diag("restoring the helper: %s" % e)
    if tap.failed:
        E.diag("ksspid log (%s):\n%s" % (helper.log_path, helper.log_tail()))
    tap.finish(reason)


# --- the in-kernel front door -------------------------------------------------
class KernelFrontDoor:
    """ksspi_rdp_nla.ko on @port, loaded after the helper is up."""

    def __init__(self, port):
        self.port = port
        self.loaded = False

    def load(self):
        r = subprocess.run(["insmod", MODULE, "port=%d" % self.port],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("insmod %s port=%d: %s" % (MODULE, self.port,
                                                         r.stderr.strip()))
        self.loaded = True

    def unload(self):
        if not self.loaded:
            return
        self.loaded = False
        for _ in range(50):
            r = subprocess.run(["rmmod", "ksspi_rdp_nla"],
                               capture_output=True, text=True, timeout=60)
            if r.returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("rmmod ksspi_rdp_nla: %s" % r.stderr.strip())

    @staticmethod
    def sessions():
        """The finished sessions: [{seq, peer, outcome, status, ktls,
        echoed, tsrequest, tls, rdp, client_info, user}], oldest first.
        rdp is "-" (no RDP connection sequence), "active" or
        "STATE,REASON"; client_info "-", "same" or "differs"."""
        out = []
        with open(SESSIONS) as f:
            for line in f:
                m = re.match(r"session (\d+) (\S+) (\S+) (\S+) (0x[0-9a-f]+) "
                             r"ktls=(\S+) echoed=(\d+) tsrequest=(\d+) "
                             r"tls=(0x[0-9a-f]+) rdp=(\S+) client_info=(\S+) "
                             r"user=(.*)$", line)
                if m:
                    out.append(dict(seq=int(m.group(1)), peer=m.group(2),
                                    outcome=m.group(3), status=m.group(4),
                                    ktls=m.group(6) == "yes",
                                    echoed=int(m.group(7)),
                                    tsrequest=int(m.group(8)),
                                    tls=int(m.group(9), 16),
                                    rdp=m.group(10),
                                    client_info=m.group(11),
                                    user=m.group(12)))
        return out

    def last_session(self, after_seq, timeout=30):
        """The first session numbered above @after_seq, once finished."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for s in self.sessions():
                if s["seq"] > after_seq:
                    return s
            time.sleep(0.1)
        raise AssertionError("no session after #%d in %s within %ds:\n%s"
                             % (after_seq, SESSIONS, timeout,
                                open(SESSIONS).read()))

    def last_seq(self):
        s = self.sessions()
        return s[-1]["seq"] if s else 0


# --- the userspace front door ---------------------------------------------------
class UserFrontDoor:
    """ksspi-rdp-nla-server -p PORT, its stdout read line by line."""

    def __init__(self, port):
        self.port = port
        self.proc = None
        self.lines = []
        self.queue = queue.Queue()

    def _reader(self, out):
        """A thread: every output line into the queue, None at EOF."""
        for line in out:
            self.queue.put(line.rstrip("\n"))
        self.queue.put(None)

    def start(self):
        self.proc = subprocess.Popen([USER_SERVER, "-v", "-p", str(self.port)],
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     bufsize=1)
        threading.Thread(target=self._reader, args=(self.proc.stdout,),
                         daemon=True).start()
        line = self.wait_line(lambda ln: ln.startswith("listening on"), 30)
        if line is None:
            raise RuntimeError("ksspi-rdp-nla-server did not listen:\n%s"
                               % "\n".join(self.lines))

    def wait_line(self, pred, timeout=30):
        """Reads output until a line satisfies @pred; returns it or None."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            try:
                line = self.queue.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                self.queue.put(None)    # EOF stays EOF
                return None
            self.lines.append(line)
            if pred(line):
                return line

    def outcome(self, timeout=30):
        """The next line saying how a connection ended its handshake."""
        return self.wait_line(lambda ln: re.search(
            r": (user .* authenticated|logon failed: |connection ended: )",
            ln) is not None, timeout)

    def after_ktls(self, timeout=30):
        """The next line saying how an authenticated connection ended:
        the echo, the RDP connection sequence, or no kTLS."""
        return self.wait_line(lambda ln: re.search(
            r": (kTLS installed; |no kTLS: )", ln) is not None, timeout)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


# --- clients ------------------------------------------------------------------
def xfreerdp(port, password=E.PASSWORD, user=E.USER, domain=E.DOMAIN,
             timeout=240):
    """xfreerdp /sec:nla +auth-only: (exit status, output)."""
    home = tempfile.mkdtemp(prefix="ksspi-xfreerdp.")
    env = dict(os.environ, HOME=home)
    try:
        r = subprocess.run([XVFB_RUN, "-a", XFREERDP,
                            "/v:127.0.0.1:%d" % port, "/u:" + user,
                            "/d:" + domain, "/p:" + password, "/sec:nla",
                            "+auth-only", "/cert:ignore"],
                           capture_output=True, text=True, timeout=timeout,
                           env=env, stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout + r.stderr
    finally:
        shutil.rmtree(home, ignore_errors=True)


def rdp_client(port, password=E.PASSWORD, *args, timeout=120):
    """ksspi-rdp-nla-client: (exit status, output)."""
    r = subprocess.run([CLIENT, "-v", "-p", str(port), "-u", E.USER, "-d",
                        E.DOMAIN, "-w", password] + list(args),
                       capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout + r.stderr
