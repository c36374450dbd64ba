#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the seed corpora of the NTLM fuzz targets into fuzz/seeds/ (run
from helper/).  The messages come from tests/ntlm_vectors.h (MS-NLMP 4.2.4
and a Windows 7 / Server 2008 R2 exchange) plus a few built here.  The
seeds are committed; rerun this after a change of the vectors."""
import os
import re
import struct


def vectors():
    text = open('tests/ntlm_vectors.h').read()
    out = {}
    for name, body in re.findall(r'uint8_t (\w+)\[\d+\] = \{(.*?)\};', text,
                                 re.S):
        out[name] = bytes(int(x, 16) for x in re.findall(r'0x([0-9a-f]{2})',
                                                         body))
    return out


def av(avid, value=b''):
    return struct.pack('<HH', avid, len(value)) + value


def u16(s):
    return s.encode('utf-16-le')


def negotiate(flags, version=True):
    m = b'NTLMSSP\0' + struct.pack('<II', 1, flags)
    m += struct.pack('<HHI', 0, 0, 40) * 2
    return m + (b'\x0a\x00\x63\x45\x00\x00\x00\x0f' if version else b'')


def challenge(flags, info, name=u16('DOM')):
    hdr = 56
    m = b'NTLMSSP\0' + struct.pack('<I', 2)
    m += struct.pack('<HHI', len(name), len(name), hdr)
    m += struct.pack('<I', flags) + bytes(range(1, 9)) + bytes(8)
    m += struct.pack('<HHI', len(info), len(info), hdr + len(name))
    m += b'\x0a\x00\x63\x45\x00\x00\x00\x0f'
    return m + name + info


def bindings(app, initiator=b'', acceptor=b''):
    off = 32
    parts = []
    hdr = b''
    for kind, data in ((2, initiator), (2, acceptor)):
        hdr += struct.pack('<III', kind if data else 0, len(data),
                           off if data else 0)
        parts.append(data)
        off += len(data)
    hdr += struct.pack('<II', len(app), off)
    return hdr + b''.join(parts) + app


def write(target, name, data):
    path = os.path.join('fuzz', 'seeds', target)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), 'wb') as f:
        f.write(data)


def main():
    v = vectors()
    ours = 0xe2888237
    write('fuzz_ntlm_negotiate', 'ours', negotiate(ours))
    write('fuzz_ntlm_negotiate', 'windows', negotiate(0xe2088297))
    write('fuzz_ntlm_negotiate', 'short', negotiate(0x00088207, False))
    # OEM only: curl's, and Samba's with "ntlmssp_client:unicode = no"
    write('fuzz_ntlm_negotiate', 'oem-curl', negotiate(0x00088206, False))
    write('fuzz_ntlm_negotiate', 'oem-samba', negotiate(0x62088236))

    info = (av(2, u16('DOM')) + av(1, u16('SRV')) + av(4, u16('dom.test')) +
            av(3, u16('srv.dom.test')) + av(7, bytes(8)) + av(0))
    write('fuzz_ntlm_challenge', 'spec-4.2.4', v['ntlm_v2_challenge'])
    write('fuzz_ntlm_challenge', 'windows-2008r2', v['ntlm_cbt_challenge'])
    write('fuzz_ntlm_challenge', 'ours', challenge(0xe28a8235, info))
    write('fuzz_ntlm_challenge', 'oem', challenge(0xe28a8236, info,
                                                  b'DOM'))
    write('fuzz_ntlm_challenge', 'unknown-pairs',
          challenge(0xe28a8235, av(2, u16('D')) + av(1, u16('S')) +
                    av(0x99, b'xyz') + av(8, bytes(64)) + av(0)))

    write('fuzz_ntlm_authenticate', 'spec-4.2.4',
          b'\0' + v['ntlm_v2_authenticate'])
    write('fuzz_ntlm_authenticate', 'windows-7-cbt',
          b'\0' + v['ntlm_cbt_authenticate'])
    write('fuzz_ntlm_authenticate', 'real-untouched', b'\1')
    write('fuzz_ntlm_authenticate', 'real-mic-byte',
          b'\1' + struct.pack('<HB', 75, 1))
    write('fuzz_ntlm_authenticate', 'real-flags-byte',
          b'\1' + struct.pack('<HB', 60, 0x20))
    # byte 0 bit 1: the OEM handshake
    write('fuzz_ntlm_authenticate', 'real-oem-untouched', b'\3')
    write('fuzz_ntlm_authenticate', 'real-oem-user-byte',
          b'\3' + struct.pack('<HB', 88 + 7, 0x20))
    write('fuzz_ntlm_authenticate', 'oem-raw', b'\2' + bytes(88))

    write('fuzz_ntlm_av_pairs', 'challenge-info', info)
    write('fuzz_ntlm_av_pairs', 'windows-nt-response',
          v['ntlm_cbt_authenticate'][0xac:0xac + 0x17c])
    write('fuzz_ntlm_av_pairs', 'spec-nt-response',
          v['ntlm_v2_authenticate'][0x84:0x84 + 0x54])

    app = (b'tls-server-end-point:' +
           bytes.fromhex('ea05fefecc6b0bd571dbbc5baa3ed453'
                         '86d0446835f7b74c85621b9983475f95'))
    write('fuzz_ntlm_bindings', 'tls-server-end-point', bindings(app))
    write('fuzz_ntlm_bindings', 'addresses',
          bindings(b'app', b'\x7f\0\0\1', b'\x7f\0\0\2'))
    write('fuzz_ntlm_bindings', 'empty', bytes(32))


if __name__ == '__main__':
    main()
