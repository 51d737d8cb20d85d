# Two commands do everything on a fresh machine:  make book  and  make test.
# Both create .venv (Python >= 3.12) and install the pinned requirements first.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NBVAL_DIR := _build/nbval
# Seeds that nbval re-runs every chapter with, besides each chapter's own (which the build runs):
# make test SEEDS="1 2 3", make test-chapter CHAPTER=plots SEEDS=4.
SEEDS ?= 20261123
MATHJAX_VERSION := 3.2.2
MATHJAX := .cache/site-extra/mathjax/tex-chtml.js

# PyTensor caches the models it compiles inside the project (make clean removes it), not in ~/.pytensor.
export PYTENSOR_FLAGS := base_compiledir=$(CURDIR)/.cache/pytensor
# JAX keeps the samplers it compiles for NumPyro there too (by default it keeps none), so the nbval
# run and a re-build re-use what the build compiled. A reader's first run has neither cache.
export JAX_COMPILATION_CACHE_DIR := $(CURDIR)/.cache/jax
export JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS := 0
# Python 3.12's frozen modules make ipykernel's debugger print "frozen modules ... may make the debugger
# miss breakpoints" to stderr when a kernel starts; the build fails on stderr, and nobody debugs here.
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help venv lint book test test-chapter false-alarms notebooks lab figures bench clean

help:
	@echo "make book       build the website into _build/html (sets up .venv first)"
	@echo "make lint       ruff (Python files and the chapters' code cells), book conventions, workflow linters"
	@echo "make test       build the book, then unit tests, nbval over every chapter for other seeds, browser test"
	@echo "make lab        open the chapters as notebooks in JupyterLab"
	@echo "make notebooks  export the reader notebooks (the pages' downloads) into notebooks/"
	@echo "make figures    redraw the key figures in figures/"
	@echo "make bench      print the performance table (chapters first run and warm, floor, build, sampler choice, samplers)"
	@echo "make false-alarms N=50   every chapter with seeds 1..N, failures per chapter"
	@echo "make clean      remove the build, the caches and exported notebooks (not .venv)"

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@found=""; \
	for candidate in $(PYTHON) python3.13 python3.12 python3; do \
	  if command -v $$candidate >/dev/null 2>&1 && \
	     $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    found=$$candidate; break; fi; \
	done; \
	if [ -z "$$found" ]; then \
	  echo "error: Python 3.12 or newer is needed to build this book, and none was found." >&2; \
	  echo "       Tried: $(PYTHON), python3.13, python3.12, python3 ($$(python3 --version 2>&1))." >&2; \
	  echo "       Install Python 3.12 (e.g. 'pyenv install 3.12'; the repo's .python-version selects it)" >&2; \
	  echo "       or run: make PYTHON=/path/to/python3.12 <target>" >&2; \
	  exit 1; \
	fi; \
	if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
	  echo "Existing $(VENV) uses Python < 3.12; recreating it."; rm -rf $(VENV); fi; \
	[ -x $(BIN)/python ] || { echo "Creating $(VENV) with $$found ($$($$found --version))"; $$found -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# MathJax is served from the built site itself, so math renders offline. It comes from the npm
# registry at set-up time and is not committed.
$(MATHJAX):
	@command -v npm >/dev/null || { echo "error: npm (Node.js) is needed once to fetch MathJax $(MATHJAX_VERSION)" >&2; exit 1; }
	npm install --silent --no-audit --no-fund --prefix .cache/npm mathjax@$(MATHJAX_VERSION)
	rm -rf $(dir $(MATHJAX)) && mkdir -p $(dir $(MATHJAX))
	cp .cache/npm/node_modules/mathjax/es5/tex-chtml.js $(dir $(MATHJAX))
	cp -r .cache/npm/node_modules/mathjax/es5/output .cache/npm/node_modules/mathjax/es5/input $(dir $(MATHJAX))

# Chapters execute two at a time into the execution cache first (python -m booktools.prime_cache); the
# strict build then renders them, and re-runs any chapter that failed to report its error.
book: $(STAMP) $(MATHJAX)
	$(BIN)/python -m booktools.prime_cache --jobs 2
	$(BIN)/jupyter-book build . -W -n --keep-going

# The build executes every chapter with its own seed, and its hidden check cells fail the build
# when a result is wrong; then the unit tests, nbval over every chapter with the seeds in SEEDS,
# the reader notebooks (the pages' downloads) without the book's package and in a hosted-style
# stack (tests/test_hosted_stack.py; its report: _build/hosted-stack.txt), and the browser test.
test: lint book
	rm -rf $(NBVAL_DIR) _build/hosted-stack.txt
	$(BIN)/python -m booktools.export --out $(NBVAL_DIR) --seeds $(SEEDS)
	BOOK_MUST_BE_BUILT=1 $(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder --nbval-lax tests $(NBVAL_DIR)

# The pre-commit hooks (.pre-commit-config.yaml), all from .venv, so offline. A hook that changes a file
# (the formatters) fails the run: commit what it changed.
lint: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" PRE_COMMIT_HOME="$(CURDIR)/.cache/pre-commit" $(BIN)/pre-commit run --all-files --show-diff-on-failure

# The reader's notebooks (as the pages' downloads), with the outputs of the last build.
notebooks: $(STAMP)
	$(BIN)/python -m booktools.export --reader --out notebooks

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) chapters

# Everything the build and the tests make, but not .venv.
clean:
	rm -rf _build .cache notebooks .pytest_cache .hypothesis

# One chapter under nbval, for its own seed and the alternative ones: make test-chapter CHAPTER=plots
test-chapter: $(STAMP)
	rm -rf $(NBVAL_DIR)-$(CHAPTER)
	$(BIN)/python -m booktools.export --out $(NBVAL_DIR)-$(CHAPTER) --seeds default $(SEEDS) --only $(CHAPTER)
	$(BIN)/python -m pytest -p no:cacheprovider --nbval-lax $(NBVAL_DIR)-$(CHAPTER)

# The checks' false-alarm rate: every chapter, checks included, with seeds 1..N, two at a time; the
# table goes into benchmarks/false-alarms.csv, which the appendix (checking.md) shows.
N ?= 50
false-alarms: $(STAMP)
	$(BIN)/python -m booktools.false_alarms --seeds $(N)

# Performance table (see benchmarks/bench.py): make bench, or make bench PARTS=chapters,choice
PARTS ?= chapters,floor,build,choice,samplers
bench: $(STAMP) $(MATHJAX)
	$(BIN)/python -m benchmarks.bench --parts $(PARTS)

# The README's and landing page's key figures, copied from the chapters that draw them (executing
# only those chapters, and only if they are not in the execution cache yet).
figures: $(STAMP)
	$(BIN)/python -m booktools.prime_cache --jobs 2 --only plots pymc glm-two-ways
	$(BIN)/python -m booktools.figures
