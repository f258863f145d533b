# planeval - see README.md. `make report` and `make test` are the two
# commands a new machine needs; both install missing packages first.

CC      ?= cc
PKGS    := yaml-0.1 gsl xlsxwriter cairo zlib minizip expat libdeflate
# Linked from their Debian archives (.a, in the same -dev packages): each
# shared library costs a process its mapping, relocation and ~10-40 page
# faults, and on a virtual machine a fault is ~20 us. These six are whole
# in the binary; the rest stay shared (libhpdf and libxlsxwriter ship no
# archive, and load zlib, libpng and minizip themselves).
STATIC_PKGS := yaml-0.1 gsl libdeflate expat
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT     ?= -O2 -g
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Cairo is not linked: src/lazycairo.c loads it when a chart file is drawn.
PKG_LIBS   := $(shell pkg-config --libs $(filter-out cairo $(STATIC_PKGS),$(PKGS)) 2>/dev/null)
# -lm stays shared: it is glibc's.
STATIC_LIBS := $(filter-out -lm,$(shell pkg-config --libs --static $(STATIC_PKGS) 2>/dev/null))
# libcsv ships no pkg-config file in Debian; it is a plain -lcsv.
# fontconfig is not linked either: src/lazyfc.c loads it when a font is looked up by family.
# libcrypto is loaded with libxlsxwriter (its MD5, for images) whatever a
# run does. Named first, by its runtime file (libssl3: no -dev package), it
# comes first in the dynamic linker's search, so the ~3,200 symbols it binds
# to itself at load (BIND_NOW) are found after two objects instead of eight:
# 0.8 M of a process's 4.7 M instructions before main. It defines nothing
# else any loaded object asks for (only MD5_*, which libxlsxwriter takes
# from it anyway), so no symbol binds differently.
CRYPTO_FIRST := -Wl,--push-state,--no-as-needed -l:libcrypto.so.3 -Wl,--pop-state
LIBS    := -Wl,-Bstatic $(STATIC_LIBS) -lcsv -Wl,-Bdynamic $(CRYPTO_FIRST) $(PKG_LIBS) -lhpdf -lm
CFLAGS  += $(CSTD) $(WARN) $(OPT) $(PKG_CFLAGS)

