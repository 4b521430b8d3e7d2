# Makefile - cutover, plain GNU make (no autotools).
#
#   make               build build/cutover (policy/*.c -> build/libpolicy.a,
#                      helper/**/*.c -> build/cutover)
#   make check         install missing Debian packages (make deps), build, and
#                      run every test layer through tests/check.sh
#   make demo          install missing packages, build, and show the apache2 ->
#                      nginx switch on port 8080 end to end (as root: it sets
#                      up users, apache2 and nginx, and removes them again)
#   make deps          apt-get install the build and test dependencies, only
#                      those that are missing (root, Debian 12)
#   make lint          cppcheck and clang-tidy over helper/ policy/ pam/ (also a
#                      layer of make check); .clang-tidy, tests/lint/cppcheck.supp
#   make coverage      every test layer (unit, cli, and as root system and
#                      container) on --coverage builds (build/cov); line and
#                      branch coverage per room with gcovr, with and without
#                      the containers, and a threshold; not in make check
#   make fuzz          FUZZ_SECONDS=60: libFuzzer (clang) on each fuzz target
#                      (tests/fuzz/README lists them), from
#                      tests/fuzz/corpus/TARGET; make check replays those corpora
#                      and runs each target briefly (tests/fuzz/README)
#   make deb           the Debian package, from packaging/debian (build/deb)
#   make rpm           the RPM, from packaging/rpm/cutover.spec (build/rpm)
#   make package-deps  apt-get install what deb and rpm need (root)
#   make install       PREFIX=/usr/local DESTDIR= SYSCONFDIR=/etc
#   make uninstall
#   make clean
#
# Variables: CC, CFLAGS, CPPFLAGS, LDFLAGS (honoured, from the environment or
# the command line), PREFIX, BINDIR, SYSCONFDIR, LOCALSTATEDIR, LOCK_DIR
# (/run/cutover/lock), DESTDIR, and
# NO_DEPS=1 to keep check/demo from running apt-get.
#
# Never call git here: the fresh-machine check (tests/fresh/) builds a copy
# of the tree with no git in it.

.SUFFIXES:
.DELETE_ON_ERROR:
.DEFAULT_GOAL := all

VERSION := $(strip $(file <VERSION))

PREFIX        ?= /usr/local
BINDIR        ?= $(PREFIX)/bin
# Not under PREFIX: the helper reads /etc/cutover/policy.conf by default,
# whatever its own prefix, so a /usr/local build guards the same file.
SYSCONFDIR    ?= /etc
LOCALSTATEDIR ?= /var
DESTDIR       ?=
POLICY_PATH   := $(SYSCONFDIR)/cutover/policy.conf
# The unprivileged system user every step but list and verify runs as
# (helper/priv/privilege.c): the packages create it, and cutover refuses to act
# without it.
STEP_USER     ?= _cutover
# The system user a check's fetch runs as (issue 28, item 2): neither the
# caller, who could kill or stop it, nor the step user; the packages create
# it, and cutover refuses to run a check without it.
CHECK_USER    ?= _cutover-check
# Where a switch offers a unit the port's listening socket, and the exec
# helper a unit's drop-in runs to take it (handoff/cutover-handoff.c).
HANDOFF_DIR   ?= /run/cutover-handoff
LIBEXECDIR    ?= $(PREFIX)/libexec
HANDOFF_HELPER := $(LIBEXECDIR)/cutover/cutover-handoff
# The per-port and per-service lock files (helper/act/lock.c): on the /run
# tmpfs, made 0700 root at run time, so nothing of them is packaged and
# none outlives a boot.  The system tests' build has its own.
LOCK_DIR      ?= /run/cutover/lock
# A switch's journal of intent (helper/act/intent.h): on disk, so that it
# outlives the crash or the power cut it is for; made 0700 root at run time.
INTENT_DIR    ?= $(LOCALSTATEDIR)/lib/cutover/intent
# Where verify --textfile writes a check's metrics (helper/record/textfile.h):
# node_exporter's textfile directory, Debian's default.
TEXTFILE_DIR  ?= /var/lib/prometheus/node-exporter

PKG_CONFIG ?= pkg-config
INSTALL    ?= install
AR         ?= ar

BUILD := build

# ---- the Debian packages this tree needs --------------------------------
# libc6-dev is listed because gcc only recommends it and deps installs
# with --no-install-recommends.
# passwd (useradd, gpasswd) is for the tests that create users; a minbase
# root has no passwd package.  mandoc lints the man pages in make check.
# apache2, nginx and curl: the system tests and make demo switch port 8080
# from a real apache2 to a real nginx (issue #4); strace: the system test
# that recycles a holder's pid between finding and signalling it
# (t-pidreuse.sh pauses cutover at one syscall).  deps never lets their
# packages start a service (see deps below): the tests start what they need.
# python3: tests/system/test-httpd.py, the HTTP server the verify system
# test controls (wrong content, slow, too big, redirects, late; issue #5).
# cppcheck and clang-tidy: make lint, a layer of make check.  clang and
# libclang-rt-14-dev (libFuzzer): make fuzz and the fuzz-run layer.  llvm:
# llvm-symbolizer, which clang's sanitizers run to name a report's frames
# (clang only recommends it); without it tests/fuzz/lsan.supp, which names
# libconfig's functions, matches nothing and a known libconfig leak fails
# the fuzz-run layer on a fresh machine.  openssl: the HTTPS checks'
# system tests make a test CA and certificates (t-verify.sh,
# t-verify-tls.sh); a minbase root with --no-install-recommends has none.
# logrotate: t-log.sh rotates the audit file with the package's own
# logrotate configuration, as a host does, and reads the trail back.
DEB_PACKAGES := gcc libc6-dev make pkg-config dpkg-dev \
	libconfig-dev libcap-dev libcurl4-openssl-dev libpam0g-dev libsystemd-dev zlib1g-dev check \
	passwd mandoc apache2 nginx curl strace python3 cppcheck clang-tidy \
	clang libclang-rt-14-dev llvm openssl logrotate

# What make deb, make rpm and the package layer of make check need
# (make package-deps; make check adds them when run as root, as CI is,
# since only root runs that layer).  build-essential: dpkg-buildpackage
# checks for it; devscripts: hardening-check; rpm: rpmbuild; icinga2-bin:
# icinga2 daemon -C on the Icinga 2 example (deb-monitoring).
PACKAGE_DEB_PACKAGES := build-essential debhelper devscripts fakeroot lintian \
	rpm rpmlint icinga2-bin

