# SPDX-License-Identifier: GPL-2.0
"""A throwaway MIT Kerberos realm on loopback, for the Kerberos tests
(Documentation/kerberos.rst).

Realm(): in a temporary folder, krb5.conf and kdc.conf for the realm
TEST.LOCAL with its KDC on a free 127.0.0.1 port (UDP and TCP, TCP
preferred), a database with aes256-cts/aes128-cts (enctypes 18/17) and
aes-sha2 (RFC 8009, enctypes 20/19) keys, and these principals:

- alice@TEST.LOCAL, password PASSWORD;
- host/srv.test.local and TERMSRV/srv.test.local, random keys of all
  four enctypes, in the keytab Realm.keytab;
- host/sha2.test.local, random keys of the aes-sha2 enctypes only (its
  tickets are encrypted with enctype 20 and carry a session key of
  enctype 20), in the same keytab.

start() creates all that and starts krb5kdc (in the foreground, a child of
ours), and exports KRB5_CONFIG, KRB5_KDC_PROFILE, KRB5CCNAME (a cache in
the folder), KRB5_KTNAME (the keytab) and KRB5RCACHETYPE=none (no replay
cache in /var/tmp), so that MIT programs and python3-gssapi started after
it use the realm; stop() stops the KDC, puts the environment back and
removes the folder.  Creating the realm takes well under a second.

    with krb5_env.Realm() as realm:
        realm.kinit("alice", krb5_env.PASSWORD)

TGTs are forwardable (forwardable = true), so that a client can delegate
its TGT (ISC_REQ_DELEGATE, GSS_C_DELEG_FLAG).

Host names are never resolved or canonicalized (rdns and
dns_canonicalize_hostname off): "host@srv.test.local" names
host/srv.test.local@TEST.LOCAL without /etc/hosts.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

REALM = "TEST.LOCAL"
USER = "alice"
PASSWORD = "Passw0rd!"
HOST = "srv.test.local"
SHA2_HOST = "sha2.test.local"
MASTER_PASSWORD = "masterpw"

ENCTYPES_SHA1 = ["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96"]
ENCTYPES_SHA2 = ["aes256-cts-hmac-sha384-192", "aes128-cts-hmac-sha256-128"]
ENCTYPES_ALL = ENCTYPES_SHA1 + ENCTYPES_SHA2

KDB5_UTIL = "/usr/sbin/kdb5_util"
KADMIN_LOCAL = "/usr/sbin/kadmin.local"
KRB5KDC = "/usr/sbin/krb5kdc"
KINIT = "/usr/bin/kinit"
KDESTROY = "/usr/bin/kdestroy"

# What start() exports.
ENV_VARS = ("KRB5_CONFIG", "KRB5_KDC_PROFILE", "KRB5CCNAME", "KRB5_KTNAME",
            "KRB5RCACHETYPE")


def free_port():
    """A loopback port that is free for both TCP and UDP right now."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                try:
                    u.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free loopback port for TCP and UDP")


def _keysalts(enctypes):
    return " ".join("%s:normal" % e for e in enctypes)


