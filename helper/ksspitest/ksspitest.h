/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "KsspiTest": a test-only package with a three-token handshake
 * (Documentation/test-package.rst), offered by the kernel module when it is
 * loaded with test_package=1.
 */
#ifndef KSSPID_PKG_TEST_H
#define KSSPID_PKG_TEST_H

#include "package.h"

#define KTST_PACKAGE_NAME	"KsspiTest"
#define KTST_MAGIC		"KTST"
#define KTST_MAGIC_LEN		4
#define KTST_HEADER_LEN		5	/* magic, type */
#define KTST_NONCE_LEN		16
#define KTST_KEY_LEN		32	/* HMAC-SHA256 output */

/* Token types */
#define KTST_HELLO		1	/* client: nonce_c, payload */
#define KTST_CHALLENGE		2	/* server: nonce_s, payload echoed */
#define KTST_PROOF		3	/* client: user, HMAC proof */
#define KTST_ERROR		4	/* server: le32 status of a failed leg */

/* Lifetime of an established context */
#define KTST_CONTEXT_LIFETIME	36000	/* seconds */

extern const struct package pkg_test;

#endif /* KSSPID_PKG_TEST_H */