# What the container layer of make check needs (root only, like the
# package layer): systemd-nspawn boots a real systemd 252 as PID 1 of a
# container on a debootstrap root (tests/container/); the fleet test
# (t-fleet.sh) drives eight of them with ansible-playbook over ssh, whose
# ProxyCommand is socat in each container's network namespace.
CONTAINER_DEB_PACKAGES := systemd-container debootstrap openssh-client socat

# What the Ansible collection's system test needs (tests/system/t-ansible.sh,
# root only like the system layer): Debian's ansible-core, 2.14, and
# ansible-lint; pylint, pycodestyle, voluptuous (validate-modules) and
# yamllint for ansible-test sanity's own linters, run with Debian's
# versions by ansible/ansible-test-debian.py.
ANSIBLE_DEB_PACKAGES := ansible-core ansible-lint pylint python3-pycodestyle \
	python3-voluptuous yamllint

ifeq ($(NO_DEPS),1)
DEPS_FIRST :=
else
DEPS_FIRST := deps
endif

# ---- flags ---------------------------------------------------------------
# Everything that runs a program (dpkg-buildflags, pkg-config) is expanded
# lazily and at most once, so `make deps` and `make clean` work on a machine
# that has neither yet.  $(call once,VAR,command)
once = $(eval $1 := $$(shell $2))$($1)

HAVE_DPKG_BUILDFLAGS = $(call once,HAVE_DPKG_BUILDFLAGS,command -v dpkg-buildflags 2>/dev/null)
buildflags = $(shell DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get $1)

FALLBACK_CFLAGS   := -O2 -g -fstack-protector-strong -fPIE
FALLBACK_CPPFLAGS := -D_FORTIFY_SOURCE=2
FALLBACK_LDFLAGS  := -pie -Wl,-z,relro -Wl,-z,now

HARDEN_CFLAGS   = $(call once,HARDEN_CFLAGS,$(if $(HAVE_DPKG_BUILDFLAGS),DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CFLAGS,echo '$(FALLBACK_CFLAGS)'))
HARDEN_CPPFLAGS = $(call once,HARDEN_CPPFLAGS,$(if $(HAVE_DPKG_BUILDFLAGS),DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CPPFLAGS,echo '$(FALLBACK_CPPFLAGS)'))
HARDEN_LDFLAGS  = $(call once,HARDEN_LDFLAGS,$(if $(HAVE_DPKG_BUILDFLAGS),DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get LDFLAGS,echo '$(FALLBACK_LDFLAGS)'))

# libconfig and libcap go into everything (the policy library validates
# capability names with cap_from_name); PAM and libsystemd (sd-bus: the
# unit services talk to systemd, helper/act/svc/unit.c) only into the
# helper, and libcurl and libsystemd only at run time (below).
PKGS_BASE   := libconfig libcap
PKGS_HELPER := libcurl pam libsystemd
PKGS_TEST   := check

PC_CFLAGS      = $(call once,PC_CFLAGS,$(PKG_CONFIG) --cflags $(PKGS_BASE) $(PKGS_HELPER) $(PKGS_TEST))
LIBS_BASE      = $(call once,LIBS_BASE,$(PKG_CONFIG) --libs $(PKGS_BASE))
# libcurl and libsystemd are compiled against but not linked: the verify
# child dlopen()s libcurl after giving up privilege, a unit's step
# libsystemd (helper/verify/curlapi.h, helper/act/svc/sdbus.h say why).
LIBS_HELPER    = $(call once,LIBS_HELPER,$(PKG_CONFIG) --libs $(filter-out libcurl libsystemd,$(PKGS_HELPER)))
LIBS_TEST      = $(call once,LIBS_TEST,$(PKG_CONFIG) --libs $(PKGS_TEST))

WARNINGS := -Wall -Wextra -Werror -Wformat-nonliteral
# _GNU_SOURCE for the whole tree (Linux only: vasprintf, pidfd, close_range
# ...).  A source file must not #define it again: a bare `#define
# _GNU_SOURCE` redefines the macro and -Werror makes that an error.
DEFINES   = -D_GNU_SOURCE -DCUTOVER_VERSION='"$(VERSION)"' \
	-DCUTOVER_POLICY_PATH='"$(POLICY_PATH)"' \
	-DCUTOVER_SYSCONFDIR='"$(SYSCONFDIR)"' \
	-DCUTOVER_LOCALSTATEDIR='"$(LOCALSTATEDIR)"' \
	-DCUTOVER_STEP_USER='"$(STEP_USER)"' \
	-DCUTOVER_CHECK_USER='"$(CHECK_USER)"' \
	-DCUTOVER_LOCK_DIR='"$(LOCK_DIR)"' \
	-DCUTOVER_INTENT_DIR='"$(INTENT_DIR)"' \
	-DCUTOVER_HANDOFF_DIR='"$(HANDOFF_DIR)"' \
	-DCUTOVER_HANDOFF_HELPER='"$(HANDOFF_HELPER)"' \
	-DCUTOVER_TEXTFILE_DIR='"$(TEXTFILE_DIR)"'

# Order: hardening defaults, then the caller's flags (so -O0 or -g3 wins),
# then what is never negotiable.
ALL_CPPFLAGS = -I. $(DEFINES) $(HARDEN_CPPFLAGS) $(CPPFLAGS) $(PC_CFLAGS)
ALL_CFLAGS   = $(HARDEN_CFLAGS) $(CFLAGS) $(WARNINGS) -std=gnu11
ALL_LDFLAGS  = $(HARDEN_LDFLAGS) $(LDFLAGS)

# The sanitizer build of the unit tests (make check, layer b).  FORTIFY is
# turned off there: its checked wrappers hide accesses from ASan.
SANITIZE      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_CPPFLAGS   = $(ALL_CPPFLAGS) -U_FORTIFY_SOURCE
SAN_CFLAGS     = $(ALL_CFLAGS) -O1 -g $(SANITIZE)
SAN_LDFLAGS    = $(ALL_LDFLAGS) $(SANITIZE)

