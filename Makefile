# Two commands do everything on a fresh machine: `make run` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
DEDUP  := $(VENV)/bin/dedup
SHARED ?= ../shared

.PHONY: help run test test-slow lint eval eval-real bench clean-out

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

run: $(VENV)/.installed  ## clean the bundled corpus/ into out/, with a summary
	@mkdir -p out
	$(DEDUP) clean corpus/pages.jsonl -o out/pages.cleaned.jsonl
	$(DEDUP) clean corpus/reference/page.txt -o out/reference.cleaned.txt

test: $(VENV)/.installed  ## run the test suite
	$(PY) -m pytest -q -m "not slow"

test-slow: $(VENV)/.installed  ## run the large-input tests
	$(PY) -m pytest -q -m slow

lint: $(VENV)/.installed  ## ruff and mypy on dedup/
	$(VENV)/bin/ruff check dedup tests
	$(VENV)/bin/mypy dedup

eval: $(VENV)/.installed  ## score on the shared dev corpus and on a generated corpus
	$(PY) scripts/evaluate_dev.py $(SHARED)

eval-real: $(VENV)/.installed  ## words kept / removed on the real HTML benchmarks in ../shared
	$(PY) scripts/eval_html_bench.py $(SHARED)/corpus-data

clean-out:  ## remove out/
	rm -rf out
