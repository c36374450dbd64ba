# SPDX-License-Identifier: GPL-2.0
"""NTLM messages (MS-NLMP 2.2) taken apart and put together, for the
hostile-input test: field descriptors, AV pair lists, and a small NTLMv2
client (3.1.5.1.2, 3.3.2) that answers a CHALLENGE with an AUTHENTICATE
whose every part the caller may choose, so that a well-formed but unusual
message still carries a valid NTProofStr and MIC.

Independent of the helper's code: hashes from hashlib/hmac, MD4 and RC4
from pycryptodome (python3-impacket's dependency).
"""
import hashlib
import hmac
import os
import struct
import time

from Cryptodome.Cipher import ARC4

SIGNATURE = b"NTLMSSP\0"

# NegotiateFlags
UNICODE = 0x00000001
OEM = 0x00000002
REQUEST_TARGET = 0x00000004
SIGN = 0x00000010
SEAL = 0x00000020
NTLM = 0x00000200
ALWAYS_SIGN = 0x00008000
ESS = 0x00080000
IDENTIFY = 0x00100000
TARGET_INFO = 0x00800000
VERSION = 0x02000000
F128 = 0x20000000
KEY_EXCH = 0x40000000
F56 = 0x80000000

# AvId
AV_EOL, AV_NB_COMPUTER, AV_NB_DOMAIN, AV_DNS_COMPUTER, AV_DNS_DOMAIN = \
    0, 1, 2, 3, 4
AV_FLAGS, AV_TIMESTAMP, AV_SINGLE_HOST, AV_TARGET_NAME, AV_CB = \
    6, 7, 8, 9, 10
AV_FLAG_MIC = 0x2

OUR_VERSION = bytes([10, 0]) + struct.pack("<H", 17763) + b"\0\0\0\x0f"


def hmac_md5(key, data):
    return hmac.new(key, data, hashlib.md5).digest()


def nt_hash(password):
    """MD4(UTF-16LE(password)), through pycryptodome: Python's hashlib has
    no MD4 under OpenSSL 3."""
    from Cryptodome.Hash import MD4
    h = MD4.new()
    h.update(password.encode("utf-16-le"))
    return h.digest()


def field(msg, at):
    """(Len, Offset) of the field descriptor at @at."""
    ln, _, off = struct.unpack_from("<HHI", msg, at)
    return ln, off


def field_data(msg, at):
    ln, off = field(msg, at)
    return msg[off:off + ln]


def av_list(pairs, eol=True):
    """pairs: [(AvId, bytes)] -> an AV pair list."""
    out = b"".join(struct.pack("<HH", i, len(v)) + v for i, v in pairs)
    return out + (struct.pack("<HH", AV_EOL, 0) if eol else b"")


def av_parse(data):
    """[(AvId, bytes)] up to MsvAvEOL (which is not listed)."""
    out, pos = [], 0
    while pos + 4 <= len(data):
        i, ln = struct.unpack_from("<HH", data, pos)
        if i == AV_EOL:
            break
        out.append((i, data[pos + 4:pos + 4 + ln]))
        pos += 4 + ln
    return out


def challenge(flags, server_challenge, target_name, target_info,
              version=OUR_VERSION):
    """A CHALLENGE_MESSAGE with the payload right after the 56-byte header."""
    hdr = 56
    m = SIGNATURE + struct.pack("<I", 2)
    m += struct.pack("<HHI", len(target_name), len(target_name), hdr)
    m += struct.pack("<I", flags) + server_challenge + bytes(8)
    m += struct.pack("<HHI", len(target_info), len(target_info),
                     hdr + len(target_name))
    m += version
    return m + target_name + target_info


class Challenge:
    def __init__(self, msg):
        self.msg = msg
        self.flags = struct.unpack_from("<I", msg, 20)[0]
        self.server_challenge = msg[24:32]
        self.target_name = field_data(msg, 12)
        self.target_info = field_data(msg, 40)
        self.av = av_parse(self.target_info)

    def rebuilt(self, av=None, flags=None, target_info=None):
        """The same CHALLENGE with other AV pairs, flags or raw info."""
        if target_info is None:
            target_info = av_list(self.av if av is None else av)
        return challenge(self.flags if flags is None else flags,
                         self.server_challenge, self.target_name,
                         target_info)


