# Anjungan: the two promises are `make demo` and `make test`, on a fresh
# Debian/Ubuntu machine. Each installs what is missing first: Debian packages
# with apt (only those not yet installed), Python packages into .venv from
# uv.lock, so every machine gets the same versions.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
TOOLS := .make/tools
UV_VERSION := 0.13.8
UV := $(TOOLS)/bin/uv
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Bytecode compiled at install, as pip does on a kiosk: a start does not
# compile every module again (nor does each server a test starts).
export UV_COMPILE_BYTECODE := 1

PACKAGES := bench cardio central contract kiosk offline_store printing testkit ui

# Debian packages, by what needs them.
APT_BUILD := gcc python3-dev python3-venv swig libpcsclite-dev
APT_CARDS := pcscd vsmartcard-vpcd
APT_QT := libgl1 libegl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 \
          xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
          libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0
APT_PRINT := fonts-dejavu-core poppler-utils zbar-tools cups cups-client printer-driver-cups-pdf
# The kiosk speaks (kiosk.speech) with espeak-ng's Indonesian and English voices,
# offline; the boards make their voice clips with it too. sox measures, in the
# tests, that the clips it makes have sound in them.
APT_SPEECH := espeak-ng sox
# The central server's tests run against a real PostgreSQL; they start their
# own throwaway cluster with the server binaries, so no service is enabled.
APT_CENTRAL := postgresql
# The kiosk's TLS tests put an nginx (their own child, on 127.0.0.1, with a test
# CA they make) in front of the central server.
APT_TLS := nginx
# The office pages: their tests drive Debian's chromium-headless-shell, the
# benchmarks and the pages' pictures its desktop chromium, as the offices run it
# (Playwright's own download is not needed; testkit/browser.py says why two).
APT_WEB := chromium chromium-headless-shell
# `make package-test` checks the packages' units with systemd-analyze (systemd
# need not be running) and their dependencies with apt-cache and ldd.
APT_PACKAGING := systemd
APT_PACKAGES := $(APT_BUILD) $(APT_CARDS) $(APT_QT) $(APT_PRINT) $(APT_SPEECH) $(APT_CENTRAL) $(APT_TLS) $(APT_WEB) $(APT_PACKAGING)

