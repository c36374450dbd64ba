#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ksspid's NTLM package against real peers, without the kernel.

Drives build/ntlm-peer (the package as a command-line peer) against
  - gss-ntlmssp through python3-gssapi (mech 1.3.6.1.4.1.311.2.2.10), as
    acceptor of our client and as initiator to our server;
  - Samba's ntlm_auth, --helper-protocol=ntlmssp-client-1 as a client of
    our server (also with "ntlmssp_client:unicode = no": OEM strings) and
    squid-2.5-ntlmssp as a server for our client;
  - impacket's NTLM client (a NEGOTIATE without VERSION, no MIC) against
    our server.
Each successful handshake is checked for key agreement: the session keys
are compared, and messages are signed and sealed both ways, our side with
the keys of the context blob (MS-NLMP 3.4.4.2 with extended session
security, as the kernel does), the other side with its own code.

Usage: peer-test.py path/to/ntlm-peer.  Prints TAP; exits non-zero when a
check fails or a peer is missing.
"""
import base64
import os
import struct
import subprocess
import sys
import tempfile

import gssapi
import gssapi.raw as graw
from gssapi.raw import ChannelBindings

NTLM = gssapi.OID.from_int_seq('1.3.6.1.4.1.311.2.2.10')
SESSION_KEY_OID = gssapi.OID.from_int_seq('1.2.840.113554.1.2.2.5.5')
DOMAIN, USER, PASSWORD = 'TESTDOM', 'alice', 'Passw0rd!'
SPN = 'HTTP/srv.test.local'

# ISC_REQ_INTEGRITY | CONFIDENTIALITY | REPLAY | SEQUENCE | CONNECTION
ISC_ALL = 0x0001081c
ISC_INTEGRITY = 0x00010000
# ASC_REQ_INTEGRITY | CONFIDENTIALITY | REPLAY | SEQUENCE | CONNECTION
ASC_ALL = 0x0002081c
ASC_ALLOW_MISSING_BINDINGS = 0x10000000

GSS_FLAGS = (gssapi.RequirementFlag.integrity |
             gssapi.RequirementFlag.confidentiality |
             gssapi.RequirementFlag.replay_detection |
             gssapi.RequirementFlag.out_of_sequence_detection)

results = {'pass': 0, 'fail': 0}


def check(ok, desc, detail=''):
    n = results['pass'] + results['fail'] + 1
    if ok:
        results['pass'] += 1
        print('ok %d - %s' % (n, desc))
    else:
        results['fail'] += 1
        print('not ok %d - %s%s' % (n, desc, ': ' + detail if detail else ''))
    sys.stdout.flush()
    return ok


def b64(data):
    return base64.b64encode(data).decode()


class Peer:
    """ntlm-peer as a subprocess speaking its line protocol."""

    def __init__(self, binary, args):
        self.p = subprocess.Popen([binary] + args, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True,
                                  bufsize=1)
        self.info = {}

    def line(self):
        got = self.p.stdout.readline()
        if not got:
            raise RuntimeError('ntlm-peer ended')
        return got.rstrip('\n')

    def leg(self):
        """Reads one leg's output: (token or None, status name)."""
        token = None
        while True:
            tag, _, rest = self.line().partition(' ')
            if tag == 'TOKEN':
                token = base64.b64decode(rest)
            elif tag == 'STATUS':
                status = rest.split(' ')[1]
                break
        if status == 'SEC_E_OK':
            for _ in range(4):
                tag, _, rest = self.line().partition(' ')
                self.info[tag] = rest
        return token, status

    def send(self, token):
        self.p.stdin.write('TOKEN %s\n' % b64(token))
        self.p.stdin.flush()
        return self.leg()

    def command(self, *words):
        self.p.stdin.write(' '.join(words) + '\n')
        self.p.stdin.flush()
        return self.line()

    def session_key(self):
        return bytes.fromhex(self.info.get('SESSIONKEY', ''))

    def close(self):
        try:
            self.p.stdin.write('QUIT\n')
            self.p.stdin.flush()
            self.p.stdin.close()
        except (BrokenPipeError, ValueError):
            pass
        self.p.stdout.close()
        return self.p.wait(timeout=10)


