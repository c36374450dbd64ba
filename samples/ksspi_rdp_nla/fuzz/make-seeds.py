#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the seeds of fuzz_rdp_seq into fuzz/seeds/fuzz_rdp_seq/ (run from
samples/ksspi_rdp_nla): xfreerdp's real sequence (tests/rdp_seq_freerdp.h)
from several starting points.  The first byte of a seed is how many of
those PDUs the target feeds first (bit 4: HYBRID was selected); the rest
are the PDUs that follow, back to back."""
import os
import re

HEADER = "tests/rdp_seq_freerdp.h"
OUT = "fuzz/seeds/fuzz_rdp_seq"


def pdus():
    """The PDUs of the header, in order."""
    src = open(HEADER).read()
    arrays = dict(re.findall(
        r"static const unsigned char freerdp_(\w+)\[\] = \{(.*?)\};", src,
        re.S))
    order = re.findall(r"FREERDP_PDU\((\w+)\),", src)
    return [bytes(int(x, 16) for x in re.findall(r"0x([0-9a-f]{2})",
                                                 arrays[name]))
            for name in order]


def main():
    seq = pdus()
    os.makedirs(OUT, exist_ok=True)
    # from the start, the channel joins, the Client Info, the Confirm
    # Active, each finalization PDU
    for start in (0, 1, 3, 9, 10, 11, 12, 13, 14):
        with open(os.path.join(OUT, "freerdp-%02d" % start), "wb") as f:
            f.write(bytes([start]) + b"".join(seq[start:]))
    with open(os.path.join(OUT, "freerdp-hybrid"), "wb") as f:
        f.write(bytes([0x10]) + b"".join(seq))


if __name__ == "__main__":
    main()
