#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the seed corpora of the fuzz targets into fuzz/seeds/ (run from
helper/).  The seeds are committed; rerun this after a protocol change."""
import os
import struct

KSSPI_A = dict(REQUEST_ID=1, OP=2, PACKAGE=5, SESSION_ID=6, CONTEXT_REQ=7,
               TARGET_NAME=8, CREDENTIAL_USE=9, IDENTITY_KEY=10, TOKEN=11,
               CHANNEL_BINDINGS=12, UID=17, PID=18, FLAGS=19,
               RELEASE_SESSION=20, CANCEL_REQUEST=21, PAD=22, QUEUED=23)
OP_PING, OP_INIT, OP_ACCEPT = 1, 2, 3
FIRST_LEG = 1


def attr(name, data):
    data = bytes(data)
    pad = (4 - len(data) % 4) % 4
    return struct.pack('<HH', 4 + len(data), KSSPI_A[name]) + data + b'\0' * pad


def u32(name, v):
    return attr(name, struct.pack('<I', v))


def u64(name, v):
    return attr(name, struct.pack('<Q', v))


def string(name, s):
    return attr(name, s.encode() + b'\0')


def tokens(data, chunk=32768):
    return b''.join(attr('TOKEN', data[i:i + chunk])
                    for i in range(0, len(data), chunk))


def leg(op, first, token=b'', identity=True, target=None):
    m = u64('REQUEST_ID', 7) + u32('OP', op) + string('PACKAGE', 'KsspiTest')
    m += u64('SESSION_ID', 0x1234) + u32('FLAGS', FIRST_LEG if first else 0)
    m += u32('CONTEXT_REQ', 0x1080e) + u32('UID', 0) + u32('PID', 1)
    if target:
        m += string('TARGET_NAME', target)
    if identity:
        m += u32('IDENTITY_KEY', 0x2a)
    return m + tokens(token)


hello = b'KTST\x01' + bytes(range(16))
upcall_seeds = {
    'ping': u64('REQUEST_ID', 1) + u32('OP', OP_PING) + u32('QUEUED', 3) +
            tokens(b'hello'),
    'isc-sleep': leg(OP_INIT, True, target='sleep:5'),
    'ping-40k': u64('REQUEST_ID', 3) + u32('OP', OP_PING) + tokens(bytes(40000)),
    'isc-first': leg(OP_INIT, True, target='host/srv'),
    'asc-first': leg(OP_ACCEPT, True, hello),
    'asc-fail': leg(OP_ACCEPT, True, hello + b'fail:8009030C'),
    'isc-next': leg(OP_INIT, False, b'KTST\x02' + bytes(16), identity=False),
    'notices': u64('RELEASE_SESSION', 0x1234) + u64('CANCEL_REQUEST', 7) +
               u64('RELEASE_SESSION', 0x1235) + u32('QUEUED', 0),
    'identity': b'alice\0TEST\0Passw0rd!',
    'identity-empty-user': b'\0TEST\0Passw0rd!',
}
token_seeds = {
    'server-hello': b'\x00' + hello,
    'server-hello-fail': b'\x00' + hello + b'fail:80090308',
    'client-challenge': b'\x01' + b'KTST\x02' + bytes(16) + b'payload',
    'server-proof': b'\x02' + b'KTST\x03\x05\x00alice' + bytes(32),
    'handshake': b'\x03' + b'payload',
}
for target, seeds in (('fuzz_upcall', upcall_seeds),
                      ('fuzz_ktst_token', token_seeds)):
    folder = os.path.join('fuzz', 'seeds', target)
    os.makedirs(folder, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(folder, name), 'wb') as f:
            f.write(data)
