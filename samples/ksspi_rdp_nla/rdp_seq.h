/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The server side of the RDP connection sequence after Network Level
 * Authentication (MS-RDPBCGR 1.3.1.1), as far as activation: the MCS
 * Connect Initial with its GCC Conference Create Request and client data
 * blocks, answered by the MCS Connect Response; Erect Domain, Attach User
 * and the Channel Joins; the Client Info PDU, answered by a licensing
 * "valid client" and the Demand Active PDU; the Confirm Active PDU; the
 * client's Synchronize, Control and Font List PDUs, answered by the
 * server's Synchronize, Control Cooperate, Control Granted and Font Map.
 * Then the connection is active, and rdp_seq_build_close() ends it.
 *
 * Pure: no I/O, no allocation, no global state.  The in-kernel front door
 * (ksspi_rdp_nla.ko) and its userspace twin feed it one TPKT at a time
 * and send what it answers; the unit test and the fuzz target drive it
 * the same way.  Every length in the input is checked before it is used:
 * the input is what a remote client sent.
 */
#ifndef _RDP_SEQ_H
#define _RDP_SEQ_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#endif

/* The largest TPKT a front door takes from a client during the sequence */
#define RDP_SEQ_MAX_PDU			8192
/* The most bytes rdp_seq_input() or rdp_seq_build_close() can answer */
#define RDP_SEQ_MAX_OUT			1024
/* Static virtual channels in a client's network data (MS-RDPBCGR 2.2.1.3.4) */
#define RDP_SEQ_MAX_CHANNELS		31
/*
 * TPKTs a client may send before activation: FreeRDP sends 11 and one
 * Channel Join per static channel; more is someone holding the server.
 */
#define RDP_SEQ_MAX_INPUTS		128
/* The Client Info PDU's "DOMAIN\user", UTF-8 and NUL-terminated */
#define RDP_SEQ_MAX_NAME		256

/* MCS channels: the server's user ID, the I/O channel, the first static one */
#define RDP_SERVER_CHANNEL_ID		1002
#define RDP_IO_CHANNEL_ID		1003
#define RDP_FIRST_STATIC_CHANNEL_ID	1004

/* struct rdp_seq's finalization: the client's PDUs of the last phase */
#define RDP_SEQ_FIN_SYNCHRONIZE		0x1
#define RDP_SEQ_FIN_COOPERATE		0x2
#define RDP_SEQ_FIN_REQUEST_CONTROL	0x4
#define RDP_SEQ_FIN_FONT_LIST		0x8

/* Set Error Info PDU codes (MS-RDPBCGR 2.2.5.1.1) sent by the front doors */
#define RDP_ERRINFO_LOGOFF_BY_USER	0x0000000Cu

/**
 * enum rdp_seq_state - what the server waits for next
 * @RDP_SEQ_MCS_CONNECT: the MCS Connect Initial
 * @RDP_SEQ_ERECT_DOMAIN: the MCS Erect Domain Request
 * @RDP_SEQ_ATTACH_USER: the MCS Attach User Request
 * @RDP_SEQ_CHANNEL_JOIN: Channel Join Requests, until every channel is
 *	joined (the client's user channel, the I/O channel and each static
 *	channel)
 * @RDP_SEQ_CLIENT_INFO: the Client Info PDU
 * @RDP_SEQ_CONFIRM_ACTIVE: the Confirm Active PDU
 * @RDP_SEQ_FINALIZATION: the client's Synchronize, Control Cooperate,
 *	Control Request Control and Font List PDUs
 * @RDP_SEQ_ACTIVE: nothing: the connection is active
 * @RDP_SEQ_STATES: their number
 */
enum rdp_seq_state {
	RDP_SEQ_MCS_CONNECT,
	RDP_SEQ_ERECT_DOMAIN,
	RDP_SEQ_ATTACH_USER,
	RDP_SEQ_CHANNEL_JOIN,
	RDP_SEQ_CLIENT_INFO,
	RDP_SEQ_CONFIRM_ACTIVE,
	RDP_SEQ_FINALIZATION,
	RDP_SEQ_ACTIVE,
	RDP_SEQ_STATES
};

