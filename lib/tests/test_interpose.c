// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The dispatch tables of the shared library point at libksspi's own
 * functions even when a library exporting the same SSPI names (an SSPI
 * emulation such as WinPR) was loaded first: liblookalike.so, whose
 * functions return a poison status.  The program does what such programs
 * do: dlopen("libksspi.so.0"), dlsym("InitSecurityInterfaceA/W"), and from
 * then on the table only.
 *
 *  1. the look-alike dlopen'ed with RTLD_GLOBAL before libksspi;
 *  2. the look-alike in LD_PRELOAD (this program run again as a child);
 *  3. control: the library's objects linked without -Bsymbolic-functions
 *     (libksspi-interposable.so, built for this test only) do end up
 *     calling the look-alike, so the set-up above is a hostile one.
 *
 * No kernel: the device is /dev/null, so every call the library carries
 * out fails with the library's own SEC_E_INTERNAL_ERROR (ENOTTY), which
 * is not the poison.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ksspi/sspi.h>

#include "tap.h"

#define POISON	((SECURITY_STATUS)0x8009DEAD)
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

struct slot {
	const char *name;
	size_t offset;
};

#define SA(m)	{ #m, offsetof(SecurityFunctionTableA, m) },
#define SW(m)	{ #m, offsetof(SecurityFunctionTableW, m) },
#define COMMON(S) \
	S(FreeCredentialsHandle) S(AcceptSecurityContext) \
	S(CompleteAuthToken) S(DeleteSecurityContext) S(ApplyControlToken) \
	S(ImpersonateSecurityContext) S(RevertSecurityContext) \
	S(MakeSignature) S(VerifySignature) S(FreeContextBuffer) \
	S(ExportSecurityContext) S(QuerySecurityContextToken) \
	S(EncryptMessage) S(DecryptMessage)

static const struct slot slots_a[] = {
	COMMON(SA)
	SA(EnumerateSecurityPackagesA) SA(QueryCredentialsAttributesA)
	SA(AcquireCredentialsHandleA) SA(InitializeSecurityContextA)
	SA(QueryContextAttributesA) SA(QuerySecurityPackageInfoA)
	SA(ImportSecurityContextA) SA(AddCredentialsA)
	SA(SetContextAttributesA) SA(SetCredentialsAttributesA)
	SA(ChangeAccountPasswordA) SA(QueryContextAttributesExA)
	SA(QueryCredentialsAttributesExA)
};

static const struct slot slots_w[] = {
	COMMON(SW)
	SW(EnumerateSecurityPackagesW) SW(QueryCredentialsAttributesW)
	SW(AcquireCredentialsHandleW) SW(InitializeSecurityContextW)
	SW(QueryContextAttributesW) SW(QuerySecurityPackageInfoW)
	SW(ImportSecurityContextW) SW(AddCredentialsW)
	SW(SetContextAttributesW) SW(SetCredentialsAttributesW)
	SW(ChangeAccountPasswordW) SW(QueryContextAttributesExW)
	SW(QueryCredentialsAttributesExW)
};

static char dir[PATH_MAX];

