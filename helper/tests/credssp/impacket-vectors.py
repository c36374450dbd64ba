#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Prints the CredSSP messages impacket's rdp_check.py would send, as hex,
for tests/test_tsrequest.c: its TSRequest (version 2) and TSCredentials
classes fed with fixed inputs.  Run with /usr/bin/python3 (python3-impacket);
the output is pasted into the test, which checks our encoder and decoder
against it byte for byte."""
import importlib.util
import sys

from impacket import ntlm

EXAMPLE = '/usr/share/doc/python3-impacket/examples/rdp_check.py'


def load_rdp_check():
    spec = importlib.util.spec_from_file_location('rdp_check', EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def show(name, data):
    print(f'{name} {data.hex()}')


def main():
    rdp = load_rdp_check()

    # First leg: an NTLM NEGOTIATE in negoTokens, as rdp_check sends it.
    negotiate = ntlm.getNTLMSSPType1('', '', signingRequired=True)
    req = rdp.TSRequest()
    req['NegoData'] = negotiate.getData()
    show('impacket_negotiate', req.getData())

    # Third leg: negoTokens and pubKeyAuth (fixed stand-in bytes).
    req = rdp.TSRequest()
    req['NegoData'] = bytes(range(0x40)) * 3      # 192 bytes: 0x81 lengths
    req['pubKeyAuth'] = bytes(range(0x10, 0x10 + 0x30))
    show('impacket_auth', req.getData())

    # Fourth leg: authInfo large enough for two-octet lengths.
    req = rdp.TSRequest()
    req['authInfo'] = bytes((i * 7) & 0xff for i in range(300))
    show('impacket_authinfo', req.getData())

    # TSCredentials holding TSPasswordCreds
    creds = rdp.TSPasswordCreds()
    creds['domainName'] = 'TESTDOM'
    creds['userName'] = 'alice'
    creds['password'] = 'Passw0rd!'
    tscreds = rdp.TSCredentials()
    tscreds['credType'] = 1
    tscreds['credentials'] = creds.getData()
    show('impacket_credentials', tscreds.getData())
    return 0


if __name__ == '__main__':
    sys.exit(main())
