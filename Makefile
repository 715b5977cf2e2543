# One-command entry points for a fresh machine: everything the project needs is
# installed here, into .venv (Python) and through apt (the browser for tests).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
BENCH_SIZES ?= 1000 20000 100000

.PHONY: install serve build test validate browser hooks bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian's chromium: Playwright's own browser download cannot reach its host here.
# With a Chinese font, as on a reader's phone: browser tests measure real text
# (widths, line breaks, print pages), not boxes for missing glyphs.
browser: $(CHROMIUM) $(CJK_FONT)

$(CHROMIUM) $(CJK_FONT):
	if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-wqy-microhei

validate: install
	$(BIN)/portal validate

build: install
	$(BIN)/portal build

serve: install
	$(BIN)/portal serve

test: install browser
	$(BIN)/python -m pytest

# Build time and memory at 1,000 / 20,000 / 100,000 records, against Hugo + Pagefind
# (Debian's hugo; GNU time measures peak memory).
bench: install
	if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	command -v hugo >/dev/null && [ -x /usr/bin/time ] || { $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq hugo time; }
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py $(BENCH_SIZES)

# Run portal validate, yamllint and ruff before every commit.
hooks: install
	$(BIN)/pre-commit install

clean:
	rm -rf $(VENV) site .pytest_cache
