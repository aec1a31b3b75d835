# labctl: build the tool, test it, install it.
#   make                 bin/labctl
#   make DEVELOPER=1     ... with -Werror
#   make test            every test tier (unit, unit under ASan/UBSan, Python, browser, end-to-end)
#   make test-stress     ... and the end-to-end traces under a CPU hog, the e2e tier 3 times
#   make install PREFIX=/usr/local
#   make deb             build/deb/labctl_VERSION_amd64.deb (dpkg-buildpackage)
#   make deps            install the Debian packages labctl needs (apt, as root)

# One version for labctl and its package: debian/changelog's.
VERSION  := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
# The commit built from, as git's GIT-VERSION-GEN finds it ("-dirty" when the
# tree differs from it); empty outside a checkout.  make deb passes its own.
LABCTL_COMMIT ?= $(shell git rev-parse --git-dir >/dev/null 2>&1 && \
	{ git update-index -q --refresh; c=$$(git rev-parse --short=12 HEAD); \
	  test -z "$$(git diff-index --name-only HEAD --)" || c=$$c-dirty; echo $$c; })
PREFIX   ?= /usr/local
DATADIR   = $(PREFIX)/share/labctl
MANDIR    = $(PREFIX)/share/man
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  = $(PREFIX)/share/zsh/vendor-completions
CC       ?= cc
PKGS      = libgit2 libcurl libarchive libcrypto jansson inih libelf
# pkg-config's answers are asked for when first used, not when make reads this
# file: `make deps all` installs pkg-config and the -dev packages first.
lazy = $(eval $1 := $$(shell $2))$($1)
PKG_CFLAGS = $(call lazy,PKG_CFLAGS,pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(call lazy,PKG_LIBS,pkg-config --libs $(PKGS) 2>/dev/null)
# The tests only: cmocka, and libyaml to parse the CI templates in ci/.
TEST_PKGS   = cmocka yaml-0.1
TEST_CFLAGS = $(call lazy,TEST_CFLAGS,pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   = $(call lazy,TEST_LIBS,pkg-config --libs $(TEST_PKGS) 2>/dev/null || echo -lcmocka -lyaml)

CFLAGS   ?= -O2 -g
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wno-unused-parameter
ifeq ($(DEVELOPER),1)
WARN     += -Werror
endif
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -Ilabctl -Ibuild/gen $(WARN) $(CPPFLAGS) $(CFLAGS) \
             $(PKG_CFLAGS) -MMD -MP

# Everything labctl needs on Debian 12, in three lists; `make deps` installs
# them all.  The package's Depends are RUN_PACKAGES (debian/rules asks for
# them) and its Build-Depends BUILD_PACKAGES (tests/e2e/deb.sh compares).
# To build labctl:
BUILD_PACKAGES = debhelper-compat build-essential pkg-config libgit2-dev \
  libcurl4-openssl-dev libarchive-dev libssl-dev libjansson-dev libinih-dev \
  libelf-dev scdoc
# To run it: build the kernel, make the lab's programs (64- and 32-bit, static),
# boot and debug the guest, render the reports, grade in the sandbox:
RUN_PACKAGES = make gcc libc6-dev gcc-multilib flex bison bc libelf-dev libssl-dev \
  xz-utils ca-certificates apt qemu-system-x86 gdb python3 busybox-static bubblewrap
# Wanted, not needed: ccache (cached kernel objects across configurations).
RECOMMEND_PACKAGES = ccache
# To test it:
TEST_PACKAGES = libcmocka-dev libyaml-dev file git chromium stress-ng tmux zstd \
  debhelper lintian debootstrap bash-completion zsh man-db docker.io rsync python3-yaml
DEBIAN_PACKAGES = $(filter-out debhelper-compat,$(BUILD_PACKAGES)) $(RUN_PACKAGES) \
  $(RECOMMEND_PACKAGES) $(TEST_PACKAGES)
# Node and npm run the browser tier (tests/browser).  A node already there is
# kept: a nodejs package that carries npm itself conflicts with Debian's npm.
NODE_PACKAGES = $$(command -v npm >/dev/null || echo nodejs npm)

# labctl/ holds a folder per stage of the pipeline (ARCHITECTURE.md), cmd/
# (main.c and the commands) and lib/ (what every stage uses).
SRCS  := $(wildcard labctl/*/*.c)
# The libraries, without main.c and the commands: the unit tests link them
# (a library that called a command, or die(), would not link).
LIB_SRCS := $(filter-out labctl/cmd/%,$(SRCS))
TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

MANS := $(patsubst man/%.scd,build/man/%,$(wildcard man/*.scd))

all: bin/labctl $(MANS)

# The version and the commit, rewritten only when they change (as git's
# GIT-VERSION-FILE): a new commit recompiles the files that print it, not all.
VERSION_USERS = labctl/cmd/main.c labctl/source/http.c labctl/grade/grade-output.c
build/gen/version.h: FORCE
	@mkdir -p $(dir $@)
	@printf '#define LABCTL_VERSION "%s"\n#define LABCTL_COMMIT "%s"\n' \
		'$(VERSION)' '$(LABCTL_COMMIT)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
$(foreach f,plain asan,$(VERSION_USERS:%.c=build/$f/%.o)): build/gen/version.h

build/man/%: man/%.scd
	@mkdir -p $(dir $@)
	scdoc <$< >$@.tmp && mv $@.tmp $@

# Two flavours of every object: plain, and under ASan/UBSan for the tests.
build/plain/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -c -o $@ $<

build/plain/tests/%.o build/asan/tests/%.o: ALL_CFLAGS += $(TEST_CFLAGS)

SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

bin/labctl: $(SRCS:%.c=build/plain/%.o)
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
build/asan/bin/labctl: $(SRCS:%.c=build/asan/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/plain/tests/%: build/plain/tests/unit/%.o $(LIB_SRCS:%.c=build/plain/%.o)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)
build/asan/tests/%: build/asan/tests/unit/%.o $(LIB_SRCS:%.c=build/asan/%.o)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

UNIT_BINS = $(TESTS:%=build/plain/tests/%) $(TESTS:%=build/asan/tests/%)

test: bin/labctl build/asan/bin/labctl $(UNIT_BINS)
	tests/run $(UNIT_BINS)

test-stress: bin/labctl build/asan/bin/labctl $(UNIT_BINS)
	TESTS_TIERS="unit py browser e2e ci stress repeat" tests/run $(UNIT_BINS)

# The data labctl reads at run time (lib/datadir.c finds DATADIR from the
# binary's own path), without Python's byte-code caches.
DATA = kernel-config rootfs gdb scenarios ci

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 bin/labctl $(DESTDIR)$(PREFIX)/bin/labctl
	cp -R $(DATA) $(DESTDIR)$(DATADIR)/
	find $(DESTDIR)$(DATADIR) -name __pycache__ -prune -exec rm -rf {} +
	install -m 644 $(MANS) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 completion/labctl.bash $(DESTDIR)$(BASHCOMPDIR)/labctl
	install -m 644 completion/_labctl $(DESTDIR)$(ZSHCOMPDIR)/_labctl

# The package, built from a copy of the tree's files (git's, and new ones not
# ignored) so that dpkg-buildpackage's clean never touches this build/.
DEB_SRC = build/deb/labctl-$(VERSION)
deb:
	rm -rf build/deb && mkdir -p $(DEB_SRC)
	git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t $(DEB_SRC)
	cd $(DEB_SRC) && LABCTL_COMMIT='$(LABCTL_COMMIT)' dpkg-buildpackage -us -uc -b
	@ls build/deb/labctl_$(VERSION)_*.deb

# What debian/rules reads (one source for the package's relations).
print-%:
	@echo $($*)

deps:
	@if [ "$$(id -u)" -ne 0 ]; then echo "make deps: run as root (sudo make deps)" >&2; exit 1; fi
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(DEBIAN_PACKAGES) $(NODE_PACKAGES)

# What a grading machine needs and no more (a CI job in debian:12, ci/):
# build labctl, build or import the kernel, grade.
deps-run:
	@if [ "$$(id -u)" -ne 0 ]; then echo "make deps-run: run as root" >&2; exit 1; fi
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$(filter-out debhelper-compat,$(BUILD_PACKAGES)) $(RUN_PACKAGES)

clean:
	rm -rf build bin

.PHONY: all test test-stress install deb deps deps-run clean FORCE
.SECONDARY:
-include $(shell find build -name '*.d' 2>/dev/null)
