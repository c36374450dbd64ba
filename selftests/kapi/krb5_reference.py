#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# The userspace reference behind the enctype 17 and 18 encryption and
# checksum vectors of ksspi_kapi_test.c (Documentation/kerberos-crypto.rst):
# AES-CBC-CS3 and HMAC from python3-cryptography and hashlib.  It first
# reproduces RFC 3962 appendix B and one RFC 8009 appendix A vector, then
# prints the 17/18 vectors.  Ke, Ki and Kc of key usage 2 come from
# "openssl kdf ... KRB5KDF" on the RFC 3962 keys.  Not run by the tests.
import hmac, hashlib
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
def cbc(key, data):
    e = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
    return e.update(data) + e.finalize()
def cts(key, p):
    n = len(p)
    if n == 16: return cbc(key, p)
    pad = (-n) % 16
    c = cbc(key, p + bytes(pad))
    nb = len(c) // 16
    last = n - 16 * (nb - 1)
    return c[:16*(nb-2)] + c[16*(nb-1):] + c[16*(nb-2):16*(nb-2)+last]
h = bytes.fromhex
k = b"chicken teriyaki"
p = b"I would like the General Gau's Chicken, please, and wonton soup."
for n, exp in ((17,"c6353568f2bf8cb4d8a580362da7ff7f97"),(31,"fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5"),(64,"97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a84807efe836ee89a526730dbc2f7bc8409dad8bbb96c4cdc03bc103e1a194bbd8")):
    assert cts(k, p[:n]).hex() == exp, n
# RFC 8009 check of the same CTS and HMAC code
ke=h("9B197DD1E8C5609D6E67C3E37C62C72E"); ki=h("9FDA0E56AB2D85E1569A688696C26A6C")
c = cts(ke, h("A7A4E29A4728CE10664FB64E49AD3FAC")+h("000102030405060708090A0B0C0D0E0F1011121314"))
m = hmac.new(ki, bytes(16)+c, hashlib.sha256).digest()[:16]
assert (c+m).hex().upper() == "720F73B18D9859CD6CCB4346115CD336C70F58EDC0C4437C5573544C31C813BCE1E6D072C186B39A413C2F92CA9B8334A287FFCBFC"
# 17 and 18, usage 2 keys of the RFC 3962 base keys (derived by OpenSSL KRB5KDF)
for name, ke, ki, kc in (("17", "5B14FC4E250E14DDF9DCCF1AF6674F53", "4ED31063621684F09AE8D89991AF3E8F", "34280A382BC92769B2DA2F9EF066854B"),
                      ("18", "C7CFD9CD75FE793A586A542D87E0D1396F1134A104BB1A9190B8C90ADA3DDF37", "97151B4C76945063E2EB0529DC067D97D7BBA90776D8126D91F34F3101AEA8BA", "BFAB388BDCB238E9F9C98D6A878304F04D30C82556375AC507A7A852790F4674")):
    for conf, plain in ((h("7E5895EAF2672435BAD817F545A37148"), b""), (h("A7A4E29A4728CE10664FB64E49AD3FAC"), h("000102030405060708090A0B0C0D0E0F1011121314"))):
        pt = conf + plain
        m = hmac.new(h(ki), pt, hashlib.sha1).digest()[:12]
        print(name, "enc", len(plain), (cts(h(ke), pt) + m).hex())
    print(name, "mic", hmac.new(h(kc), h("000102030405060708090A0B0C0D0E0F1011121314"), hashlib.sha1).digest()[:12].hex())
