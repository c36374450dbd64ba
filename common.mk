# SPDX-License-Identifier: GPL-2.0
#
# Flags shared by every userspace part (helper, lib, tools, selftests).
# SANITIZE=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer.

TOP := $(or $(TOP),$(abspath $(dir $(lastword $(MAKEFILE_LIST)))))
CC ?= cc
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
	  -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	  -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
	  -I$(TOP)/uapi
ifeq ($(SANITIZE),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
BUILD := build-san
else
BUILD := build
endif