def messages_both_ways(peer, wrap, unwrap, get_mic, verify_mic, what):
    """Signs and seals a few messages in both directions."""
    for i, text in enumerate((b'first message', b'', b'x' * 1000)):
        if not text:
            continue
        # theirs -> ours
        sig = get_mic(text)
        check(peer.command('VERIFY', b64(text), b64(sig)) == 'OK',
              '%s: their MIC %d verified with our keys' % (what, i))
        sealed = wrap(text)
        got = peer.command('UNWRAP', b64(sealed))
        check(got == 'OK ' + b64(text),
              '%s: their sealed message %d opened with our keys' % (what, i),
              got)
        # ours -> theirs
        tag, _, ours = peer.command('MIC', b64(text)).partition(' ')
        try:
            verify_mic(text, base64.b64decode(ours))
            ok = True
        except Exception as e:
            ok, err = False, repr(e)
        check(ok, '%s: our MIC %d verified by the peer' % (what, i),
              '' if ok else err)
        tag, _, ours = peer.command('WRAP', b64(text)).partition(' ')
        try:
            ok = unwrap(base64.b64decode(ours)) == text
        except Exception as e:
            ok = False
        check(ok, '%s: our sealed message %d opened by the peer' % (what, i))
    # A tampered signature is refused on our side
    sig = bytearray(get_mic(b'tampered'))
    sig[5] ^= 1
    check(peer.command('VERIFY', b64(b'tampered'), b64(bytes(sig))) == 'BAD',
          '%s: a tampered MIC is refused with our keys' % what)


def gss_initiator(password=PASSWORD, user=USER, cb=None, flags=GSS_FLAGS,
                  target='HTTP@srv.test.local'):
    name = gssapi.Name('%s\\%s' % (DOMAIN, user), gssapi.NameType.user)
    creds = graw.acquire_cred_with_password(name, password.encode(),
                                            usage='initiate',
                                            mechs=[NTLM]).creds
    return gssapi.SecurityContext(
        name=gssapi.Name(target, gssapi.NameType.hostbased_service),
        creds=creds, usage='initiate', mech=NTLM, flags=flags,
        channel_bindings=cb)


def gss_acceptor(cb=None):
    return gssapi.SecurityContext(
        usage='accept', channel_bindings=cb,
        creds=gssapi.Credentials(usage='accept', mechs=[NTLM]))


def gss_session_key(ctx):
    return graw.inquire_sec_context_by_oid(ctx, SESSION_KEY_OID)[0]


def gss_unwrap(ctx):
    return lambda data: ctx.unwrap(data).message


def gss_wrap(ctx):
    return lambda data: ctx.wrap(data, True).message


def our_client_vs_gss(binary, desc, password=PASSWORD, req=ISC_ALL,
                      cb=None, acceptor_cb=None, expect_ok=True):
    args = ['client', '-u', USER, '-d', DOMAIN, '-p', password, '-t', SPN,
            '-r', '%x' % req]
    if cb:
        args += ['-b', cb]
    peer = Peer(binary, args)
    neg, status = peer.leg()
    acc = gss_acceptor(ChannelBindings(application_data=acceptor_cb.encode())
                       if acceptor_cb else None)
    try:
        chal = acc.step(neg)
        auth, status = peer.send(chal)
        acc.step(auth)
        ok = acc.complete
    except gssapi.exceptions.GSSError as e:
        ok = False
    if not expect_ok:
        check(not ok, 'gss-ntlmssp acceptor refuses our client: ' + desc)
        peer.close()
        return
    if not check(ok and status == 'SEC_E_OK',
                 'our client -> gss-ntlmssp acceptor: ' + desc):
        peer.close()
        return
    # gss-ntlmssp's display name ends with its NUL
    seen = str(acc.initiator_name).rstrip('\0')
    check(seen == '%s\\%s' % (DOMAIN, USER),
          'gss-ntlmssp acceptor sees %s\\%s' % (DOMAIN, USER), repr(seen))
    check(gss_session_key(acc) == peer.session_key(),
          'session keys agree (our client, gss-ntlmssp acceptor): ' + desc)
    if req & ISC_INTEGRITY:
        messages_both_ways(peer, gss_wrap(acc), gss_unwrap(acc),
                           acc.get_signature, acc.verify_signature,
                           'our client/gss acceptor, ' + desc)
    check(peer.close() == 0, 'ntlm-peer client exits 0')


def gss_vs_our_server(binary, users, desc, password=PASSWORD, user=USER,
                      cb=None, server_cb=None, req=ASC_ALL, spns=(),
                      expect='SEC_E_OK', flags=GSS_FLAGS):
    args = ['server', '-U', users, '-D', DOMAIN, '-C', 'srv.test.local',
            '-r', '%x' % req]
    for spn in spns:
        args += ['-S', spn]
    if server_cb:
        args += ['-b', server_cb]
    peer = Peer(binary, args)
    ini = gss_initiator(password, user,
                        ChannelBindings(application_data=cb.encode())
                        if cb else None, flags)
    chal, status = peer.send(ini.step())
    auth = ini.step(chal)
    _, status = peer.send(auth)
    if not check(status == expect,
                 'gss-ntlmssp initiator -> our server: %s: %s' %
                 (desc, expect), status):
        peer.close()
        return
    if expect != 'SEC_E_OK':
        check(peer.close() == 1, 'ntlm-peer server exits 1 on failure')
        return
    check(peer.info.get('CLIENT') == '%s\\%s' % (DOMAIN, USER),
          'our server sees %s\\%s' % (DOMAIN, USER), peer.info.get('CLIENT'))
    check(gss_session_key(ini) == peer.session_key(),
          'session keys agree (gss-ntlmssp initiator, our server): ' + desc)
    if flags & gssapi.RequirementFlag.integrity:
        messages_both_ways(peer, gss_wrap(ini), gss_unwrap(ini),
                           ini.get_signature, ini.verify_signature,
                           'gss initiator/our server, ' + desc)
    check(peer.close() == 0, 'ntlm-peer server exits 0')