/* A file next to this program */
static const char *here(const char *name)
{
	static char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* Slots holding the library's own function, and the look-alike's */
static void count_slots(const void *table, const struct slot *slots,
			size_t n, void *lib, void *look, size_t *own,
			size_t *foreign)
{
	size_t i;

	*own = *foreign = 0;
	for (i = 0; i < n; i++) {
		void *p = *(void *const *)((const char *)table +
					   slots[i].offset);

		*own += p && p == dlsym(lib, slots[i].name);
		*foreign += p && p == dlsym(look, slots[i].name);
	}
}

static unsigned int lookalike_calls(void *look)
{
	unsigned int *calls = dlsym(look, "lookalike_calls");

	return calls ? __atomic_load_n(calls, __ATOMIC_RELAXED) : ~0u;
}

/*
 * Load @libname after the look-alike and check its tables.  @control: the
 * library is the interposable build, and the look-alike must win.
 */
static void check_library(const char *what, const char *libname, void *look,
			  bool control)
{
	static unsigned char user[] = "u", pw[] = "p";
	SEC_WINNT_AUTH_IDENTITY_A id = {
		.User = user, .UserLength = 1, .Password = pw,
		.PasswordLength = 1, .Flags = SEC_WINNT_AUTH_IDENTITY_ANSI,
	};
	INIT_SECURITY_INTERFACE_A init_a;
	INIT_SECURITY_INTERFACE_W init_w;
	PSecurityFunctionTableA a;
	PSecurityFunctionTableW w;
	unsigned char tok[64], data[8] = "data";
	SecBuffer ob = { sizeof(tok), SECBUFFER_TOKEN, tok };
	SecBufferDesc od = { SECBUFFER_VERSION, 1, &ob };
	SecBuffer mb[2] = {
		{ 4, SECBUFFER_DATA, data },
		{ sizeof(tok), SECBUFFER_TOKEN, tok },
	};
	SecBufferDesc md = { SECBUFFER_VERSION, 2, mb };
	CredHandle cred = { 1, 2 };
	CtxtHandle ctx = { 3, 4 };
	SecPkgInfoA *pi = NULL;
	size_t own, foreign;
	unsigned int calls;
	ULONG attr;
	void *lib;

	diag("%s", what);
	ok(dlsym(RTLD_DEFAULT, "AcquireCredentialsHandleA") ==
	   dlsym(look, "AcquireCredentialsHandleA") &&
	   dlsym(RTLD_DEFAULT, "EncryptMessage") ==
	   dlsym(look, "EncryptMessage"),
	   "the look-alike's names come first in the global scope");
	lib = dlopen(here(libname), RTLD_NOW | RTLD_LOCAL);
	if (!ok(lib != NULL, "dlopen %s", libname)) {
		diag("%s", dlerror());
		return;
	}
	init_a = (INIT_SECURITY_INTERFACE_A)dlsym(lib,
						  SECURITY_ENTRYPOINT_ANSIA);
	init_w = (INIT_SECURITY_INTERFACE_W)dlsym(lib,
						  SECURITY_ENTRYPOINT_ANSIW);
	if (!ok(init_a && init_w, "dlsym InitSecurityInterfaceA/W"))
		return;
	a = init_a();
	w = init_w();
	ok(a && w && (void *)a != ((void *(*)(void))(uintptr_t)
				   dlsym(look, "InitSecurityInterfaceA"))(),
	   "the library's tables, not the look-alike's");
	calls = lookalike_calls(look);

	count_slots(a, slots_a, ARRAY_LEN(slots_a), lib, look, &own,
		    &foreign);
	if (control) {
		ok(foreign == ARRAY_LEN(slots_a) && !own,
		   "A: every exported slot is the look-alike's (%zu of %zu)",
		   foreign, ARRAY_LEN(slots_a));
	} else {
		ok(own == ARRAY_LEN(slots_a) && !foreign,
		   "A: every slot is the library's own (%zu of %zu, %zu "
		   "the look-alike's)", own, ARRAY_LEN(slots_a), foreign);
	}
	count_slots(w, slots_w, ARRAY_LEN(slots_w), lib, look, &own,
		    &foreign);
	if (control) {
		ok(foreign == ARRAY_LEN(slots_w) && !own,
		   "W: every exported slot is the look-alike's");
		is(a->QuerySecurityPackageInfoA("NTLM", &pi), POISON,
		   "a call through the table reaches the look-alike");
		ok(lookalike_calls(look) > calls, "  (it counted the call)");
		dlclose(lib);
		return;
	}
	ok(own == ARRAY_LEN(slots_w) && !foreign,
	   "W: every slot is the library's own (%zu of %zu)", own,
	   ARRAY_LEN(slots_w));
	ok(a->Reserved3 == dlsym(lib, "EncryptMessage") &&
	   a->Reserved4 == dlsym(lib, "DecryptMessage"),
	   "Reserved3/4: the library's EncryptMessage/DecryptMessage");

	pi = (SecPkgInfoA *)&pi;
	is(a->QuerySecurityPackageInfoA("NTLM", &pi), SEC_E_INTERNAL_ERROR,
	   "QuerySecurityPackageInfoA: the library's answer (no device)");
	ok(pi == (SecPkgInfoA *)&pi, "  *ppPackageInfo untouched");
	is(a->AcquireCredentialsHandleA(NULL, "NTLM", SECPKG_CRED_OUTBOUND,
					NULL, &id, NULL, NULL, &cred, NULL),
	   SEC_E_INTERNAL_ERROR, "AcquireCredentialsHandleA");
	is(w->AcquireCredentialsHandleW(NULL, u"NTLM", SECPKG_CRED_OUTBOUND,
					NULL, NULL, NULL, NULL, &cred, NULL),
	   SEC_E_INTERNAL_ERROR, "AcquireCredentialsHandleW");
	is(a->InitializeSecurityContextA(&cred, NULL, "t", 0, 0, 0, NULL, 0,
					 &ctx, &od, &attr, NULL),
	   SEC_E_INTERNAL_ERROR, "InitializeSecurityContextA");
	is(a->EncryptMessage(&ctx, 0, &md, 0), SEC_E_INTERNAL_ERROR,
	   "EncryptMessage");
	is(((ENCRYPT_MESSAGE_FN)(uintptr_t)a->Reserved3)(&ctx, 0, &md, 0),
	   SEC_E_INTERNAL_ERROR, "Reserved3 (EncryptMessage)");
	is(w->DecryptMessage(&ctx, &md, 0, NULL), SEC_E_INTERNAL_ERROR,
	   "DecryptMessage");
	is(a->ImpersonateSecurityContext(&ctx), SEC_E_UNSUPPORTED_FUNCTION,
	   "ImpersonateSecurityContext: SEC_E_UNSUPPORTED_FUNCTION");
	is(((SECURITY_STATUS (*)(void))(uintptr_t)w->Reserved8)(),
	   SEC_E_UNSUPPORTED_FUNCTION, "Reserved8");
	is(a->FreeContextBuffer(NULL), SEC_E_OK, "FreeContextBuffer(NULL)");
	is(w->FreeCredentialsHandle(&cred), SEC_E_INTERNAL_ERROR,
	   "FreeCredentialsHandle");
	is(lookalike_calls(look), calls, "the look-alike was never called");
}

/* Run 2: this program with the look-alike in LD_PRELOAD */
static int child(void)
{
	void *look = dlopen(here("liblookalike.so"), RTLD_NOW | RTLD_NOLOAD);

	if (!ok(look != NULL, "the look-alike is preloaded"))
		return tap_done();
	check_library("LD_PRELOAD=liblookalike.so", "../libksspi.so.0", look,
		      false);
	return tap_done();
}

/* Passes the child's TAP lines on as our own results */
static void run_child(const char *self)
{
	char line[512], env[PATH_MAX + 64];
	const char *asan = getenv("ASAN_OPTIONS");
	char asan_env[1024];
	int fds[2], status, results = 0;
	FILE *in;
	pid_t pid;

	snprintf(env, sizeof(env), "%s", here("liblookalike.so"));
	/* ASan wants to come first; the preload is the point here */
	snprintf(asan_env, sizeof(asan_env), "%s%sverify_asan_link_order=0",
		 asan ? asan : "", asan ? ":" : "");
	if (pipe(fds)) {
		ok(0, "pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		setenv("LD_PRELOAD", env, 1);
		setenv("ASAN_OPTIONS", asan_env, 1);
		execl(self, self, "--child", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	while (in && fgets(line, sizeof(line), in)) {
		char *name = strstr(line, " - ");

		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "# ", 2)) {
			diag("  %s", line + 2);
		} else if (name && (!strncmp(line, "ok ", 3) ||
				    !strncmp(line, "not ok ", 7))) {
			ok(line[0] == 'o', "preload: %s", name + 3);
			results++;
		}
	}
	if (in)
		fclose(in);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && results >= 15,
	   "the preloaded run ended well (%d results)", results);
}

int main(int argc, char **argv)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	void *look;

	if (n <= 0)
		return 1;
	self[n] = 0;
	snprintf(dir, sizeof(dir), "%s", self);
	*strrchr(dir, '/') = 0;
	/* no kernel: every call the library carries out gets ENOTTY */
	setenv("KSSPI_DEVICE", "/dev/null", 1);

	if (argc > 1 && !strcmp(argv[1], "--child"))
		return child();

	look = dlopen(here("liblookalike.so"), RTLD_NOW | RTLD_GLOBAL);
	if (!ok(look != NULL, "dlopen liblookalike.so, RTLD_GLOBAL")) {
		diag("%s", dlerror());
		return tap_done();
	}
	check_library("look-alike dlopen'ed with RTLD_GLOBAL first",
		      "../libksspi.so.0", look, false);
	check_library("control: the library linked without "
		      "-Bsymbolic-functions", "libksspi-interposable.so",
		      look, true);
	run_child(self);
	return tap_done();
}
