#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""spnego_credssp_client.py PORT USER DOMAIN PASSWORD TARGET_HOST: a CredSSP
client (TSRequest version 2, as impacket's rdp_check.py, whose message
classes it borrows) whose inner tokens come from MIT's SPNEGO with
gss-ntlmssp (python3-gssapi): SPNEGO-wrapped NTLM with mechListMICs, as
mstsc sends it.  pubKeyAuth and authInfo are gss_wrap'ed by that SPNEGO
context.  Prints each step; exit status 0 once authInfo went out after
the server's pubKeyAuth checked, 2 when the server hung up, 1 otherwise.
"""
import importlib.util
import socket
import sys

import gssapi
import gssapi.raw
from OpenSSL import SSL, crypto

RDP_CHECK = "/usr/share/doc/python3-impacket/examples/rdp_check.py"
SPNEGO = gssapi.OID.from_int_seq("1.3.6.1.5.5.2")
NTLMSSP = gssapi.OID.from_int_seq("1.3.6.1.4.1.311.2.2.10")

spec = importlib.util.spec_from_file_location("rdp_check", RDP_CHECK)
R = importlib.util.module_from_spec(spec)
spec.loader.exec_module(R)


def der_next(buf, at):
    """(tag, value start, value end) of the DER element at @at."""
    tag, n = buf[at], buf[at + 1]
    at += 2
    if n & 0x80:
        k, n = n & 0x7f, 0
        for i in range(k):
            n = n << 8 | buf[at + i]
        at += k
    return tag, at, at + n


def subject_public_key(spki):
    """The subjectPublicKey bits of a SubjectPublicKeyInfo (what
    pubKeyAuth binds before version 5)."""
    _, start, _ = der_next(spki, 0)
    _, _, alg_end = der_next(spki, start)
    tag, bits, end = der_next(spki, alg_end)
    assert tag == 0x03 and spki[bits] == 0
    return spki[bits + 1:end]


def x224_connect(s):
    tpkt, tpdu, neg = R.TPKT(), R.TPDU(), R.RDP_NEG_REQ()
    neg["Type"] = R.TYPE_RDP_NEG_REQ
    neg["requestedProtocols"] = R.PROTOCOL_HYBRID | R.PROTOCOL_SSL
    tpdu["VariablePart"] = neg.getData()
    tpdu["Code"] = R.TDPU_CONNECTION_REQUEST
    tpkt["TPDU"] = tpdu.getData()
    s.sendall(tpkt.getData())
    s.recv(8192)


def main():
    port, user, domain, password, host = sys.argv[1:6]
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=60)
    # pyOpenSSL wants a blocking socket (a timeout makes it non-blocking)
    s.settimeout(None)
    x224_connect(s)
    ctx = SSL.Context(SSL.TLS_METHOD)
    tls = SSL.Connection(ctx, s)
    tls.set_connect_state()
    tls.do_handshake()
    spki = crypto.dump_publickey(crypto.FILETYPE_ASN1,
                                 tls.get_peer_certificate().get_pubkey())
    key = subject_public_key(spki)

    name = gssapi.Name("%s\\%s" % (domain, user), gssapi.NameType.user)
    creds = gssapi.raw.acquire_cred_with_password(
        name, password.encode(), usage="initiate", mechs=[SPNEGO]).creds
    gssapi.raw.set_neg_mechs(creds, [NTLMSSP])
    gss = gssapi.SecurityContext(
        name=gssapi.Name("TERMSRV@" + host,
                         gssapi.NameType.hostbased_service),
        creds=creds, mech=SPNEGO, usage="initiate",
        flags=[gssapi.RequirementFlag.integrity,
               gssapi.RequirementFlag.confidentiality])
    token, legs = gss.step(), 0
    try:
        while True:
            req = R.TSRequest()
            if token:
                req["NegoData"] = token
            if gss.complete:
                req["pubKeyAuth"] = gss.wrap(key, True).message
            print("to the server: negoToken %d bytes%s" %
                  (len(token or b""), ", pubKeyAuth" if gss.complete else ""))
            tls.send(req.getData())
            answer = R.TSRequest(tls.recv(65536))
            legs += 1
            if "pubKeyAuth" in answer.fields:
                break
            token = gss.step(answer["NegoData"])
            if legs > 6:
                print("too many legs")
                return 1
    except (SSL.Error, ValueError) as e:
        print("server hung up: %r" % e)
        return 2
    plain = gss.unwrap(answer["pubKeyAuth"]).message
    if plain != bytes([(key[0] + 1) & 0xff]) + key[1:]:
        print("the server's pubKeyAuth does not match")
        return 1
    print("server's pubKeyAuth checked")
    tsp = R.TSPasswordCreds()
    tsp["domainName"], tsp["userName"], tsp["password"] = domain, user, \
        password
    tsc = R.TSCredentials()
    tsc["credType"] = 1
    tsc["credentials"] = tsp.getData()
    req = R.TSRequest()
    req["authInfo"] = gss.wrap(tsc.getData(), True).message
    tls.send(req.getData())
    print("authInfo sent")
    tls.close()
    return 0


sys.exit(main())