# The touchscreen's translations: .ts sources (Qt Linguist), .qm compiled here.
TS_FILES := $(wildcard ui/i18n/*.ts)
QM_FILES := $(TS_FILES:.ts=.qm)

.PHONY: help demo test lint typecheck pytest package package-test package-test-beside bench screenshots system-deps venv clean translations ts

help:
	@echo "make demo    install what is missing, then start the kiosk on demo defaults"
	@echo "make test    install what is missing, then lint, type-check and run the suite"
	@echo "make package build the kiosk's and the centre's .deb into dist/"
	@echo "make bench   run the benchmarks and write docs/benchmarks.md"
	@echo "make screenshots  refresh the pictures in docs/screenshots/"
	@echo "make ts      refresh ui/i18n/*.ts after changing texts in ui/texts.py"

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -q '^install ok installed' \
	    || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras --python $(PYTHON)
	@touch $@

venv: system-deps $(VENV)/.synced

translations: $(QM_FILES)

ui/i18n/%.qm: ui/i18n/%.ts | venv
	$(VENV)/bin/pyside6-lrelease -silent $< -qm $@

ts: venv
	$(VENV)/bin/pyside6-lupdate ui/texts.py -ts $(TS_FILES) -no-obsolete -locations none

# The demo's launcher (testkit/demo.py) plays BPJS and SATUSEHAT on 127.0.0.1,
# starts the demo centre with them and Mobile JKN's booking for Budi, then runs
# `kiosk demo --central URL $(DEMO_ARGS)`; all of it stops when the kiosk quits.
demo: venv translations
	$(VENV)/bin/python -m testkit.demo $(DEMO_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy

# tests/packaging/ needs the built packages: `make package-test` runs it after
# `make package`, and `make test` beside the rest of the suite, once they are built.
# The suite on one worker process per CPU and one more (pytest-xdist; `--dist
# loadgroup` is in pyproject.toml), at most 8: each worker starts its own PostgreSQL,
# centres and chromium. Much of a test's time is waiting on them: a whole run on 2
# CPUs used 1.2 of them with 2 workers and took 927 s, 1.7 with 4 and took 745 s.
# With two workers per CPU some tests missed deadlines for want of a CPU; with 3
# workers on 2 CPUs a whole run passed while other work kept the load at 7 to 9. Once
# the suite's centres were forked (testkit/centre_forks.py), 4 workers on 2 CPUs took
# as long as 3 beside other work (pytest 1,138 s against 1,139 s) and two tests missed
# their waits; alone on the machine, 4 workers kept the load at 7 to 8 and fell behind
# 3 workers' pace: the suite is bound by its CPU, not its waits.
# PYTEST_WORKERS=0 runs it in this process. The groups go to the workers the longest
# first, by tests/group_seconds.json; a run with
# PYTEST_ARGS="--store-group-seconds tests/group_seconds.json" records it afresh.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
#
# The project's own modules are compiled first, as `make bench` does and an installed
# wheel has them: with PYTHONDONTWRITEBYTECODE set (as on CI), every interpreter a
# test starts (a kiosk, a centre, a CLI) would otherwise compile them again from
# source, about 0.3 s of CPU each (tests/kiosk/test_doctor.py: 23.2 -> 19.6 s of CPU).
# The methods its dataclasses generate are compiled once too (kiosk/code_cache.py),
# as the kiosk's package ships them.
pytest: venv translations
	$(VENV)/bin/python -m compileall -q $(PACKAGES)
	$(VENV)/bin/python -m kiosk.cli.build_cache
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --maxprocesses 8 --ignore=tests/packaging $(PYTEST_ARGS)

# The type check, the packages' build and then the packages' own tests run beside the
# suite, on the CPU its waits leave (after it, the packages' tests added some 80 s to a
# run on two CPUs; beside it, on two workers, their dpkg runs mostly wait on the disk).
# Their output interleaves as it comes, so the suite's progress shows while it runs.
test: lint
	$(MAKE) --no-print-directory -j3 typecheck package-test-beside pytest

package-test-beside: package
	ANJUNGAN_DEB_DIR=$(DIST) $(VENV)/bin/pytest -n 2 tests/packaging $(PYTEST_ARGS)

# The kiosk's and the centre's Debian packages (packaging/deb/build.py): each
# with its own environment from uv.lock, built from uv's cache that `make venv`
# filled, compressed fast (zstd -1); written to dist/.
DIST := dist
package: venv
	$(VENV)/bin/python packaging/deb/build.py --out $(DIST)

# Installs both packages into scratch roots and checks what they put there; on the
# suite's workers, as each test module installs into its own root (the kiosk's and
# the centre's modules take about as long: on two CPUs, half the time of one).
PACKAGE_TEST = ANJUNGAN_DEB_DIR=$(DIST) $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --maxprocesses 8 tests/packaging $(PYTEST_ARGS)
package-test: package
	$(PACKAGE_TEST)

# The project's own modules compiled first, as an installed wheel has them, and the
# kiosk's dataclasses' code cache beside its bytecode, as its package has it.
bench: venv translations
	$(VENV)/bin/python -m compileall -q $(PACKAGES)
	$(VENV)/bin/python -m kiosk.cli.build_cache
	$(VENV)/bin/python -m bench

screenshots: venv translations
	xvfb-run -a -s "-screen 0 1080x1920x24" $(VENV)/bin/python -m ui.screenshots --out docs/screenshots
	$(VENV)/bin/python -m testkit.office_screenshots --out docs/screenshots

clean:
	rm -rf $(VENV) .make .pytest_cache .mypy_cache .ruff_cache demo-output dist $(QM_FILES)
