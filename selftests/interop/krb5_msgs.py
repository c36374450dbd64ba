# SPDX-License-Identifier: GPL-2.0
"""Kerberos (and Negotiate) per-message calls through libksspi for the
interop tests, and the sample protocol of krb5-gss-samples (gss-client,
gss-server): what krb5_ksspi and nego_ksspi share."""
import ctypes
import os
import socket
import struct
import time

import ksspi_ctypes as K
from ntlm_env import check, check_eq

MSG = b"Kerberos through ksspi, " * 20
SECBUFFER_STREAM = 10
TOKEN_NOOP, TOKEN_CONTEXT, TOKEN_DATA, TOKEN_MIC = 1, 2, 4, 8
TOKEN_CONTEXT_NEXT, TOKEN_WRAPPED, TOKEN_ENCRYPTED = 16, 32, 64
TOKEN_SEND_MIC = 128


def call(ctx, fn, bufs, verify=False):
    """fn over buffers [(type, bytes, capacity)]: (status, [bytes])."""
    mems, arr = [], (K.SecBuffer * len(bufs))()
    for i, (btype, data, cap) in enumerate(bufs):
        cap = max(cap, len(data), 1)
        mem = ctypes.create_string_buffer(bytes(data), cap)
        mems.append(mem)
        room = not verify and btype == K.SECBUFFER_TOKEN
        arr[i] = K.SecBuffer(cap if room else len(data), btype,
                             ctypes.cast(mem, ctypes.c_void_p))
    desc = K.SecBufferDesc(K.SECBUFFER_VERSION, len(bufs), arr)
    q = ctypes.c_uint32(0)
    if verify:
        st = fn(ctypes.byref(ctx.handle), ctypes.byref(desc), 0,
                ctypes.byref(q))
    else:
        st = fn(ctypes.byref(ctx.handle), 0, ctypes.byref(desc), 0)
    return K.u32(st), [ctypes.string_at(arr[i].pvBuffer, arr[i].cbBuffer)
                       if arr[i].cbBuffer else b""
                       for i in range(len(bufs))]


def seal(ctx, data):
    """EncryptMessage; the whole RFC 4121 token (TOKEN then DATA)."""
    st, out = call(ctx, K.lib.EncryptMessage,
                   [(K.SECBUFFER_TOKEN, b"", 128), (K.SECBUFFER_DATA, data,
                                                    0)])
    check_eq(st, K.SEC_E_OK, "EncryptMessage")
    # (a short message may encrypt to itself by chance: 1 in 256 for one
    # byte)
    check(len(data) < 16 or out[1] != data,
          "EncryptMessage left the data clear")
    return out[0] + out[1]


def unseal(ctx, token):
    """DecryptMessage of a whole token (SECBUFFER_STREAM)."""
    st, out = call(ctx, K.lib.DecryptMessage,
                   [(SECBUFFER_STREAM, token, 0), (K.SECBUFFER_DATA, b"", 0)],
                   verify=True)
    check_eq(st, K.SEC_E_OK, "DecryptMessage")
    return out[1]


def mic(ctx, data):
    st, out = call(ctx, K.lib.MakeSignature,
                   [(K.SECBUFFER_TOKEN, b"", 64), (K.SECBUFFER_DATA, data,
                                                   0)])
    check_eq(st, K.SEC_E_OK, "MakeSignature")
    return out[0]


def verify_mic(ctx, data, token):
    return call(ctx, K.lib.VerifySignature,
                [(K.SECBUFFER_TOKEN, token, 0), (K.SECBUFFER_DATA, data, 0)],
                verify=True)[0]


def check_messages(a, b):
    for size in (1, 1000, 65536):
        data = os.urandom(size)
        for x, y, d in ((a, b, "c->s"), (b, a, "s->c")):
            check_eq(unseal(y, seal(x, data)), data, "sealed %s %d" % (d,
                                                                       size))
            check_eq(verify_mic(y, data, mic(x, data)), K.SEC_E_OK,
                     "VerifySignature %s %d" % (d, size))
    bad = bytearray(seal(a, MSG))
    bad[-1] ^= 1
    st, _ = call(b, K.lib.DecryptMessage,
                 [(SECBUFFER_STREAM, bytes(bad), 0),
                  (K.SECBUFFER_DATA, b"", 0)], verify=True)
    check_eq(st, K.SEC_E_MESSAGE_ALTERED, "tampered token")


# --- the sample protocol of krb5-gss-samples --------------------------------
def send_token(sock, flags, tok):
    sock.sendall(struct.pack(">BI", flags, len(tok)) + tok)


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        got = sock.recv(n - len(buf))
        if not got:
            raise EOFError("peer closed")
        buf += got
    return buf


def recv_token(sock):
    flags, n = struct.unpack(">BI", recv_exact(sock, 5))
    return flags, recv_exact(sock, n)


def free_tcp_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, timeout=10):
    """Waits for a listener on 127.0.0.1:port without connecting
    (gss-server -once would take a probe for its one connection)."""
    want = ("0100007F:%04X" % port, "00000000:%04X" % port)
    end = time.time() + timeout
    while time.time() < end and proc.poll() is None:
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[1] in want and fields[3] == "0A":
                    return True
        time.sleep(0.05)
    return False
