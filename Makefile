# SPDX-License-Identifier: GPL-2.0
#
# ksspi top-level build.  `make` builds the module (out of tree), the helper
# daemon, libksspi, the tools and the selftests.  KDIR overrides the kernel
# build tree; by default the running kernel's, else the newest installed one.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
export TOP

KVER ?= $(shell uname -r)
KDIR ?= $(firstword $(wildcard /lib/modules/$(KVER)/build) \
	  $(lastword $(sort $(wildcard /lib/modules/*/build))))
export KDIR

USER_DIRS := helper lib tools selftests samples/ksspi_echo samples/ksspi_rdp_nla

.PHONY: all kmod modules user $(USER_DIRS) clean check-kmod sparse checkpatch \
	sanitize fuzz bench demo test

all: kmod user

kmod modules:
	@test -n "$(KDIR)" || { echo "no kernel build tree: install linux-headers or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) W=1 modules

user: $(USER_DIRS)

helper lib:
	$(MAKE) -C $@

tools selftests samples/ksspi_echo samples/ksspi_rdp_nla: lib
	$(MAKE) -C $@

# selftests build a program from the helper's objects (credssp-peer)
selftests: helper

# Static checks of the kernel code
sparse:
	$(MAKE) -C $(KDIR) M=$(TOP) C=2 modules

checkpatch:
	@$(TOP)/tools/checkpatch.sh

check-kmod: sparse checkpatch

# Userspace under AddressSanitizer and UndefinedBehaviorSanitizer
sanitize:
	$(MAKE) SANITIZE=1 -C helper
	$(MAKE) SANITIZE=1 -C lib
	$(MAKE) SANITIZE=1 -C tools
	$(MAKE) SANITIZE=1 -C selftests
	$(MAKE) SANITIZE=1 -C samples/ksspi_echo
	$(MAKE) SANITIZE=1 -C samples/ksspi_rdp_nla

# The long fuzzing run (the test command runs each target for 10 s)
FUZZ_SECONDS ?= 300
fuzz:
	$(MAKE) -C helper fuzz-run FUZZ_SECONDS=$(FUZZ_SECONDS)
	$(MAKE) -C samples/ksspi_rdp_nla fuzz-run FUZZ_SECONDS=$(FUZZ_SECONDS)

bench: all
	$(TOP)/tools/run-bench

demo:
	$(TOP)/tools/run-demo

test:
	$(TOP)/tools/run-tests

clean:
	-test -z "$(KDIR)" || $(MAKE) -C $(KDIR) M=$(TOP) clean
	for d in $(USER_DIRS); do $(MAKE) -C $$d clean; done