/**
 * enum rdp_seq_error - why the sequence stopped before activation
 * @RDP_SEQ_OK: it did not
 * @RDP_SEQ_MALFORMED: a PDU that does not parse
 * @RDP_SEQ_UNEXPECTED: a valid PDU the server does not expect now
 * @RDP_SEQ_UNSUPPORTED: something the front doors do not do (standard RDP
 *	encryption, compression, fragmented MCS data, a channel they did not
 *	offer, domain parameters they cannot accept)
 * @RDP_SEQ_DISCONNECTED: the client sent a Disconnect Provider Ultimatum
 *	or an X.224 Disconnect Request
 * @RDP_SEQ_NO_ROOM: the answer does not fit the output buffer (a caller's
 *	bug: RDP_SEQ_MAX_OUT is always enough)
 * @RDP_SEQ_ERRORS: their number
 */
enum rdp_seq_error {
	RDP_SEQ_OK,
	RDP_SEQ_MALFORMED,
	RDP_SEQ_UNEXPECTED,
	RDP_SEQ_UNSUPPORTED,
	RDP_SEQ_DISCONNECTED,
	RDP_SEQ_NO_ROOM,
	RDP_SEQ_ERRORS
};

/**
 * struct rdp_seq - one connection's progress through the sequence
 * @state: what the server waits for
 * @error: why it stopped (RDP_SEQ_OK while it goes on)
 * @why: with @error, which check failed: a constant string for the log
 * @requested_protocols: the X.224 request's requestedProtocols, echoed in
 *	the server core data
 * @selected_protocol: what the Connection Confirm selected; the client
 *	core data must say the same
 * @client_version: the client core data's RDP version
 * @desktop_width: its desktop width, echoed in the bitmap capability set
 * @desktop_height: its desktop height, likewise
 * @color_depth: the colour depth it asked for, likewise
 * @early_capability_flags: its earlyCapabilityFlags (whether it takes a
 *	Set Error Info PDU)
 * @nchannels: static virtual channels it asked for
 * @user_id: the MCS user ID given to it (its user channel)
 * @joined: channels joined: [0] its user channel, [1] the I/O channel,
 *	[2 + i] static channel i
 * @max_mcspdu_size: the domain parameters' maxMCSPDUsize, as agreed
 * @finalization: the client's finalization PDUs seen (RDP_SEQ_FIN_*)
 * @capability_sets: how many capability sets its Confirm Active carried
 * @inputs: TPKTs taken so far (a client gets RDP_SEQ_MAX_INPUTS)
 * @info_flags: the Client Info PDU's flags
 * @info_user: the Client Info PDU's user, "DOMAIN\user" (or "user" with
 *	an empty domain), UTF-8 with control characters as '?'; empty until
 *	then.  It is what the client says, not who authenticated.
 */
struct rdp_seq {
	enum rdp_seq_state state;
	enum rdp_seq_error error;
	const char *why;
	unsigned int requested_protocols;
	unsigned int selected_protocol;
	unsigned int client_version;
	unsigned short desktop_width;
	unsigned short desktop_height;
	unsigned short color_depth;
	unsigned short early_capability_flags;
	unsigned int nchannels;
	unsigned int user_id;
	bool joined[2 + RDP_SEQ_MAX_CHANNELS];
	unsigned int max_mcspdu_size;
	unsigned int finalization;
	unsigned int capability_sets;
	unsigned int inputs;
	unsigned int info_flags;
	char info_user[RDP_SEQ_MAX_NAME];
};

void rdp_seq_init(struct rdp_seq *seq, unsigned int requested_protocols,
		  unsigned int selected_protocol);
bool rdp_seq_starts(const unsigned char *pkt, size_t len);
int rdp_seq_input(struct rdp_seq *seq, const unsigned char *pkt, size_t len,
		  unsigned char *out, size_t cap);
int rdp_seq_build_close(const struct rdp_seq *seq, unsigned int errinfo,
			unsigned char *out, size_t cap);
bool rdp_seq_same_user(const char *authenticated, const char *claimed);
const char *rdp_seq_state_name(enum rdp_seq_state state);
const char *rdp_seq_error_name(enum rdp_seq_error error);

#endif /* _RDP_SEQ_H */
