# labctl: build the tool, test it, install it.
#   make                 bin/labctl
#   make DEVELOPER=1     ... with -Werror
#   make test            every test tier (unit, unit under ASan/UBSan, Python, browser, end-to-end)
#   make test-stress     ... and the end-to-end traces under a CPU hog, the e2e tier 3 times
#   make install PREFIX=/usr/local
#   make deps            install the Debian packages labctl needs (apt, as root)

VERSION   = 0.1.0
PREFIX   ?= /usr/local
CC       ?= cc
PKGS      = libgit2 libcurl libarchive libcrypto jansson inih libelf
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# The tests only: cmocka, and libyaml to parse the CI templates in ci/.
TEST_PKGS   = cmocka yaml-0.1
TEST_CFLAGS := $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   := $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null || echo -lcmocka -lyaml)

CFLAGS   ?= -O2 -g
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wno-unused-parameter
ifeq ($(DEVELOPER),1)
WARN     += -Werror
endif
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -Ilabctl $(WARN) $(CFLAGS) $(PKG_CFLAGS) \
             -DLABCTL_VERSION='"$(VERSION)"' -MMD -MP

# Everything labctl needs on Debian 12: to build it, to build the kernel, to
# boot and debug the lab, to grade, to test.  `make deps` installs them.
DEBIAN_PACKAGES = build-essential pkg-config libgit2-dev libcurl4-openssl-dev \
  libarchive-dev libssl-dev libjansson-dev libinih-dev libcmocka-dev libyaml-dev \
  flex bison bc libelf-dev ccache xz-utils ca-certificates \
  qemu-system-x86 gdb busybox-static gcc-multilib bubblewrap file git python3 \
  chromium stress-ng tmux
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

all: bin/labctl

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
	TESTS_TIERS="unit py browser e2e stress repeat" tests/run $(UNIT_BINS)

install: bin/labctl
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/labctl
	install -m 755 bin/labctl $(DESTDIR)$(PREFIX)/bin/labctl
	cp -R kernel-config rootfs gdb scenarios ci $(DESTDIR)$(PREFIX)/share/labctl/

deps:
	@if [ "$$(id -u)" -ne 0 ]; then echo "make deps: run as root (sudo make deps)" >&2; exit 1; fi
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(DEBIAN_PACKAGES) $(NODE_PACKAGES)

clean:
	rm -rf build bin

.PHONY: all test test-stress install deps clean
.SECONDARY:
-include $(shell find build -name '*.d' 2>/dev/null)
