# The README's commands. Everything a fresh Debian machine needs is installed here, idempotently.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Debian packages the tests and the demo start for real (broker, database, virtual screen, serial ptys,
# systemd-analyze/udevadm for the Pi's generated system files, Mesa for Kivy's offscreen window,
# pdftoppm to rasterise printed member cards in tests, Chromium and a font for the portal's browser tests,
# Pango for WeasyPrint's report PDFs, which pdftoppm and pdftotext read back in the tests).
DEB_PACKAGES := mosquitto postgresql xvfb xauth libmtdev1 socat systemd udev libgl1-mesa-dri libegl1 libgles2 poppler-utils \
  chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0
# Headless Kivy: no screen on CI or build machines.
export SDL_VIDEODRIVER ?= offscreen
export KIVY_NO_ARGS := 1
export KIVY_LOG_LEVEL ?= warning
export KIVY_NO_CONSOLELOG ?= 1
export KIVY_NO_FILELOG := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help deps system-deps venv test test-fast lint typecheck check demo bench soak clean

help:
	@echo "make demo   - run the whole system on this machine and print the result"
	@echo "make test   - install what the tests need and run them (under 15 minutes)"
	@echo "make bench  - performance figures beside raw baselines measured in the same run"
	@echo "make soak   - the fault-injection suite, longer"
	@echo "make check  - ruff and mypy"

deps: system-deps venv

system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing Python packages into $(VENV) (log: $(VENV)/pip.log)"
	@$(PY) -m pip install -q --upgrade pip > $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@$(PY) -m pip install -q -e '.[dev]' >> $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@touch $@

test: deps
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q -m "not soak" $(PYTEST_ARGS)

test-fast: venv
	$(PY) -m pytest -q -m "not soak and not slow" -x $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .

typecheck: venv
	$(VENV)/bin/mypy central edge sync drivers provisioning

check: lint typecheck

demo: deps
	$(PY) scripts/demo.py $(DEMO_ARGS)

bench: deps
	$(PY) scripts/bench.py $(BENCH_ARGS)

soak: deps
	KOP_SOAK=1 $(PY) -m pytest -q -m soak --timeout=3600 $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build *.egg-info demo-out bench-out