class Realm:
    def __init__(self, realm=REALM):
        self.realm = realm
        self.dir = None
        self.port = None
        self.kdc = None
        self._saved_env = {}

    # --- paths -----------------------------------------------------------
    def path(self, name):
        return os.path.join(self.dir, name)

    @property
    def krb5_conf(self):
        return self.path("krb5.conf")

    @property
    def kdc_conf(self):
        return self.path("kdc.conf")

    @property
    def keytab(self):
        return self.path("keytab")

    @property
    def ccache(self):
        return self.path("ccache")

    @property
    def kdc_log(self):
        return self.path("kdc.log")

    def env(self, ccache=None):
        """The environment of a program that uses the realm."""
        e = dict(os.environ)
        e.update({
            "KRB5_CONFIG": self.krb5_conf,
            "KRB5_KDC_PROFILE": self.kdc_conf,
            "KRB5CCNAME": "FILE:" + (ccache or self.ccache),
            "KRB5_KTNAME": "FILE:" + self.keytab,
            "KRB5RCACHETYPE": "none",
        })
        return e

    # --- set-up ------------------------------------------------------------
    def _write_conf(self):
        with open(self.krb5_conf, "w") as f:
            f.write("""[libdefaults]
	default_realm = {realm}
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	udp_preference_limit = 1
	allow_weak_crypto = false
	forwardable = true

[realms]
	{realm} = {{
		kdc = 127.0.0.1:{port}
	}}

[domain_realm]
	.test.local = {realm}
	test.local = {realm}
""".format(realm=self.realm, port=self.port))
        with open(self.kdc_conf, "w") as f:
            f.write("""[kdcdefaults]
	kdc_listen = 127.0.0.1:{port}
	kdc_tcp_listen = 127.0.0.1:{port}

[realms]
	{realm} = {{
		database_name = {dir}/principal
		key_stash_file = {dir}/stash
		acl_file = {dir}/kadm5.acl
		master_key_type = aes256-cts-hmac-sha1-96
		supported_enctypes = {keysalts}
		max_life = 10h
		max_renewable_life = 7d
	}}

[logging]
	kdc = FILE:{dir}/kdc.log
""".format(realm=self.realm, port=self.port, dir=self.dir,
           keysalts=_keysalts(ENCTYPES_ALL)))
        with open(self.path("kadm5.acl"), "w") as f:
            f.write("")

    def run(self, argv, stdin=None, ccache=None, check=True, timeout=30):
        """Runs a program in the realm's environment: CompletedProcess."""
        r = subprocess.run(argv, input=stdin, capture_output=True, text=True,
                           env=self.env(ccache), timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError("%s failed (%d): %s%s" % (
                " ".join(argv), r.returncode, r.stdout, r.stderr))
        return r

    def kadmin(self, query):
        return self.run([KADMIN_LOCAL, "-r", self.realm, "-q", query])

    def add_user(self, name, password, enctypes=None):
        e = " -e \"%s\"" % _keysalts(enctypes) if enctypes else ""
        self.kadmin("addprinc%s -pw \"%s\" %s" % (e, password, name))

    def add_service(self, spn, enctypes=None, keytab=None):
        """A principal with a random key, added to the keytab.  Given
        enctypes, its keys and its tickets' session keys are of those
        (the KDC otherwise assumes aes256-cts for session keys)."""
        e = " -e \"%s\"" % _keysalts(enctypes) if enctypes else ""
        self.kadmin("addprinc -randkey%s %s" % (e, spn))
        if enctypes:
            self.kadmin("setstr %s session_enctypes \"%s\""
                        % (spn, " ".join(enctypes)))
        self.kadmin("ktadd -k %s -norandkey %s" % (keytab or self.keytab,
                                                   spn))

    def _start_kdc(self):
        log = open(self.path("krb5kdc.out"), "wb")
        self.kdc = subprocess.Popen(
            [KRB5KDC, "-n", "-r", self.realm, "-P", self.path("kdc.pid")],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env=self.env(), start_new_session=True)
        log.close()
        end = time.monotonic() + 10
        while time.monotonic() < end:
            if self.kdc.poll() is not None:
                raise RuntimeError("krb5kdc exited (%d): %s" % (
                    self.kdc.returncode, self.log_tail()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("krb5kdc does not listen on 127.0.0.1:%d: %s"
                           % (self.port, self.log_tail()))

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="ksspi-krb5.")
        try:
            self.port = free_port()
            self._write_conf()
            self.run([KDB5_UTIL, "create", "-s", "-r", self.realm,
                      "-P", MASTER_PASSWORD])
            self.add_user(USER, PASSWORD)
            self.add_service("host/" + HOST)
            self.add_service("TERMSRV/" + HOST)
            self.add_service("host/" + SHA2_HOST, ENCTYPES_SHA2)
            os.chmod(self.keytab, 0o600)
            self._start_kdc()
            for k in ENV_VARS:
                self._saved_env[k] = os.environ.get(k)
            os.environ.update({k: self.env()[k] for k in ENV_VARS})
        except BaseException:
            self.stop()
            raise
        return self

    # --- use -----------------------------------------------------------------
    def kinit(self, user=USER, password=PASSWORD, ccache=None, args=()):
        """Gets a TGT for user into ccache (default: the realm's cache)."""
        return self.run([KINIT] + list(args) + ["%s@%s" % (user, self.realm)],
                        stdin=password + "\n", ccache=ccache)

    def kdestroy(self, ccache=None):
        return self.run([KDESTROY], ccache=ccache, check=False)

    def log_tail(self, n=20):
        out = []
        for name in ("krb5kdc.out", "kdc.log"):
            try:
                with open(self.path(name), errors="replace") as f:
                    out += f.readlines()[-n:]
            except (OSError, TypeError):
                pass
        return "".join(out) or "(no KDC log)"

    # --- tear-down -----------------------------------------------------------
    def stop(self):
        if self.kdc is not None:
            if self.kdc.poll() is None:
                self.kdc.send_signal(signal.SIGTERM)
                try:
                    self.kdc.wait(10)
                except subprocess.TimeoutExpired:
                    self.kdc.kill()
                    self.kdc.wait(5)
            self.kdc = None
        for k, v in self._saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        self._saved_env = {}
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False