class Helper:
    """ntlm_auth in one of its helper protocols."""

    def __init__(self, protocol, password=PASSWORD, options=()):
        self.p = subprocess.Popen(
            ['ntlm_auth', '--helper-protocol=' + protocol,
             '--username=' + USER, '--password=' + password,
             '--domain=' + DOMAIN] + ['--option=' + o for o in options],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def ask(self, line):
        self.p.stdin.write(line + '\n')
        self.p.stdin.flush()
        return self.p.stdout.readline().rstrip('\n')

    def close(self):
        self.p.stdin.close()
        self.p.stdout.close()
        self.p.wait(timeout=10)


def samba_client_vs_our_server(binary, users, desc, password=PASSWORD,
                               expect='SEC_E_OK', oem=False):
    """With @oem, Samba's client without Unicode: an OEM NEGOTIATE, asking
    for signing and sealing."""
    peer = Peer(binary, ['server', '-U', users, '-D', DOMAIN, '-C',
                         'srv.test.local', '-r', '%x' % ASC_ALL])
    sam = Helper('ntlmssp-client-1', password,
                 ('ntlmssp_client:unicode=no',) if oem else ())
    if oem:
        sam.ask('SF NTLMSSP_FEATURE_SIGN NTLMSSP_FEATURE_SEAL '
                'NTLMSSP_FEATURE_SESSION_KEY')
    tag, _, neg = sam.ask('YR').partition(' ')
    if oem:
        flags = struct.unpack_from('<I', base64.b64decode(neg), 12)[0]
        check(flags & 3 == 2, 'ntlm_auth with unicode = no sends OEM only',
              '0x%08x' % flags)
    chal, status = peer.send(base64.b64decode(neg))
    tag, _, auth = sam.ask('TT ' + b64(chal)).partition(' ')
    check(tag in ('KK', 'AF'), 'ntlm_auth client answers the challenge',
          tag)
    _, status = peer.send(base64.b64decode(auth))
    if check(status == expect, 'ntlm_auth client -> our server: %s: %s' %
             (desc, expect), status) and expect == 'SEC_E_OK':
        check(peer.info.get('CLIENT') == '%s\\%s' % (DOMAIN, USER),
              'our server sees the ntlm_auth user', peer.info.get('CLIENT'))
        tag, _, key = sam.ask('GK').partition(' ')
        check(tag == 'GK' and base64.b64decode(key) == peer.session_key(),
              'session keys agree (ntlm_auth client, our server)',
              tag + ' ' + key)
    sam.close()
    peer.close()


def our_client_vs_samba_server(binary, desc, password=PASSWORD,
                               expect_ok=True, req=ISC_ALL):
    peer = Peer(binary, ['client', '-u', USER, '-d', DOMAIN, '-p', password,
                         '-t', SPN, '-r', '%x' % req])
    neg, status = peer.leg()
    sam = Helper('squid-2.5-ntlmssp')
    tag, _, chal = sam.ask('YR ' + b64(neg)).partition(' ')
    check(tag == 'TT', 'ntlm_auth server answers our NEGOTIATE', tag)
    auth, status = peer.send(base64.b64decode(chal))
    check(status == 'SEC_E_OK', 'our client completes against ntlm_auth',
          status)
    answer = sam.ask('KK ' + b64(auth))
    if expect_ok:
        check(answer.startswith('AF ') and answer.endswith(USER),
              'our client -> ntlm_auth server: ' + desc, answer)
        tag, _, key = sam.ask('GK').partition(' ')
        check(tag == 'GK' and base64.b64decode(key) == peer.session_key(),
              'session keys agree (our client, ntlm_auth server)',
              tag + ' ' + key)
    else:
        check(answer.startswith('NA '),
              'ntlm_auth server refuses our client: ' + desc, answer)
    sam.close()
    peer.close()


def impacket_vs_our_server(binary, users, desc, password=PASSWORD,
                           expect='SEC_E_OK'):
    from impacket import ntlm
    peer = Peer(binary, ['server', '-U', users, '-D', DOMAIN, '-C',
                         'srv.test.local', '-r', '%x' % ASC_ALL])
    t1 = ntlm.getNTLMSSPType1('WS', DOMAIN, signingRequired=True)
    chal, status = peer.send(t1.getData())
    t3, key = ntlm.getNTLMSSPType3(t1, chal, USER, password, DOMAIN)
    _, status = peer.send(t3.getData())
    if check(status == expect, 'impacket client -> our server: %s: %s' %
             (desc, expect), status) and expect == 'SEC_E_OK':
        check(key == peer.session_key(),
              'session keys agree (impacket client, our server)')
    peer.close()


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: peer-test.py path/to/ntlm-peer')
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix='ksspi-ntlm-peers-')
    # gss-ntlmssp's users (plaintext, its format)
    gss_users = os.path.join(work, 'gss-users')
    with open(gss_users, 'w') as f:
        f.write('%s:%s:%s\n' % (DOMAIN, USER, PASSWORD))
    os.environ['NTLM_USER_FILE'] = gss_users
    # ksspid's users: the NT hash, computed by the package's own code
    nt = subprocess.run([binary, 'nt-hash', PASSWORD], check=True,
                        capture_output=True, text=True).stdout.strip()
    our_users = os.path.join(work, 'ntlm-users')
    with open(our_users, 'w') as f:
        f.write('%s:%s:%s\n' % (DOMAIN, USER, nt))
    os.chmod(our_users, 0o600)

    # gss-ntlmssp as acceptor of our client
    our_client_vs_gss(binary, 'integrity and confidentiality')
    our_client_vs_gss(binary, 'integrity only', req=ISC_INTEGRITY)
    our_client_vs_gss(binary, 'nothing requested (no key exchange)', req=0)
    cb = 'tls-server-end-point:0123456789abcdef'
    our_client_vs_gss(binary, 'channel bindings', cb=cb, acceptor_cb=cb)
    our_client_vs_gss(binary, 'channel bindings differ', cb=cb,
                      acceptor_cb=cb + 'x', expect_ok=False)
    our_client_vs_gss(binary, 'wrong password', password='wrong',
                      expect_ok=False)

    # gss-ntlmssp as initiator to our server
    gss_vs_our_server(binary, our_users, 'integrity and confidentiality')
    gss_vs_our_server(binary, our_users, 'no integrity requested',
                      flags=gssapi.RequirementFlag.mutual_authentication)
    gss_vs_our_server(binary, our_users, 'wrong password',
                      password='wrong', expect='SEC_E_LOGON_DENIED')
    gss_vs_our_server(binary, our_users, 'unknown user', user='mallory',
                      expect='SEC_E_LOGON_DENIED')
    gss_vs_our_server(binary, our_users, 'channel bindings', cb=cb,
                      server_cb=cb)
    gss_vs_our_server(binary, our_users, 'channel bindings differ', cb=cb,
                      server_cb=cb + 'x', expect='SEC_E_BAD_BINDINGS')
    gss_vs_our_server(binary, our_users, 'channel bindings missing',
                      server_cb=cb, expect='SEC_E_BAD_BINDINGS')
    gss_vs_our_server(binary, our_users,
                      'channel bindings missing, allowed', server_cb=cb,
                      req=ASC_ALL | ASC_ALLOW_MISSING_BINDINGS)
    gss_vs_our_server(binary, our_users, 'target name is ours',
                      spns=('HTTP/srv.test.local',))
    gss_vs_our_server(binary, our_users, 'target name is not ours',
                      spns=('HTTP/other.test.local',),
                      expect='SEC_E_WRONG_PRINCIPAL')

    # Samba's ntlm_auth
    samba_client_vs_our_server(binary, our_users, 'right password')
    samba_client_vs_our_server(binary, our_users, 'wrong password',
                               password='wrong', expect='SEC_E_LOGON_DENIED')
    samba_client_vs_our_server(binary, our_users, 'OEM, right password',
                               oem=True)
    samba_client_vs_our_server(binary, our_users, 'OEM, wrong password',
                               password='wrong', expect='SEC_E_LOGON_DENIED',
                               oem=True)
    impacket_vs_our_server(binary, our_users, 'right password')
    impacket_vs_our_server(binary, our_users, 'wrong password',
                           password='wrong', expect='SEC_E_LOGON_DENIED')
    our_client_vs_samba_server(binary, 'right password')
    our_client_vs_samba_server(binary, 'nothing requested', req=0)
    our_client_vs_samba_server(binary, 'wrong password', password='wrong',
                               expect_ok=False)

    print('1..%d' % (results['pass'] + results['fail']))
    print('ntlm peers: %d passed, %d failed' %
          (results['pass'], results['fail']))
    sys.exit(1 if results['fail'] else 0)


if __name__ == '__main__':
    main()