def authenticate(negotiate, chal, user, domain, password, workstation="WKS",
                 client_av=None, extra_av=(), mic=True, announce_mic=None,
                 version=True, key_exch=True, tamper=None, mic_at=72,
                 oem=False, flags_add=0, flags_drop=0):
    """An NTLMv2 AUTHENTICATE_MESSAGE answering @chal (a Challenge).

    client_av: the AV pairs of the NTLMv2 blob (default: the server's, then
    MsvAvFlags with "MIC present" when @announce_mic, which defaults to
    @mic) followed by @extra_av.  @mic: the message has a MIC field, filled
    in, at @mic_at: 72, after the VERSION field, which is there (zero and
    NEGOTIATE_VERSION clear without @version) whenever the MIC is, as
    MS-NLMP 2.2.1.3, Windows and Samba lay it out; or 64, the wrong layout
    of a client that drops the VERSION field.  tamper(bytes) -> bytes, if
    given, alters the blob before the proof is computed.  @oem: the names
    in code page 437 and the OEM flag instead of UNICODE.  The flags are
    the CHALLENGE's (those a client may echo) with @flags_add and without
    @flags_drop.  Returns (message, ExportedSessionKey)."""
    if announce_mic is None:
        announce_mic = mic
    flags = (chal.flags & (UNICODE | SIGN | SEAL | NTLM | ALWAYS_SIGN | ESS |
                           TARGET_INFO | F128 | F56 |
                           (KEY_EXCH if key_exch else 0)))
    if version:
        flags |= VERSION
    if oem:
        flags = (flags & ~UNICODE) | OEM
    flags = (flags | flags_add) & ~flags_drop
    ntowfv2 = hmac_md5(nt_hash(password),
                       (user.upper() + domain).encode("utf-16-le"))
    if client_av is None:
        client_av = [(i, v) for i, v in chal.av if i != AV_FLAGS]
        if announce_mic:
            client_av.append((AV_FLAGS, struct.pack("<I", AV_FLAG_MIC)))
    client_av = list(client_av) + list(extra_av)
    ts = dict(chal.av).get(AV_TIMESTAMP, bytes(8))
    blob = b"\x01\x01" + bytes(6) + ts + os.urandom(8) + bytes(4) + \
        av_list(client_av) + bytes(4)
    if tamper:
        blob = tamper(blob)
    proof = hmac_md5(ntowfv2, chal.server_challenge + blob)
    base_key = hmac_md5(ntowfv2, proof)
    if flags & KEY_EXCH:
        exported = os.urandom(16)
        enc_key = ARC4.new(base_key).encrypt(exported)
    else:
        exported, enc_key = base_key, b""
    charset = "cp437" if oem else "utf-16-le"
    payload = [bytes(24), proof + blob, domain.encode(charset),
               user.encode(charset), workstation.encode(charset), enc_key]
    # the fixed part: up to the flags, then VERSION and the MIC if present
    version_field = version or (mic and mic_at == 72)
    hdr = 64 + (8 if version_field else 0) + (16 if mic else 0)
    fields, off = b"", hdr
    for p in payload:
        fields += struct.pack("<HHI", len(p), len(p), off)
        off += len(p)
    m = SIGNATURE + struct.pack("<I", 3) + fields + struct.pack("<I", flags)
    m += (OUR_VERSION if version else bytes(8) if version_field else b"")
    m += bytes(16) if mic else b""
    m += b"".join(payload)
    if mic:
        val = hmac_md5(exported, negotiate + chal.msg + m)
        m = m[:mic_at] + val + m[mic_at + 16:]
    return m, exported


# --- the server's side, for a ksspi client -------------------------------
def filetime_now():
    return struct.pack("<Q", int((time.time() + 11644473600) * 10000000))


def server_challenge(negotiate, oem=True, flags_drop=0, domain="TESTDOM",
                     computer="PYSRV"):
    """A CHALLENGE answering @negotiate as a server would: the flags it
    asked for that a server grants, in OEM (TargetName in code page 437)
    or Unicode, less @flags_drop; target info with the NetBIOS names and
    a timestamp."""
    neg_flags = struct.unpack_from("<I", negotiate, 12)[0]
    flags = (OEM if oem else UNICODE) | NTLM | TARGET_INFO | \
        (neg_flags & (REQUEST_TARGET | SIGN | SEAL | ALWAYS_SIGN | ESS |
                      VERSION | F128 | F56 | KEY_EXCH))
    flags &= ~flags_drop
    info = av_list([(AV_NB_DOMAIN, domain.encode("utf-16-le")),
                    (AV_NB_COMPUTER, computer.encode("utf-16-le")),
                    (AV_TIMESTAMP, filetime_now())])
    name = domain.encode("cp437" if oem else "utf-16-le")
    return challenge(flags, os.urandom(8), name, info)


def check_authenticate(negotiate, chal_msg, auth, user, domain, password):
    """Checks an AUTHENTICATE as a server would, independently of ksspi:
    the names in the CHALLENGE's character set, the NTProofStr, the MIC (at
    72) when announced.  Returns (flags, ExportedSessionKey); raises
    AssertionError."""
    chal = Challenge(chal_msg)
    charset = "utf-16-le" if chal.flags & UNICODE else "cp437"
    flags = struct.unpack_from("<I", auth, 60)[0]
    got = (field_data(auth, 28), field_data(auth, 36))
    want = (domain.encode(charset), user.encode(charset))
    if got != want:
        raise AssertionError("names %r, want %r (%s)" % (got, want, charset))
    nt = field_data(auth, 20)
    proof, blob = nt[:16], nt[16:]
    ntowfv2 = hmac_md5(nt_hash(password),
                       (user.upper() + domain).encode("utf-16-le"))
    if hmac_md5(ntowfv2, chal.server_challenge + blob) != proof:
        raise AssertionError("the NTProofStr does not verify")
    kxkey = hmac_md5(ntowfv2, proof)
    if flags & KEY_EXCH and flags & (SIGN | SEAL):
        exported = ARC4.new(kxkey).decrypt(field_data(auth, 52))
    else:
        exported = kxkey
    av_flags = dict(av_parse(blob[28:])).get(AV_FLAGS, bytes(4))
    if struct.unpack("<I", av_flags)[0] & AV_FLAG_MIC:
        zeroed = auth[:72] + bytes(16) + auth[88:]
        if hmac_md5(exported, negotiate + chal_msg + zeroed) != auth[72:88]:
            raise AssertionError("the MIC at 72 does not verify")
    return flags, exported