BUILD   ?= build
SRC     := $(sort $(wildcard src/*.c))
LIBSRC  := $(filter-out src/main.c,$(SRC))
OBJ     := $(LIBSRC:src/%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)

.PHONY: all deps test-deps report test unit e2e readers sanitize clean valgrind bench bench-python calibration calibrate \
	install uninstall install-check FORCE

# Where `make install` puts things; the binary looks for its shipped
# templates, catalogue and data dictionary in SHAREDIR when the working
# directory has none ($PLANEVAL_SHAREDIR overrides it at run time).
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
SHAREDIR ?= $(PREFIX)/share/planeval
MANDIR  ?= $(PREFIX)/share/man

all: planeval

# What building and running need (make report, make install) ...
deps:
	@./.ci/install-deps

# ... and what the tests need as well (make test): .ci/install-deps --list shows both.
test-deps:
	@./.ci/install-deps --test

# The commit the binary is built from and its share directory, rewritten
# only when they change (so that main.o is rebuilt then, and only then).
$(BUILD)/version.h: FORCE
	@mkdir -p $(BUILD)
	@c=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	if [ "$$c" != unknown ] && ! git diff --quiet HEAD -- 2>/dev/null; then c="$$c-dirty"; fi; \
	printf '#define PLANEVAL_COMMIT "%s"\n#define PLANEVAL_SHAREDIR "%s"\n' "$$c" "$(SHAREDIR)" >$@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

$(BUILD)/main.o: $(BUILD)/version.h
$(BUILD)/main.o: CFLAGS += -I$(BUILD)

# The Garwood intervals of small counts (forecast.c), tabulated by GSL
# itself at build time: src/gen/garwood_gen.c links garwood.o alone.
$(BUILD)/garwood_gen: src/gen/garwood_gen.c $(BUILD)/garwood.o
	$(CC) $(CFLAGS) $(LDFLAGS) -Isrc -o $@ $^ $(shell pkg-config --libs gsl 2>/dev/null) -lm

$(BUILD)/garwood_table.h: $(BUILD)/garwood_gen
	$(BUILD)/garwood_gen $@.tmp && mv -f $@.tmp $@

$(BUILD)/forecast.o: $(BUILD)/garwood_table.h
$(BUILD)/forecast.o: CFLAGS += -I$(BUILD)

$(BUILD)/planeval: $(OBJ) $(BUILD)/main.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

planeval: $(BUILD)/planeval
	cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c $(OBJ) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Isrc -o $@ $< $(OBJ) $(LIBS) -lcmocka

-include $(OBJ:.o=.d) $(BUILD)/main.d

# The sample evaluation: every plan in indicators/ into out/.
report: deps
	$(MAKE) planeval
	./planeval run

# The binary, the shipped templates, catalogue and data dictionary, and the
# man pages planeval(1) and planeval-yaml(5).
install: $(BUILD)/planeval
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/templates $(DESTDIR)$(SHAREDIR)/variables \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(BUILD)/planeval $(DESTDIR)$(BINDIR)/planeval
	install -m 644 templates/*.yaml $(DESTDIR)$(SHAREDIR)/templates/
	install -m 644 indicators/catalogue.yaml $(DESTDIR)$(SHAREDIR)/catalogue.yaml
	install -m 644 data/variables/*.yaml $(DESTDIR)$(SHAREDIR)/variables/
	install -m 644 docs/man/planeval.1 $(DESTDIR)$(MANDIR)/man1/planeval.1
	install -m 644 docs/man/planeval-yaml.5 $(DESTDIR)$(MANDIR)/man5/planeval-yaml.5

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/planeval $(DESTDIR)$(MANDIR)/man1/planeval.1 \
	    $(DESTDIR)$(MANDIR)/man5/planeval-yaml.5
	rm -rf $(DESTDIR)$(SHAREDIR)

# An install into a temporary prefix run from an empty directory, the
# package lists of the two kinds of set-up, and the office examples of
# docs/operations.md (tests/install).
install-check: $(BUILD)/planeval
	sh tests/install/run.sh
	PLANEVAL=$(BUILD)/planeval sh tests/install/ops.sh

# Unit tests run from the repository root (their fixtures are under tests/unit/).
unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# Calibration of the forecasts (tests/calibration): series from known
# processes, forecast as the plans' are, their intervals and P(met) checked
# against the truth. `calibration` is the quick check of `make test`;
# `calibrate` draws more series and rewrites the table in docs/methodology.md.
$(BUILD)/calibrate: tests/calibration/calibrate.c $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Isrc -o $@ $< $(OBJ) $(LIBS)

# ... and the milestones' chances of completion (tests/calibration/milestones.c).
$(BUILD)/calibrate_milestones: tests/calibration/milestones.c $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Isrc -o $@ $< $(OBJ) $(LIBS)

calibration: $(BUILD)/calibrate $(BUILD)/calibrate_milestones
	$(BUILD)/calibrate
	$(BUILD)/calibrate_milestones

calibrate: $(BUILD)/calibrate $(BUILD)/calibrate_milestones
	$(BUILD)/calibrate --long --doc docs/methodology.md
	$(BUILD)/calibrate_milestones --long

e2e: $(BUILD)/planeval
	@PLANEVAL=$(BUILD)/planeval sh tests/e2e/run.sh

# The whole suite again (unit, end-to-end, the reader-checked suites),
# built with ASan and UBSan; chart_cases is linked with the same flags.
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
sanitize:
	ATOMIC_QUICK=1 HOSTILE_CPU_LIMIT=5 HOSTILE_QUICK=1 \
	$(MAKE) BUILD=build-asan OPT="-O1 -g $(SAN)" LDFLAGS="$(SAN)" CASES_CFLAGS="$(SAN)" unit e2e readers

test: test-deps
	$(MAKE) planeval
	$(MAKE) unit
	$(MAKE) calibration
	$(MAKE) e2e
	$(MAKE) readers
	$(MAKE) install-check
	$(MAKE) sanitize
	$(MAKE) valgrind
	$(MAKE) fuzz-smoke

# The outputs checked by independent readers: charts (PNG/SVG), the Excel
# workbook (openpyxl, LibreOffice recalculation), the PDFs (qpdf, pdffonts,
# pdftotext), the change report against the previous run (tests/changes),
# batch runs: -j, skipping, manifest, shards, a killed run (tests/batch),
# the wording of every brief and report, final and mid-term (tests/editorial),
# links planted at temporary names and in place of directories (tests/safety),
# data-collection workbooks: the round trip through openpyxl and LibreOffice
# for every sample plan, broken workbooks and CSV forms (tests/collect).
# a run killed at every step of its commits and stopped by signals
# (tests/atomic), hostile YAML refused within 1 s of CPU (tests/hostile).
# Each script ends with "N passed, M failed".
readers: $(BUILD)/planeval
	PLANEVAL=$(BUILD)/planeval PYTHON=/usr/bin/python3 CASES_CFLAGS="$(CASES_CFLAGS)" sh tests/charts/run.sh
	PLANEVAL=$(BUILD)/planeval PYTHON=/usr/bin/python3 sh tests/workbook/run.sh
	PLANEVAL=$(BUILD)/planeval sh tests/pdf/run.sh
	PLANEVAL=$(BUILD)/planeval PYTHON=/usr/bin/python3 sh tests/compare/run.sh
	PLANEVAL=$(BUILD)/planeval PYTHON=/usr/bin/python3 sh tests/changes/run.sh
	PLANEVAL=$(BUILD)/planeval PYTHON=/usr/bin/python3 sh tests/batch/run.sh
	PLANEVAL=$(BUILD)/planeval sh tests/editorial/run.sh
	PLANEVAL=$(BUILD)/planeval sh tests/safety/run.sh
	PLANEVAL=$(BUILD)/planeval PYTHON=/usr/bin/python3 sh tests/collect/run.sh
	PLANEVAL=$(BUILD)/planeval sh tests/atomic/run.sh
	PLANEVAL=$(BUILD)/planeval PYTHON=/usr/bin/python3 sh tests/hostile/run.sh

# The sample run under valgrind: no leaks, no errors.
valgrind: $(BUILD)/planeval
	valgrind --quiet --suppressions=tests/valgrind.supp --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
	    --error-exitcode=99 $(BUILD)/planeval run --force --out $(BUILD)/valgrind-out

clean:
	rm -rf build build-asan planeval

# Whole runs at scale (synthetic regions): median of REPEAT runs, per-region
# CPU, wall time, peak memory. `make bench SIZES="1 100"` for a quicker look.
# Then, per sample plan, the rendering time of the PDF reports and the CPU of
# the forecasts (tests/bench/pdf.sh).
SIZES ?= 1 100 1000
bench: $(BUILD)/planeval
	PLANEVAL=$(BUILD)/planeval sh tests/bench/bench.sh "$(SIZES)"
	PLANEVAL=$(BUILD)/planeval sh tests/bench/pdf.sh

# planeval against an equivalent Python pipeline (numpy/statsmodels,
# matplotlib, reportlab, XlsxWriter) on the same synthetic regions: CPU per
# region of each and the ratio (tests/bench/python_compare.sh; not in
# `make test`). `make bench-python BENCH_REGIONS=10` for more regions.
BENCH_REGIONS ?= 4
bench-python: $(BUILD)/planeval
	sh .ci/install-deps --bench
	PLANEVAL=$(BUILD)/planeval PYTHON=/usr/bin/python3 sh tests/bench/python_compare.sh $(BENCH_REGIONS)

# Fuzzing (tests/fuzz/run.sh): libFuzzer harnesses of the YAML, CSV and
# formula loaders, built with clang; each replays tests/fuzz/regressions/
# first, then fuzzes for the given seconds. fuzz-smoke (20 s each, run by
# `make test`) also checks that unsafe plan and region ids are refused
# (tests/fuzz/ids.sh); `make fuzz FUZZ_SECONDS=3600` for a longer hunt.
FUZZ_SECONDS ?= 300
.PHONY: fuzz fuzz-smoke
fuzz: test-deps
	sh tests/fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke: test-deps $(BUILD)/planeval
	PLANEVAL=$(BUILD)/planeval sh tests/fuzz/ids.sh
	sh tests/fuzz/run.sh 20
