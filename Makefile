# Two commands do everything on a fresh machine: `make run` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
DEDUP  := $(VENV)/bin/dedup
SHARED ?= ../shared
# The Rust core (dedup._core): pip builds it with maturin; an edited source installs it again.
RUST_SOURCES := rust/Cargo.toml rust/Cargo.lock $(wildcard rust/src/*.rs)
CARGO := PYO3_PYTHON=$(abspath $(PY)) cargo

.PHONY: help run test test-slow lint fuzz limits eval eval-real audit-real real-duplicates bench bench-quick bench-core bench-stages same-outputs clean-out

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

# Two markers: cleaning needs only the base dependencies; the tests and tools need the dev extra
# (Spark, Scrapy, a browser driver...), which `make test` adds to a venv `make run` made.
$(VENV)/.installed-run: pyproject.toml $(RUST_SOURCES)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(RUST_SOURCES)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run  ## clean the bundled corpus/ into out/, with a summary
	@mkdir -p out
	$(DEDUP) clean corpus/pages.jsonl -o out/pages.cleaned.jsonl
	$(DEDUP) clean corpus/reference/page.txt -o out/reference.cleaned.txt

test: $(VENV)/.installed-dev  ## run the test suite (the Rust core's own tests, then pytest)
	$(CARGO) test -q --manifest-path rust/Cargo.toml
	$(PY) -m pytest -q -m "not slow"

test-slow: $(VENV)/.installed-dev  ## the large inputs: a 50 MB page, 10 and 20 MB lines, 500,000 short lines, 200,000 and 1,000,000 pages
	$(PY) -m pytest -q -m slow -s

limits: $(VENV)/.installed-dev  ## peak memory and time of dedup clean on each large input (scripts/limits.py)
	$(PY) scripts/limits.py

FUZZ_SECONDS ?= 300
fuzz: $(VENV)/.installed-dev  ## fuzz reading and cleaning with atheris for FUZZ_SECONDS (crashes saved in out/)
	$(PY) -m pip install -q -e '.[fuzz]'
	@mkdir -p out/fuzz-corpus
	@cp corpus/reference/page.txt out/fuzz-corpus/seed-reference
	@head -n 3 corpus/pages.jsonl | split -l 1 - out/fuzz-corpus/seed-line-
	$(PY) scripts/fuzz_clean.py out/fuzz-corpus -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -artifact_prefix=out/

lint: $(VENV)/.installed-dev  ## ruff (lint and format), mypy, cargo fmt and clippy, as .ci/run runs them
	$(VENV)/bin/ruff check dedup tests
	$(VENV)/bin/ruff format --check dedup tests
	$(VENV)/bin/mypy dedup
	$(CARGO) fmt --check --manifest-path rust/Cargo.toml
	$(CARGO) clippy -q --manifest-path rust/Cargo.toml --all-targets -- -D warnings

eval: $(VENV)/.installed-dev  ## score on the bundled labelled corpus, and on ../shared/dev-corpus when present
	@mkdir -p out
	$(DEDUP) clean corpus/pages.jsonl -o out/pages.cleaned.jsonl
	$(DEDUP) evaluate corpus/truth.jsonl out/pages.cleaned.jsonl
	@if [ -f $(SHARED)/dev-corpus/pages.jsonl ]; then \
	  $(DEDUP) clean $(SHARED)/dev-corpus/pages.jsonl -o out/dev.cleaned.jsonl && \
	  $(DEDUP) evaluate $(SHARED)/dev-corpus/truth.jsonl out/dev.cleaned.jsonl; \
	else echo "$(SHARED)/dev-corpus not found: skipped"; fi

eval-real: $(VENV)/.installed-dev  ## real pages in ../shared: HTML benchmarks (words kept/removed), Arabic scrapes
	$(PY) scripts/eval_html_bench.py $(SHARED)/corpus-data
	$(PY) scripts/inspect_real.py $(SHARED)/corpus-data --out out/real

audit-real: $(VENV)/.installed-dev  ## real pages in ../shared: runs left on 20%+ of a site's pages, removals that cut a sentence
	@mkdir -p out
	$(PY) scripts/real_audit.py $(SHARED)/corpus-data --json out/real-audit.json

real-duplicates: $(VENV)/.installed-dev  ## duplicate groups on the real scrapes in ../shared: members' similarity to their canonical
	$(PY) scripts/real_duplicates.py $(SHARED)/corpus-data

bench: $(VENV)/.installed-dev  ## speed and memory against the floor script and datasketch (several minutes)
	$(PY) scripts/bench.py $(BENCH_ARGS)

bench-quick: $(VENV)/.installed-dev  ## the same on a ~5 MB corpus, one round
	$(PY) scripts/bench.py --quick $(BENCH_ARGS)

bench-stages: $(VENV)/.installed-dev  ## the learning and cleaning passes in one process, stage by stage, µs a page (BASE=DIR: against another checkout)
	$(PY) scripts/bench_stages.py $(if $(BASE),--base $(BASE)) $(BENCH_ARGS)

bench-core: $(VENV)/.installed-dev  ## the Rust core's kernel alone on 4 and 16 million words (BASE=DIR: another checkout's too)
	$(PY) scripts/bench_stretches.py --shared $(SHARED)
	@if [ -n "$(BASE)" ]; then PYTHONPATH=$(BASE) $(PY) scripts/bench_stretches.py --shared $(SHARED); fi

BASE ?=
same-outputs: $(VENV)/.installed-dev  ## outputs of BASE=DIR (another checkout) and of this one, byte for byte, every input x executor (SAME_ARGS=--quick: 2 inputs)
	@test -n "$(BASE)" || { echo "usage: make same-outputs BASE=DIR [SAME_ARGS=--quick]"; exit 2; }
	@mkdir -p out
	$(PY) scripts/same_outputs.py --checkout $(BASE) --record out/same-outputs.json --shared $(SHARED) $(SAME_ARGS)
	$(PY) scripts/same_outputs.py --checkout . --against out/same-outputs.json --shared $(SHARED) $(SAME_ARGS)

clean-out:  ## remove out/
	rm -rf out
