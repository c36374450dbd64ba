#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the seed corpora of the CredSSP fuzz targets into fuzz/seeds/
(run from helper/).  The messages are the known encodings of
tests/test_tsrequest.c (hand-built from MS-CSSP, captured from impacket,
an OpenSSL key's SubjectPublicKeyInfo) plus a few built here.  The seeds
are committed; rerun this after a change of the vectors."""
import os
import re


def vectors():
    """name -> bytes for every '#define NAME "hex" ...' and
    'static const char name[] = "hex" ...;' of the test."""
    text = open('tests/test_tsrequest.c').read()
    out = {}
    for name, body in re.findall(r'#define (\w+_HEX) ((?:"[0-9a-f ]*"\s*\\?\s*)+)',
                                 text):
        out[name] = bytes.fromhex(''.join(re.findall(r'"([0-9a-f ]*)"', body)))
    for name, body in re.findall(r'static const char (\w+)\[\] =\s*((?:"[0-9a-f]*"\s*)+);',
                                 text):
        out[name] = bytes.fromhex(''.join(re.findall(r'"([0-9a-f]*)"', body)))
    return out


def tlv(tag, data):
    n = len(data)
    if n < 0x80:
        length = bytes([n])
    elif n < 0x100:
        length = bytes([0x81, n])
    else:
        length = bytes([0x82, n >> 8, n & 0xff])
    return bytes([tag]) + length + data


def ts_request(version, token=None, auth=None, pub=None, error=None,
               nonce=None):
    body = tlv(0xa0, tlv(0x02, bytes([version])))
    if token is not None:
        body += tlv(0xa1, tlv(0x30, tlv(0x30, tlv(0xa0, tlv(0x04, token)))))
    if auth is not None:
        body += tlv(0xa2, tlv(0x04, auth))
    if pub is not None:
        body += tlv(0xa3, tlv(0x04, pub))
    if error is not None:
        body += tlv(0xa4, tlv(0x02, error))
    if nonce is not None:
        body += tlv(0xa5, tlv(0x04, nonce))
    return tlv(0x30, body)


def write(target, name, data):
    path = os.path.join('fuzz', 'seeds', target)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), 'wb') as f:
        f.write(data)


def main():
    v = vectors()
    for name in ('V2_NEGO_HEX', 'V6_NONCE_HEX', 'V6_ERROR_NEGATIVE_HEX',
                 'V6_ERROR_POSITIVE_HEX', 'impacket_negotiate',
                 'impacket_auth', 'impacket_authinfo'):
        write('fuzz_tsrequest', name.lower().replace('_hex', ''), v[name])
    write('fuzz_tsrequest', 'all-fields',
          ts_request(6, b'NTLMSSP\0\3\0\0\0', bytes(40), bytes(32),
                     b'\xc0\0\0\x6d', bytes(range(32))))
    write('fuzz_tsrequest', 'two-entries',
          tlv(0x30, tlv(0xa0, b'\x02\x01\x02') +
              tlv(0xa1, tlv(0x30, tlv(0x30, tlv(0xa0, tlv(0x04, b'A'))) +
                            tlv(0x30, tlv(0xa0, tlv(0x04, b'B')))))))

    for name in ('CREDS_DUP_HEX', 'CREDS_EMPTY_HEX', 'impacket_credentials'):
        write('fuzz_tscredentials', name.lower().replace('_hex', ''), v[name])
    pin = 'pin'.encode('utf-16-le')
    smartcard = tlv(0x30, tlv(0xa0, tlv(0x04, pin)) +
                    tlv(0xa1, tlv(0x30, tlv(0xa0, b'\x02\x01\x01') +
                                  tlv(0xa1, tlv(0x04, b'card')))))
    write('fuzz_tscredentials', 'smartcard',
          tlv(0x30, tlv(0xa0, b'\x02\x01\x02') +
              tlv(0xa1, tlv(0x04, smartcard))))
    package = tlv(0x30, tlv(0xa0, tlv(0x04, 'Kerberos'.encode('utf-16-le'))) +
                  tlv(0xa1, tlv(0x04, bytes(16))))
    guard = tlv(0x30, tlv(0xa0, package) + tlv(0xa1, tlv(0x30, package)))
    write('fuzz_tscredentials', 'remote-guard',
          tlv(0x30, tlv(0xa0, b'\x02\x01\x06') + tlv(0xa1, tlv(0x04, guard))))

    write('fuzz_spki', 'ec-p256', v['ec_spki'])
    rsa = tlv(0x30, tlv(0x30, bytes.fromhex('06092a864886f70d0101010500')) +
              tlv(0x03, b'\0' + tlv(0x30, tlv(0x02, b'\0' + bytes(range(0x80, 0x100))) +
                                    b'\x02\x03\x01\x00\x01')))
    write('fuzz_spki', 'rsa-1024', rsa)


if __name__ == '__main__':
    main()
