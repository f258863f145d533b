# planeval - see README.md. `make report` and `make test` are the two
# commands a new machine needs; both install missing packages first.

CC      ?= cc
PKGS    := yaml-0.1 gsl
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT     ?= -O2 -g
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libcsv ships no pkg-config file in Debian; it is a plain -lcsv.
LIBS    := $(PKG_LIBS) -lcsv -lm
CFLAGS  += $(CSTD) $(WARN) $(OPT) $(PKG_CFLAGS)

BUILD   ?= build
SRC     := $(sort $(wildcard src/*.c))
LIBSRC  := $(filter-out src/main.c,$(SRC))
OBJ     := $(LIBSRC:src/%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)

.PHONY: all deps report test unit e2e sanitize clean check-sample valgrind

all: planeval

deps:
	@./.ci/install-deps

planeval: $(OBJ) $(BUILD)/main.o
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: src/%.c | $(BUILD)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD):
	@mkdir -p $(BUILD) $(BUILD)/unit

$(BUILD)/unit/%: tests/unit/%.c $(OBJ) | $(BUILD)
	$(CC) $(CFLAGS) -Isrc -o $@ $< $(OBJ) $(LIBS) -lcmocka

-include $(OBJ:.o=.d) $(BUILD)/main.d

# The sample evaluation: every plan in indicators/ into out/.
report: deps
	$(MAKE) planeval
	./planeval run

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

e2e: planeval
	@sh tests/e2e/run.sh

# Unit tests and the end-to-end suite again, built with ASan and UBSan.
sanitize:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" unit e2e PLANEVAL_BIN=build-asan/planeval

test: deps
	$(MAKE) planeval
	$(MAKE) unit
	$(MAKE) e2e
	$(MAKE) sanitize

clean:
	rm -rf build build-asan planeval
