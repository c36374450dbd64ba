// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The device: what every call returns when /dev/ksspi cannot be opened, and
 * when the file opened is not the ksspi device.  Linked without the mock:
 * the real ioctl runs.  Each case runs in a child process, since the device
 * is opened once per process.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "tap.h"

struct results {
	SECURITY_STATUS query, enumerate, acquire, isc, del, attr, sign,
			import, free_cred;
	int threads_agree;
};

static void *first_use(void *arg)
{
	*(int *)arg = ksspi_priv_device_fd();
	return NULL;
}

static void run(struct results *r)
{
	CredHandle cred = { 1, 1 };
	CtxtHandle ctx = { 1, 1 };
	SecPkgContext_Sizes sizes;
	SecBufferDesc desc = { 0, 0, NULL };
	SecBuffer blob = { 0, 0, NULL };
	SecPkgInfoA *pi;
	pthread_t t[8];
	int fd[8], i;
	ULONG n;

	for (i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, first_use, &fd[i]);
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	r->threads_agree = 1;
	for (i = 1; i < 8; i++)
		if (fd[i] != fd[0])
			r->threads_agree = 0;

	r->query = QuerySecurityPackageInfoA("NTLM", &pi);
	r->enumerate = EnumerateSecurityPackagesA(&n, &pi);
	r->acquire = AcquireCredentialsHandleA(NULL, "NTLM",
					       SECPKG_CRED_OUTBOUND, NULL, NULL,
					       NULL, NULL, &cred, NULL);
	r->isc = InitializeSecurityContextA(&cred, NULL, "t", 0, 0, 0, NULL,
					    0, &ctx, NULL, NULL, NULL);
	r->del = DeleteSecurityContext(&ctx);
	r->attr = QueryContextAttributesA(&ctx, SECPKG_ATTR_SIZES, &sizes);
	r->sign = MakeSignature(&ctx, 0, &desc, 0);
	r->import = ImportSecurityContextA("NTLM", &blob, NULL, &ctx);
	r->free_cred = FreeCredentialsHandle(&cred);
}

static int in_child(const char *device, struct results *r)
{
	int p[2], status;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		struct results mine;

		close(p[0]);
		if (device)
			setenv("KSSPI_DEVICE", device, 1);
		else
			unsetenv("KSSPI_DEVICE");
		memset(&mine, 0, sizeof(mine));
		run(&mine);
		if (write(p[1], &mine, sizeof(mine)) != sizeof(mine))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], r, sizeof(*r)) != sizeof(*r))
		return -1;
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

int main(void)
{
	struct results r;

	diag("no device (KSSPI_DEVICE=/nonexistent/ksspi)");
	ok(in_child("/nonexistent/ksspi", &r) == 0, "child ran");
	is(r.query, SEC_E_SECPKG_NOT_FOUND,
	   "QuerySecurityPackageInfo: SEC_E_SECPKG_NOT_FOUND");
	is(r.enumerate, SEC_E_SECPKG_NOT_FOUND,
	   "EnumerateSecurityPackages: SEC_E_SECPKG_NOT_FOUND");
	is(r.acquire, SEC_E_INTERNAL_ERROR,
	   "AcquireCredentialsHandle: SEC_E_INTERNAL_ERROR");
	is(r.isc, SEC_E_INTERNAL_ERROR,
	   "InitializeSecurityContext: SEC_E_INTERNAL_ERROR");
	is(r.del, SEC_E_INTERNAL_ERROR,
	   "DeleteSecurityContext: SEC_E_INTERNAL_ERROR");
	is(r.attr, SEC_E_INTERNAL_ERROR,
	   "QueryContextAttributes: SEC_E_INTERNAL_ERROR");
	is(r.sign, SEC_E_INTERNAL_ERROR, "MakeSignature: SEC_E_INTERNAL_ERROR");
	is(r.import, SEC_E_INTERNAL_ERROR,
	   "ImportSecurityContext: SEC_E_INTERNAL_ERROR");
	is(r.free_cred, SEC_E_INTERNAL_ERROR,
	   "FreeCredentialsHandle: SEC_E_INTERNAL_ERROR");
	ok(r.threads_agree, "concurrent first use: one open, one answer");

	diag("not the ksspi device (KSSPI_DEVICE=/dev/null: ENOTTY)");
	ok(in_child("/dev/null", &r) == 0, "child ran");
	is(r.query, SEC_E_INTERNAL_ERROR,
	   "QuerySecurityPackageInfo: SEC_E_INTERNAL_ERROR (ioctl refused)");
	is(r.acquire, SEC_E_INTERNAL_ERROR,
	   "AcquireCredentialsHandle: SEC_E_INTERNAL_ERROR");
	is(r.attr, SEC_E_INTERNAL_ERROR,
	   "QueryContextAttributes: SEC_E_INTERNAL_ERROR");
	ok(r.threads_agree, "concurrent first use agrees");

	if (access("/dev/ksspi", F_OK)) {
		diag("default path (/dev/ksspi absent here)");
		ok(in_child(NULL, &r) == 0, "child ran");
		is(r.query, SEC_E_SECPKG_NOT_FOUND,
		   "default device missing: SEC_E_SECPKG_NOT_FOUND");
	} else {
		diag("/dev/ksspi exists: default-path case skipped");
		ok(1, "# SKIP /dev/ksspi present");
		ok(1, "# SKIP /dev/ksspi present");
	}
	return tap_done();
}
