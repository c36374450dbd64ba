# SPDX-License-Identifier: GPL-2.0
"""An independent userspace reference of Kerberos per-message tokens, for
the tests of kmod/pkg_kerberos.c: the key derivation of RFC 3961 (n-fold,
DK) and RFC 8009 (KDF-HMAC-SHA2), the encryption of the AES enctypes 17-20
(AES-CBC-CS3 from python3-cryptography, HMAC from hashlib), and RFC 4121's
MIC and Wrap tokens with any EC and RRC.  Written from the RFCs, sharing no
code with the kernel."""
import hashlib
import hmac
import struct
from functools import reduce
from math import gcd

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

TOK_MIC, TOK_WRAP = 0x0404, 0x0504
SENT_BY_ACCEPTOR, SEALED, ACCEPTOR_SUBKEY = 1, 2, 4
ACCEPTOR_SEAL, ACCEPTOR_SIGN, INITIATOR_SEAL, INITIATOR_SIGN = 22, 23, 24, 25

# etype: (key length, Ki/Kc length, MAC length, hash, RFC 8009)
ENCTYPES = {
    17: (16, 16, 12, hashlib.sha1, False),
    18: (32, 32, 12, hashlib.sha1, False),
    19: (16, 16, 16, hashlib.sha256, True),
    20: (32, 24, 24, hashlib.sha384, True),
}


def _aes(key, data, decrypt=False, mode=None):
    c = Cipher(algorithms.AES(key), mode or modes.CBC(bytes(16)))
    op = c.decryptor() if decrypt else c.encryptor()
    return op.update(data) + op.finalize()


def cts_encrypt(key, p):
    """AES-CBC-CS3 with a zero IV (RFC 3962)."""
    n = len(p)
    assert n >= 16
    if n == 16:
        return _aes(key, p)
    c = _aes(key, p + bytes((-n) % 16))
    nb = len(c) // 16
    last = n - 16 * (nb - 1)
    return c[:16 * (nb - 2)] + c[16 * (nb - 1):] + \
        c[16 * (nb - 2):16 * (nb - 2) + last]


def cts_decrypt(key, c):
    n = len(c)
    assert n >= 16
    if n == 16:
        return _aes(key, c, True)
    nb = (n + 15) // 16
    last = n - 16 * (nb - 1)
    head, cn, part = c[:16 * (nb - 2)], c[16 * (nb - 2):16 * (nb - 1)], \
        c[16 * (nb - 1):]
    x = _aes(key, cn, True, modes.ECB())
    cn1 = part + x[last:]
    pn = bytes(a ^ b for a, b in zip(x[:last], part))
    return _aes(key, head + cn1, True) + pn