# ---- sources (wildcards: the file lists grow) -----------------------------
POLICY_SRC := $(sort $(wildcard policy/*.c))
HELPER_SRC := $(sort $(wildcard helper/*.c helper/*/*.c helper/*/*/*.c))
# Every helper file but main.c goes into build/libhelper.a, which cutover
# and the unit tests both link (so the tests reach audit.c and the like).
HELPER_LIB_SRC := $(filter-out helper/main.c,$(HELPER_SRC))
# The PAM glue (pam/pam.c, pam/pam.h) goes in with it; libpam comes
# with LIBS_HELPER, which both links already use.
HELPER_LIB_SRC += $(sort $(wildcard pam/*.c))
# json_check.c (the fuzz target's JSON validator) also checks audit records.
UNIT_SRC   := $(sort $(wildcard tests/unit/*.c)) tests/fuzz/json_check.c

OBJ     := $(BUILD)/obj
SAN     := $(BUILD)/asan

POLICY_OBJ     := $(POLICY_SRC:%.c=$(OBJ)/%.o)
HELPER_OBJ     := $(HELPER_SRC:%.c=$(OBJ)/%.o)
HELPER_LIB_OBJ := $(HELPER_LIB_SRC:%.c=$(OBJ)/%.o)
SAN_HELPER_LIB_OBJ := $(HELPER_LIB_SRC:%.c=$(SAN)/%.o)
UNIT_OBJ       := $(UNIT_SRC:%.c=$(OBJ)/%.o)
SAN_POLICY_OBJ := $(POLICY_SRC:%.c=$(SAN)/%.o)
SAN_UNIT_OBJ   := $(UNIT_SRC:%.c=$(SAN)/%.o)

CUTOVER          := $(BUILD)/cutover
HANDOFF_BIN      := $(BUILD)/cutover-handoff
LIBPOLICY        := $(BUILD)/libpolicy.a
LIBHELPER        := $(BUILD)/libhelper.a
SAN_LIBHELPER    := $(SAN)/libhelper.a
# A stand-in syslog daemon (a /dev/log) for the unit and system tests.
DEVLOG_LISTEN    := $(BUILD)/devlog-listen
UNIT_TESTS       := $(BUILD)/unit-tests
SAN_LIBPOLICY    := $(SAN)/libpolicy.a
SAN_UNIT_TESTS   := $(SAN)/unit-tests

# The fuzz targets (tests/fuzz/fuzz_TARGET.c), each replayed on its corpus
# tests/fuzz/corpus/TARGET without libFuzzer (make check): one runner per
# target, build/fuzz-replay-TARGET, and its ASan+UBSan twin.
FUZZ_TARGETS     := policy argv audit verdict listens certdate logread expect procfs sockdiag unitlog handoff dbus intent
FUZZ_REPLAY_COMMON := tests/fuzz/replay.c tests/fuzz/json_check.c
FUZZ_REPLAY      := $(FUZZ_TARGETS:%=$(BUILD)/fuzz-replay-%)
SAN_FUZZ_REPLAY  := $(FUZZ_TARGETS:%=$(SAN)/fuzz-replay-%)

.PHONY: all deps check demo install install-units uninstall install-ansible uninstall-ansible clean FORCE

all: $(CUTOVER) $(HANDOFF_BIN)

# ---- compile flags recorded: a change of flags or paths rebuilds ---------
# The recipe rewrites the file only when its content changes, so objects
# depend on it without being rebuilt every time.  It also says plainly what
# is missing before the compiler does.
define record-flags
	@command -v $(CC) >/dev/null 2>&1 || { \
	  echo "make: no C compiler '$(CC)': run 'make deps' as root (Debian: apt-get install $(DEB_PACKAGES))" >&2; exit 1; }
	@command -v $(PKG_CONFIG) >/dev/null 2>&1 && \
	  $(PKG_CONFIG) --exists $(PKGS_BASE) $(PKGS_HELPER) $(PKGS_TEST) || { \
	  echo "make: missing libraries ($(PKGS_BASE) $(PKGS_HELPER) $(PKGS_TEST)): run 'make deps' as root" >&2; exit 1; }
	$(file >$@.new,$1)
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi
endef

$(BUILD)/flags: FORCE | $(BUILD)/.dir
	$(call record-flags,$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS))

$(SAN)/flags: FORCE | $(SAN)/.dir
	$(call record-flags,$(CC) $(SAN_CPPFLAGS) $(SAN_CFLAGS) $(SAN_LDFLAGS))

%/.dir:
	@mkdir -p $(@D)
	@touch $@

# ---- the normal build -----------------------------------------------------
$(OBJ)/%.o: %.c $(BUILD)/flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBPOLICY): $(POLICY_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBHELPER): $(HELPER_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(CUTOVER): $(OBJ)/helper/main.o $(LIBHELPER) $(LIBPOLICY)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(OBJ)/helper/main.o $(LIBHELPER) $(LIBPOLICY) $(LIBS_HELPER) $(LIBS_BASE)

# The exec helper a unit's ExecStart= runs (not setuid; libc only).
$(HANDOFF_BIN): $(OBJ)/handoff/cutover-handoff.o
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

# devlog-listen: order-only, so the unit tests that use it find it.
$(UNIT_TESTS): $(UNIT_OBJ) $(LIBHELPER) $(LIBPOLICY) | $(DEVLOG_LISTEN)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJ) $(LIBHELPER) $(LIBPOLICY) $(LIBS_TEST) $(LIBS_HELPER) $(LIBS_BASE)

$(DEVLOG_LISTEN): $(OBJ)/tests/system/devlog-listen.o
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^

# ---- the sanitizer build (unit tests only) --------------------------------
$(SAN)/%.o: %.c $(SAN)/flags
	@mkdir -p $(@D)
	$(CC) $(SAN_CPPFLAGS) $(SAN_CFLAGS) -MMD -MP -c -o $@ $<

$(SAN_LIBPOLICY): $(SAN_POLICY_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(SAN_LIBHELPER): $(SAN_HELPER_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(SAN_UNIT_TESTS): $(SAN_UNIT_OBJ) $(SAN_LIBHELPER) $(SAN_LIBPOLICY) | $(DEVLOG_LISTEN)
	$(CC) $(SAN_CFLAGS) $(SAN_LDFLAGS) -o $@ $(SAN_UNIT_OBJ) $(SAN_LIBHELPER) $(SAN_LIBPOLICY) $(LIBS_TEST) $(LIBS_HELPER) $(LIBS_BASE)

# cutover itself under ASan+UBSan (the system-asan layer of make check,
# through SYSTEST_SAN_CUTOVER below).  Never installed setuid: the
# sanitizers' runtime does not run in a setuid process.
$(SAN)/cutover: $(SAN)/helper/main.o $(SAN_LIBHELPER) $(SAN_LIBPOLICY)
	$(CC) $(SAN_CFLAGS) $(SAN_LDFLAGS) -o $@ $(SAN)/helper/main.o $(SAN_LIBHELPER) $(SAN_LIBPOLICY) $(LIBS_HELPER) $(LIBS_BASE)

# ---- the fuzz targets' replay runners, in both builds ---------------------
# The helper's archive gives the argv, audit and verdict targets their code
# (only the objects they use are linked).
$(FUZZ_REPLAY): $(BUILD)/fuzz-replay-%: $(FUZZ_REPLAY_COMMON:%.c=$(OBJ)/%.o) \
    $(OBJ)/tests/fuzz/fuzz_%.o $(LIBHELPER) $(LIBPOLICY)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBHELPER) $(LIBPOLICY) $(LIBS_BASE)

$(SAN_FUZZ_REPLAY): $(SAN)/fuzz-replay-%: $(FUZZ_REPLAY_COMMON:%.c=$(SAN)/%.o) \
    $(SAN)/tests/fuzz/fuzz_%.o $(SAN_LIBHELPER) $(SAN_LIBPOLICY)
	$(CC) $(SAN_CFLAGS) $(SAN_LDFLAGS) -o $@ $(filter %.o,$^) $(SAN_LIBHELPER) $(SAN_LIBPOLICY) $(LIBS_BASE)

# ---- what the system tests need (tests/system/run.sh, as root) -----------
# A second cutover whose compiled-in policy path is
# /etc/cutover-systest/cutover/policy.conf, so that the tests never touch
# the real /etc/cutover; run.sh installs it setuid in
# /usr/local/libexec/cutover-systest and removes it afterwards; its lock
# files are in /run/cutover-systest/lock, never the real cutover's.  Built by a
# sub-make with its own BUILD (objects in build/systest/obj).  And
# jsonl-check, the audit log's checker: every line one complete JSON object.
SYSTEST_SYSCONFDIR := /etc/cutover-systest
SYSTEST_LOCK_DIR   := /run/cutover-systest/lock
SYSTEST_INTENT_DIR := /var/lib/cutover-systest/intent
# verify --textfile's directory for the system tests (t-verify.sh makes it)
SYSTEST_TEXTFILE_DIR := /run/cutover-systest/textfile
SYSTEST_CUTOVER    := $(BUILD)/systest/cutover
JSONL_CHECK        := $(BUILD)/jsonl-check
JSONL_CHECK_OBJ    := $(OBJ)/tests/system/jsonl-check.o $(OBJ)/tests/fuzz/json_check.o

$(SYSTEST_CUTOVER): FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/systest \
	    SYSCONFDIR=$(SYSTEST_SYSCONFDIR) LOCK_DIR=$(SYSTEST_LOCK_DIR) INTENT_DIR=$(SYSTEST_INTENT_DIR) \
	    TEXTFILE_DIR=$(SYSTEST_TEXTFILE_DIR) $@

# The same under ASan+UBSan, run as root (not setuid) by
# tests/system/asan/t-*.sh: the system-asan layer of make check.
SYSTEST_SAN_CUTOVER := $(BUILD)/systest/asan/cutover
$(SYSTEST_SAN_CUTOVER): FORCE
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/systest \
	    SYSCONFDIR=$(SYSTEST_SYSCONFDIR) LOCK_DIR=$(SYSTEST_LOCK_DIR) INTENT_DIR=$(SYSTEST_INTENT_DIR) \
	    TEXTFILE_DIR=$(SYSTEST_TEXTFILE_DIR) $@

$(JSONL_CHECK): $(JSONL_CHECK_OBJ)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(JSONL_CHECK_OBJ)

.PHONY: systest-build
systest-build: $(SYSTEST_CUTOVER) $(SYSTEST_SAN_CUTOVER) $(JSONL_CHECK)

-include $(wildcard $(addsuffix .d,$(foreach d,$(OBJ) $(SAN),$(d)/* $(d)/*/* $(d)/*/*/* $(d)/*/*/*/*)))

# ---- dependencies: apt-get only what is missing ---------------------------
# Idempotent and quick when everything is there (one dpkg-query per
# package, no apt-get at all); `apt-get update` only before an install.
# While it installs, a policy-rc.d that answers 101 (Debian's "do not start
# services", honoured by invoke-rc.d and deb-systemd-invoke) keeps apache2's
# and nginx's packages from starting them on port 80 (in a chroot, on the
# host's network); it is removed afterwards, and an existing policy-rc.d is
# left as it is.
deps:
	@command -v dpkg-query >/dev/null 2>&1 || { \
	  echo "make deps: no dpkg-query: this is not Debian; install by hand: $(DEB_PACKAGES)," >&2; \
	  echo "make deps: then run make with NO_DEPS=1" >&2; exit 1; }
	@missing=; \
	for p in $(DEB_PACKAGES); do \
	  case "$$(dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null)" in \
	    "install ok installed") ;; \
	    *) missing="$$missing $$p" ;; \
	  esac; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "make deps: installing:$$missing"; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "make deps: need root to install them: sudo make deps (or NO_DEPS=1 if installed otherwise)" >&2; \
	  exit 1; \
	fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	if [ ! -e /usr/sbin/policy-rc.d ]; then \
	  trap 'rm -f /usr/sbin/policy-rc.d' EXIT; trap 'exit 130' INT TERM; \
	  printf '%s\n' '#!/bin/sh' '# make deps (cutover): no service starts while it installs' 'exit 101' \
	    >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d || exit 1; \
	fi; \
	apt-get update && \
	apt-get install -y --no-install-recommends $$missing

# ---- check and demo: deps first, then build in a fresh make ---------------
# The build runs in a sub-make so that it starts after deps has finished
# (also under -j) and sees the newly installed compiler and .pc files.
check: DEB_PACKAGES += $(if $(filter 0,$(shell id -u)),$(PACKAGE_DEB_PACKAGES) $(CONTAINER_DEB_PACKAGES) $(ANSIBLE_DEB_PACKAGES))
check: $(DEPS_FIRST)
	@$(MAKE) --no-print-directory $(CUTOVER) $(UNIT_TESTS) $(SAN_UNIT_TESTS) \
	    $(FUZZ_REPLAY) $(SAN_FUZZ_REPLAY) $(SYSTEST_CUTOVER) $(SYSTEST_SAN_CUTOVER) $(JSONL_CHECK) \
	    $(DEVLOG_LISTEN)
	@BUILD=$(BUILD) CC='$(CC)' MAKE='$(MAKE)' sh tests/check.sh

# make demo: tests/system/demo.sh.  Part 1 (any user) checks and explains
# policy/examples/deploy.conf with build/cutover; part 2 (root only) does
# the apache2 -> nginx switch on port 8080 on this machine, as user deploy,
# with the system tests' setuid build and set-up (users, apache2 on 8080,
# nginx's config), prints each step, the page and the audit records, and
# removes everything again.  A step this build does not implement yet is
# shown as such; any other unexpected exit status fails the demo.
demo: $(DEPS_FIRST)
	@$(MAKE) --no-print-directory $(CUTOVER) $(SYSTEST_CUTOVER) $(JSONL_CHECK)
	@BUILD=$(BUILD) sh tests/system/demo.sh

# ---- benchmarks: make bench (not part of make check; bench/README.md) -------
# Root only, under the system tests' lock (the scripts take it): users,
# the setuid systest build, apache2 and nginx on 8080.  The probe client
# is plain C with libc only.  BENCH=decide, BENCH=switch or
# BENCH=traffic (keep-alive load, a download, the switch: bench/traffic.sh)
# runs one; BENCH=systemd (not in the default set) the switch under
# systemd, in containers (bench/systemd.sh); BENCH=log (not in the default
# set either, and needing no root) cutover log on a million records
# against jq (bench/log.sh); BENCH=fleet (not in the default set) roll-outs
# of rolling-switch.yml over growing fleets of containers (bench/fleet.sh).
BENCH_DEB_PACKAGES := hyperfine opendoas sudo wrk jq nghttp2-client $(CONTAINER_DEB_PACKAGES)
BENCH ?= decide switch traffic
PROBE := $(BUILD)/bench/probe
KALOAD := $(BUILD)/bench/kaload

$(PROBE): bench/probe.c $(BUILD)/flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ bench/probe.c

$(KALOAD): bench/kaload.c $(BUILD)/flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ bench/kaload.c

# Where a decision's time goes, phase by phase (bench/decide.sh, issue 33):
# the policy library alone, as the helper calls it.
PHASES := $(BUILD)/bench/phases

$(PHASES): $(OBJ)/bench/phases.o $(LIBPOLICY)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_BASE)

.PHONY: bench
bench: DEB_PACKAGES += $(BENCH_DEB_PACKAGES)
bench: $(DEPS_FIRST)
	@[ "$$(id -u)" = 0 ] || { echo "make bench: needs root (users, a setuid install, apache2, nginx)" >&2; exit 1; }
	@$(MAKE) --no-print-directory $(CUTOVER) $(SYSTEST_CUTOVER) $(JSONL_CHECK) $(PROBE) $(KALOAD) $(PHASES)
	@for b in $(BENCH); do BUILD=$(BUILD) sh bench/$$b.sh || exit 1; done

# ---- fuzzing: make fuzz (not part of make check) ---------------------------
# libFuzzer comes with clang (Debian: clang, libclang-rt-14-dev, in
# DEB_PACKAGES: the fuzz-run layer of make check uses them too).  Every
# target of FUZZ_TARGETS runs FUZZ_SECONDS, one after the other, through
# tests/fuzz/run.sh: on a copy of its corpus in build/fuzz/TARGET/corpus,
# where libFuzzer adds what it finds (the tree's seed corpus is left as it
# is).  An input that crashes, leaks, times out or runs out of memory is
# copied into FUZZ_CRASH_DIR (default: the target's own corpus, so make
# check replays it from then on) and make fuzz fails, after the others ran.
#   FUZZ_SECONDS (60, per target), FUZZ_TARGETS (all), FUZZ_CC
#   (clang), FUZZ_CFLAGS (-O1 -g), FUZZ_CRASH_DIR, FUZZ_ARGS (more
#   libFuzzer options, e.g. -jobs=4)
FUZZ_SECONDS   ?= 60
FUZZ_CC        ?= clang
FUZZ_CFLAGS    ?= -O1 -g
FUZZ_CRASH_DIR ?=
FUZZ_ARGS      ?=
FUZZ_DEB_PACKAGES := clang libclang-rt-14-dev
FUZZ_BUILD     := $(BUILD)/fuzz
FUZZERS        := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz-%)
# what the targets test, instrumented, in one archive: each fuzzer links
# only the objects it uses
FUZZ_LIB_SRC   := $(POLICY_SRC) helper/front/request.c helper/record/audit.c \
	helper/lib/why.c helper/verify/judge.c helper/verify/sha256.c \
	helper/record/chain.c helper/log/logrec.c \
	helper/act/switch/listens.c helper/verify/certdate.c \
	helper/lib/procfs.c helper/act/holders.c helper/act/svc/unitlog.c \
	helper/act/systemd.c helper/act/svc/sdbus.c helper/lib/dlapi.c \
	helper/act/intent.c helper/act/rootdir.c \
	tests/fuzz/json_check.c
FUZZ_LIB       := $(FUZZ_BUILD)/libfuzzed.a
FUZZ_SANITIZE  := -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
FUZZ_ALL_FLAGS  = -I. $(DEFINES) -U_FORTIFY_SOURCE $(CPPFLAGS) \
	$(PC_CFLAGS) $(FUZZ_CFLAGS) $(WARNINGS) -std=gnu11 $(FUZZ_SANITIZE)

$(FUZZ_BUILD)/flags: FORCE | $(FUZZ_BUILD)/.dir
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { \
	  echo "make: no '$(FUZZ_CC)': run 'make fuzz' as root (Debian: apt-get install $(FUZZ_DEB_PACKAGES))" >&2; exit 1; }
	$(file >$@.new,$(FUZZ_CC) $(FUZZ_ALL_FLAGS) $(LIBS_BASE))
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi

$(FUZZ_BUILD)/obj/%.o: %.c $(FUZZ_BUILD)/flags
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_ALL_FLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZERS): $(FUZZ_BUILD)/fuzz-%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_ALL_FLAGS) -o $@ $^ $(LIBS_BASE)

-include $(wildcard $(addsuffix .d,$(FUZZ_BUILD)/obj/*/* $(FUZZ_BUILD)/obj/*/*/* $(FUZZ_BUILD)/obj/*/*/*/*))

# make fuzz-long (issue 33; not in make check): every target until
# FUZZ_LONG_RUNS (10 M) executions, or FUZZ_LONG_SECONDS (7200) each,
# whichever is first; the figures (runs, exec/s, coverage, corpus) of each
# are written to FUZZ_LONG_FIGURES, with the date and the commit's VERSION.
FUZZ_LONG_RUNS    ?= 10000000
FUZZ_LONG_SECONDS ?= 7200
FUZZ_LONG_FIGURES ?= $(FUZZ_BUILD)/long-figures.txt

.PHONY: fuzz fuzz-build fuzz-long
fuzz-build: $(FUZZERS)

fuzz-long: $(DEPS_FIRST)
	@$(MAKE) --no-print-directory $(FUZZERS)
	@{ echo "# make fuzz-long, cutover $(VERSION): $(FUZZ_LONG_RUNS) runs or $(FUZZ_LONG_SECONDS) s per target"; \
	  echo "# started $$(date -u +%Y-%m-%dT%H:%MZ), $$(nproc) cpus, load $$(cut -d' ' -f1-3 /proc/loadavg)"; } >$(FUZZ_LONG_FIGURES)
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_CRASH_DIR='$(FUZZ_CRASH_DIR)' FUZZ_RUNS=$(FUZZ_LONG_RUNS) \
	  FUZZ_FIGURES=$(FUZZ_LONG_FIGURES) FUZZ_ARGS='$(FUZZ_ARGS)' \
	  sh tests/fuzz/run.sh $(FUZZ_LONG_SECONDS) $(FUZZ_TARGETS); rc=$$?; \
	  echo "# ended $$(date -u +%Y-%m-%dT%H:%MZ)" >>$(FUZZ_LONG_FIGURES); \
	  echo "figures: $(FUZZ_LONG_FIGURES)"; exit $$rc

fuzz: $(DEPS_FIRST)
	@$(MAKE) --no-print-directory $(FUZZERS)
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_CRASH_DIR='$(FUZZ_CRASH_DIR)' \
	  FUZZ_ARGS='$(FUZZ_ARGS)' sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# ---- static analysis: make lint (tests/lint/) --------------------------------
# cppcheck and clang-tidy over helper/, policy/ and pam/, with the tree's own
# defines.  cppcheck: tests/lint/cppcheck.supp (each entry with its reason)
# and inline cppcheck-suppress comments; clang-tidy: .clang-tidy at the top
# (the check set, and why each left-out check is left out) and NOLINT(check)
# comments with a reason.  Any finding fails.  LINT_JOBS clang-tidy at once.
# First tests/lint/rooms.sh: credential changes only in helper/priv/,
# policy/ includes nothing of helper/ or pam/, includes by path; and its
# self-test (rooms-selftest.sh), which plants each violation in a copy.
LINT_SRC  := $(POLICY_SRC) $(HELPER_SRC) $(sort $(wildcard pam/*.c)) handoff/cutover-handoff.c
LINT_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
LINT_CPPFLAGS = -I. $(DEFINES)

.PHONY: lint
lint:
	sh tests/lint/rooms.sh
	@sh tests/lint/rooms-selftest.sh >$(BUILD)/rooms-selftest.out 2>&1 || { \
	  cat $(BUILD)/rooms-selftest.out; echo "make lint: tests/lint/rooms.sh misses a planted violation" >&2; exit 1; }
	@for t in cppcheck clang-tidy; do command -v $$t >/dev/null 2>&1 || { \
	  echo "make lint: no $$t: apt-get install cppcheck clang-tidy (or make deps)" >&2; exit 1; }; done
	cppcheck --quiet --enable=warning,portability,performance --error-exitcode=1 \
	    --inline-suppr --suppressions-list=tests/lint/cppcheck.supp --std=c11 \
	    -j $(LINT_JOBS) $(LINT_CPPFLAGS) $(LINT_SRC)
	@mkdir -p $(BUILD)/lint
	@echo "clang-tidy (.clang-tidy) on $(words $(LINT_SRC)) files"
	@printf '%s\n' $(LINT_SRC) | xargs -P $(LINT_JOBS) -I{} \
	    clang-tidy --quiet --config-file=.clang-tidy {} -- \
	    -std=gnu11 $(LINT_CPPFLAGS) $(PC_CFLAGS) >$(BUILD)/lint/clang-tidy.out 2>&1; \
	  rc=$$?; grep -v '^[0-9]* warnings\? generated\.$$' $(BUILD)/lint/clang-tidy.out; \
	  if [ $$rc = 0 ]; then echo "make lint: clean"; else echo "make lint: clang-tidy found the above" >&2; fi; \
	  exit $$rc

# ---- coverage: make coverage (not part of make check) -----------------------
# The whole program's coverage, as every layer of tests reaches it: the
# unit and cli layers on a --coverage build in build/cov (a sub-make with
# its own BUILD), and as root the system layer (a --coverage setuid build,
# build/cov/systest/cutover, the system tests' paths) and the container
# layer (build/cov/ct: cutover and cutover-handoff with the package's
# paths, put into the .deb in place of the real ones, installed in every
# container).  tests/coverage/run.sh runs the layers, each into a count
# directory of its own, and report.py prints line and branch coverage per
# room (directory) and in total, for the host's layers alone and with the
# containers, writes build/cov/coverage.txt (every file) and
# build/cov/uncovered.txt (the functions no layer ran), and fails below
# COV_MIN_LINES / COV_MIN_BRANCHES of the whole (judged when all four
# layers ran; COV_LAYERS='unit cli' for a part, not judged).  Installs
# gcovr (make deps) unless NO_DEPS=1.  About 12 minutes on 2 cores
# (tests/coverage/README: the figures, the threshold and why).
#
# The counts of a setuid run: such a run ends as the caller (or as a
# service's user, in a child that execs: gcc's execve wrapper writes the
# counts first), and cutover clears its environment at start-up, before
# libgcov would read GCOV_PREFIX at exit; so the counts go to the path
# compiled in (the object's), their .gcda files made beforehand by one run
# as root and opened up (0666; their directories stay root's 0755, and
# the path to them must be searchable by everyone - checked).  In the
# containers that path is the host's own directory, bind-mounted at the
# same path (CT_BIND, tests/container/lib.sh): no prefix to set in an
# environment systemd and cutover both clear.  Children that end with
# _exit() (verify's fetch, a launch that failed) would write nothing:
# tests/coverage/dump_on_exit.c wraps _exit (-Wl,--wrap) to write the
# counts first, and setrlimit, so that a check's RLIMIT_FSIZE of 0 does not
# keep them from being written.  All of that is for these test builds only: nothing of it
# reaches a real build.
COV_BUILD  := $(BUILD)/cov
COV_FLAGS  := -O0 -g --coverage
COV_DUMP   := $(COV_BUILD)/dump_on_exit.o
COV_LDFLAGS = $(LDFLAGS) --coverage -Wl,--wrap=_exit -Wl,--wrap=setrlimit \
    $(abspath $(COV_DUMP))
COV_SYSTEST := $(COV_BUILD)/systest/cutover
COV_CT      := $(COV_BUILD)/ct
# The threshold: tests/coverage/README says what was measured and why.
COV_MIN_LINES    ?= 87
COV_MIN_BRANCHES ?= 75

$(COV_DUMP): tests/coverage/dump_on_exit.c
	@mkdir -p $(@D)
	$(CC) $(WARNINGS) -O2 -c -o $@ tests/coverage/dump_on_exit.c

.PHONY: coverage
coverage: DEB_PACKAGES += gcovr $(if $(filter 0,$(shell id -u)),$(PACKAGE_DEB_PACKAGES) $(CONTAINER_DEB_PACKAGES))
coverage: $(DEPS_FIRST)
	@command -v gcovr >/dev/null 2>&1 || { \
	  echo "make coverage: no gcovr: apt-get install gcovr (or make deps)" >&2; exit 1; }
	@$(MAKE) --no-print-directory $(COV_DUMP)
	@$(MAKE) --no-print-directory BUILD=$(COV_BUILD) CFLAGS='$(CFLAGS) $(COV_FLAGS)' \
	    LDFLAGS='$(COV_LDFLAGS)' $(COV_BUILD)/cutover $(COV_BUILD)/unit-tests
	@mkdir -p $(COV_BUILD)/systest/obj $(COV_CT)/obj
	@if [ "$$(id -u)" = 0 ]; then \
	  $(MAKE) --no-print-directory BUILD=$(COV_BUILD)/systest SYSCONFDIR=$(SYSTEST_SYSCONFDIR) \
	    LOCK_DIR=$(SYSTEST_LOCK_DIR) INTENT_DIR=$(SYSTEST_INTENT_DIR) TEXTFILE_DIR=$(SYSTEST_TEXTFILE_DIR) \
	    CFLAGS='$(CFLAGS) $(COV_FLAGS)' LDFLAGS='$(COV_LDFLAGS)' $(COV_SYSTEST) && \
	  $(MAKE) --no-print-directory $(JSONL_CHECK) $(DEVLOG_LISTEN) && \
	  $(MAKE) --no-print-directory BUILD=$(COV_CT) PREFIX=/usr \
	    CFLAGS='$(CFLAGS) $(COV_FLAGS)' LDFLAGS='$(COV_LDFLAGS)' \
	    $(COV_CT)/cutover $(COV_CT)/cutover-handoff && \
	  echo "make deb (the package the coverage build goes into; log $(COV_BUILD)/deb.log)" && \
	  DEB_BUILD_OPTIONS=nocheck $(MAKE) --no-print-directory deb >$(COV_BUILD)/deb.log 2>&1; \
	fi
	@COV_BUILD=$(COV_BUILD) COV_MIN_LINES=$(COV_MIN_LINES) COV_MIN_BRANCHES=$(COV_MIN_BRANCHES) \
	  DEB=$$(ls $(DEB_DIR)/cutover_$(VERSION)_*.deb 2>/dev/null | head -n 1) \
	  sh tests/coverage/run.sh

# ---- packages: make deb, make rpm ------------------------------------------
# Both are built from a copy of this tree (without build/ and .git) in
# build/deb and build/rpm; the version is the VERSION file's, put into
# debian/changelog and the spec (@VERSION@) there.  packaging/README says
# what each package installs and why.
DEB_DIR := $(BUILD)/deb
DEB_SRC := $(DEB_DIR)/cutover-$(VERSION)
RPM_DIR := $(BUILD)/rpm
RPM_SRC := $(RPM_DIR)/cutover-$(VERSION)

# copy-tree DIR: this tree, as it is, into DIR (made anew).
define copy-tree
	rm -rf $1
	mkdir -p $1
	tar -cf - --exclude=./$(BUILD) --exclude=./.git . | tar -xf - -C $1
endef

# need-tools TARGET TOOL...: say plainly what is missing.
define need-tools
	@for t in $2; do command -v $$t >/dev/null 2>&1 || { \
	  echo "make $1: no $$t: run 'make package-deps' as root (Debian: apt-get install $(PACKAGE_DEB_PACKAGES))" >&2; \
	  exit 1; }; done
endef

.PHONY: deb rpm package-deps
deb:
	$(call need-tools,deb,dpkg-buildpackage dh)
	rm -rf $(DEB_DIR)
	$(call copy-tree,$(DEB_SRC))
	cp -R packaging/debian $(DEB_SRC)/debian
	sed -i 's/@VERSION@/$(VERSION)/' $(DEB_SRC)/debian/changelog
	@# without this make's MAKEFLAGS and BUILD: a BUILD= given here would reach the
	@# package's own make, whose tree has build/ (dh_auto_test's target)
	cd $(DEB_SRC) && env -u MAKEFLAGS -u MFLAGS -u BUILD dpkg-buildpackage -us -uc -b
	@ls -l $(DEB_DIR)/*.deb

rpm:
	$(call need-tools,rpm,rpmbuild)
	rm -rf $(RPM_DIR)
	$(call copy-tree,$(RPM_SRC))
	mkdir -p $(RPM_DIR)/SOURCES $(RPM_DIR)/SPECS
	tar -czf $(RPM_DIR)/SOURCES/cutover-$(VERSION).tar.gz -C $(RPM_DIR) cutover-$(VERSION)
	cp packaging/rpm/cutover.pam $(RPM_DIR)/SOURCES/
	sed 's/@VERSION@/$(VERSION)/g' packaging/rpm/cutover.spec >$(RPM_DIR)/SPECS/cutover.spec
	env -u MAKEFLAGS -u MFLAGS -u BUILD rpmbuild --define '_topdir $(abspath $(RPM_DIR))' --nodeps -bb \
	    $(RPM_DIR)/SPECS/cutover.spec
	@ls -l $(RPM_DIR)/RPMS/*/*.rpm

# The packaging tools: make deps with PACKAGE_DEB_PACKAGES.
package-deps: DEB_PACKAGES := $(PACKAGE_DEB_PACKAGES)
package-deps: deps

# ---- install ---------------------------------------------------------------
# Installed into the live system as root, cutover is made setuid root for
# group cutover only (4750 root:cutover; the group is created as a system
# group if missing).  Staged (DESTDIR) or as non-root it is installed 0755:
# packages set the mode their own way (dpkg-statoverride, %attr).
install: $(CUTOVER) $(HANDOFF_BIN)
	$(INSTALL) -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)/cutover
	$(INSTALL) -m 0755 $(HANDOFF_BIN) $(DESTDIR)$(HANDOFF_HELPER)
	@$(MAKE) --no-print-directory install-units
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
	  getent group cutover >/dev/null || { echo "groupadd --system cutover"; groupadd --system cutover; } && \
	  echo "$(INSTALL) -m 4750 -o root -g cutover $(CUTOVER) $(BINDIR)/cutover" && \
	  $(INSTALL) -m 4750 -o root -g cutover $(CUTOVER) $(BINDIR)/cutover; \
	else \
	  echo "$(INSTALL) -m 0755 $(CUTOVER) $(DESTDIR)$(BINDIR)/cutover  (not setuid: staged or not root)"; \
	  $(INSTALL) -m 0755 $(CUTOVER) $(DESTDIR)$(BINDIR)/cutover; \
	fi
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/pam.d
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/pam.d/cutover ]; then \
	  echo "keeping the existing $(DESTDIR)$(SYSCONFDIR)/pam.d/cutover"; \
	else \
	  echo "$(INSTALL) -m 0644 pam/cutover $(DESTDIR)$(SYSCONFDIR)/pam.d/cutover"; \
	  $(INSTALL) -m 0644 pam/cutover $(DESTDIR)$(SYSCONFDIR)/pam.d/cutover; \
	fi
	$(INSTALL) -d -m 0755 $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(PREFIX)/share/man/man5
	$(INSTALL) -m 0644 man/cutover.8 $(DESTDIR)$(PREFIX)/share/man/man8/cutover.8
	$(INSTALL) -m 0644 man/cutover-policy.5 $(DESTDIR)$(PREFIX)/share/man/man5/cutover-policy.5
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/cutover
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/cutover/policy.d
	@if [ -e $(DESTDIR)$(POLICY_PATH) ] || [ -L $(DESTDIR)$(POLICY_PATH) ]; then \
	  echo "keeping the existing $(DESTDIR)$(POLICY_PATH)"; \
	else \
	  echo "$(INSTALL) -m 0640 policy/examples/deny-all.conf $(DESTDIR)$(POLICY_PATH)"; \
	  $(INSTALL) -m 0640 policy/examples/deny-all.conf $(DESTDIR)$(POLICY_PATH); \
	fi