def nfold(data, nbytes):
    """RFC 3961 section 5.1."""
    def rotr(b, nbits):
        nb, r = divmod(nbits % (len(b) * 8), 8)
        return bytes(((b[i - nb] >> r) |
                      ((b[i - nb - 1] << (8 - r)) & 0xff)) & 0xff
                     for i in range(len(b)))

    def add(a, b):
        n = len(a)
        v = [x + y for x, y in zip(a, b)]
        while any(x & ~0xff for x in v):
            v = [(v[i - n + 1] >> 8) + (v[i] & 0xff) for i in range(n)]
        return bytes(v)

    lcm = nbytes * len(data) // gcd(nbytes, len(data))
    big = b"".join(rotr(data, 13 * i) for i in range(lcm // len(data)))
    return reduce(add, (big[p:p + nbytes] for p in range(0, lcm, nbytes)))


def derive(etype, base, usage, seed):
    klen, hlen, _, h, rfc8009 = ENCTYPES[etype]
    constant = struct.pack(">I", usage) + bytes([seed])
    out_len = klen if seed == 0xAA else hlen
    if rfc8009:
        msg = struct.pack(">I", 1) + constant + b"\0" + \
            struct.pack(">I", out_len * 8)
        return hmac.new(base, msg, h).digest()[:out_len]
    out, block = b"", nfold(constant, 16)
    while len(out) < out_len:
        block = _aes(base, block, mode=modes.ECB())
        out += block
    return out[:out_len]


class Keys:
    """Ke, Ki, Kc of one key usage."""

    def __init__(self, etype, base, usage):
        self.etype = etype
        self.h = ENCTYPES[etype][3]
        self.mac_len = ENCTYPES[etype][2]
        self.rfc8009 = ENCTYPES[etype][4]
        self.ke = derive(etype, base, usage, 0xAA)
        self.ki = derive(etype, base, usage, 0x55)
        self.kc = derive(etype, base, usage, 0x99)

    def checksum(self, data):
        return hmac.new(self.kc, data, self.h).digest()[:self.mac_len]

    def integrity(self, data):
        return hmac.new(self.ki, data, self.h).digest()[:self.mac_len]


def header(tok_id, flags, seq, ec=0, rrc=0):
    if tok_id == TOK_MIC:
        return struct.pack(">HBB4sQ", tok_id, flags, 0xff, b"\xff" * 4, seq)
    return struct.pack(">HBBHHQ", tok_id, flags, 0xff, ec, rrc, seq)


def rotr(b, n):
    if not b:
        return b
    n %= len(b)
    return b[len(b) - n:] + b[:len(b) - n] if n else b


def rotl(b, n):
    return rotr(b, len(b) - n % len(b)) if b else b


def mic(keys, flags, seq, data):
    hdr = header(TOK_MIC, flags, seq)
    return hdr + keys.checksum(data + hdr)


def wrap(keys, flags, seq, data, sealed=True, ec=0, rrc=0, conf=None,
         readonly=None):
    """A Wrap token; integrity-only ones take EC = the MAC length.
    readonly: a list of (bytes, read_only) pieces making up the message,
    in order; data is then the sealed pieces joined."""
    if not sealed:
        hdr0 = header(TOK_WRAP, flags, seq)
        pieces = readonly or [(data, False)]
        cks = keys.checksum(b"".join(p for p, _ in pieces) + hdr0)
        return header(TOK_WRAP, flags, seq, ec, rrc) + rotr(data + cks, rrc)
    flags |= SEALED
    conf = conf if conf is not None else bytes(range(16))
    inner = header(TOK_WRAP, flags, seq, ec, 0)
    filler = b"\xaa" * ec
    c = cts_encrypt(keys.ke, conf + data + filler + inner)
    pieces = readonly or [(data, False)]
    if keys.rfc8009:
        macin, off = bytes(16) + c[:16], 16
        for p, ro in pieces:
            macin += p if ro else c[off:off + len(p)]
            off += 0 if ro else len(p)
        macin += c[off:]
    else:
        macin = conf + b"".join(p for p, _ in pieces) + filler + inner
    return header(TOK_WRAP, flags, seq, ec, rrc) + \
        rotr(c + keys.integrity(macin), rrc)


class Bad(Exception):
    pass


def unwrap(keys, token, readonly=None):
    """(data, sealed, seq) of a Wrap token; raises Bad."""
    tok_id, flags, ff, ec, rrc, seq = struct.unpack(">HBBHHQ", token[:16])
    if tok_id != TOK_WRAP or ff != 0xff:
        raise Bad("header")
    body = rotl(token[16:], rrc)
    if not flags & SEALED:
        data, cks = body[:-keys.mac_len], body[-keys.mac_len:]
        pieces = readonly or [(data, False)]
        hdr0 = token[:4] + bytes(4) + token[8:16]
        want = keys.checksum(b"".join(p for p, _ in pieces) + hdr0)
        if not hmac.compare_digest(want, cks):
            raise Bad("checksum")
        return data, False, seq
    c, mac = body[:-keys.mac_len], body[-keys.mac_len:]
    p = cts_decrypt(keys.ke, c)
    conf, data = p[:16], p[16:len(p) - ec - 16]
    tail = p[len(p) - ec - 16:]
    if keys.rfc8009:
        want = keys.integrity(bytes(16) + c)
    else:
        want = keys.integrity(conf + data + tail)
    if not hmac.compare_digest(want, mac):
        raise Bad("mac")
    inner = tail[-16:]
    if inner[:6] != token[:6] or inner[6:8] != b"\0\0" or \
            inner[8:] != token[8:16]:
        raise Bad("inner header")
    return data, True, seq