# The monitoring units (systemd/): cutover-verify@.timer and .service run a
# check every minute as _cutover-monitor, cutover-verify-failed@.service
# says why one failed; their paths are this build's.  The user and its
# grant are the packages' and the administrator's (README, "Monitoring").
SYSTEMDUNITDIR ?= /lib/systemd/system
UNITS := cutover-verify@.service cutover-verify@.timer cutover-verify-failed@.service \
	cutover-recover.service

install-units:
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(LIBEXECDIR)/cutover
	for u in $(UNITS); do \
	  sed -e 's|/usr/bin/cutover|$(BINDIR)/cutover|' \
	      -e 's|/usr/libexec/cutover|$(LIBEXECDIR)/cutover|' \
	      -e 's|/var/lib/prometheus/node-exporter|$(TEXTFILE_DIR)|' \
	      -e 's|/var/lib/cutover/intent|$(INTENT_DIR)|' \
	      systemd/$$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp && \
	  chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp && \
	  mv $(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done
	$(INSTALL) -m 0755 systemd/cutover-verify-failed $(DESTDIR)$(LIBEXECDIR)/cutover/cutover-verify-failed

# The policy is removed only when it is still the shipped deny-all one;
# an edited policy is left where it is.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cutover $(DESTDIR)$(HANDOFF_HELPER)
	rm -f $(DESTDIR)$(LIBEXECDIR)/cutover/cutover-verify-failed
	for u in $(UNITS); do rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/$$u; done
	-@rmdir $(DESTDIR)$(LIBEXECDIR)/cutover 2>/dev/null
	@if cmp -s pam/cutover $(DESTDIR)$(SYSCONFDIR)/pam.d/cutover; then \
	  echo "rm -f $(DESTDIR)$(SYSCONFDIR)/pam.d/cutover"; rm -f $(DESTDIR)$(SYSCONFDIR)/pam.d/cutover; \
	fi
	rm -f $(DESTDIR)$(PREFIX)/share/man/man8/cutover.8 $(DESTDIR)$(PREFIX)/share/man/man5/cutover-policy.5
	@if cmp -s policy/examples/deny-all.conf $(DESTDIR)$(POLICY_PATH); then \
	  echo "rm -f $(DESTDIR)$(POLICY_PATH)"; rm -f $(DESTDIR)$(POLICY_PATH); \
	elif [ -e $(DESTDIR)$(POLICY_PATH) ]; then \
	  echo "keeping $(DESTDIR)$(POLICY_PATH): it is not the shipped deny-all policy"; \
	fi
	-@rmdir $(DESTDIR)$(SYSCONFDIR)/cutover/policy.d 2>/dev/null
	-@rmdir $(DESTDIR)$(SYSCONFDIR)/cutover 2>/dev/null

# The Ansible collection (ansible/, issue 16) where ansible-core looks by
# default (its COLLECTIONS_PATHS: ~/.ansible/collections, then
# /usr/share/ansible/collections); the cutover-ansible package is this.
# Python's byte code is not installed (ansible-core makes its own), nor
# .ansible-lint (the collection's developers' lint settings).
ANSIBLE_COLLECTION := ansible_collections/cutover/deploy
ANSIBLE_DIR := $(PREFIX)/share/ansible/collections/$(ANSIBLE_COLLECTION)

install-ansible:
	cd ansible/$(ANSIBLE_COLLECTION) && \
	  for d in $$(find . -name __pycache__ -prune -o -type d -print); do \
	    $(INSTALL) -d -m 0755 "$(DESTDIR)$(ANSIBLE_DIR)/$$d" || exit 1; done && \
	  for f in $$(find . -name __pycache__ -prune -o -type f ! -name '.*' -print); do \
	    $(INSTALL) -m 0644 "$$f" "$(DESTDIR)$(ANSIBLE_DIR)/$$f" || exit 1; done

uninstall-ansible:
	rm -rf $(DESTDIR)$(ANSIBLE_DIR)
	-@for d in ansible_collections/cutover ansible_collections . ..; do \
	  rmdir $(DESTDIR)$(PREFIX)/share/ansible/collections/$$d 2>/dev/null; done

clean:
	rm -rf $(BUILD)
