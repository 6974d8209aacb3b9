# The course's commands. `make lab` and `make test` each create .venv on first use.
# Run `make help` for the list.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Reinstall only when the dependency list changes: the stamp's name is a hash of pyproject.toml.
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
JOBS   ?= 2
LAB_ARGS ?=
# Jupyter refuses to start as root (containers, Colab-like VMs) unless told it is fine.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LESSON ?= [0-9][0-9]

# Quiet, reproducible TensorFlow in every process and kernel started from here.
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg

.PHONY: help install lab test test-fast test-browser test-backends site site-preview solutions notebooks grade lint bench clean

help:
	@echo "make lab         start JupyterLab on notebooks/ at lesson 00 (installs on first run)"
	@echo "make test        install if needed, then run the whole test suite"
	@echo "make test-fast   unit tests only (no notebooks)"
	@echo "make test-browser lesson 01, the shape explorer, a JupyterHub workshop and the website, in headless Chromium"
	@echo "make test-backends every lesson, check, explainer and a graded batch on KERAS_BACKEND=jax and torch"
	@echo "make solutions   re-execute solutions/ in place (LESSON=03 for one), then rebuild notebooks/"
	@echo "make notebooks   rebuild notebooks/ from solutions/"
	@echo "make site        build the course website into build/site/ (offline); make site-preview serves it"
	@echo "make grade SUBMISSIONS=\"dir/*.ipynb\"  grade submitted notebooks into grades/"
	@echo "make bench       time and measure every lesson (see README)"
	@echo "make clean       remove .venv and caches"

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[cpu,test,hub]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (RNN course)" \
		--env TF_CPP_MIN_LOG_LEVEL 3 --env TF_ENABLE_ONEDNN_OPTS 0 >/dev/null
	$(BIN)/python -m helpers.kernels python3 >/dev/null
	@rm -f $(VENV)/.installed-*
	@touch $@
	@echo "Environment ready in $(VENV)."

lab: $(STAMP)
	cd notebooks && ../$(BIN)/jupyter lab 00_welcome.ipynb $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	@bash .ci/sandbox-setup.sh
	$(BIN)/python -m helpers.build --check
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval --nbval-kernel-name python3 tests solutions notebooks

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) tests -m "not slow"

# The course as a learner sees it: JupyterLab driven in Debian's headless Chromium through Playwright;
# and a workshop on a local JupyterHub with the classroom service (tests/browser/test_classroom_hub.py).
# Installs chromium (apt-get), the `browser` and `hub` extras and configurable-http-proxy (npm) when
# missing; screenshots: bench-results/browser/.
test-browser: $(STAMP)
	bash .ci/browser-setup.sh
	bash .ci/hub-setup.sh
	COURSE_BROWSER=1 $(BIN)/python -m pytest -v tests/browser

# The course website (README: "The course as a website"): build/site/index.html, built offline from
# solutions/' stored outputs. Installs the `site` extra when missing. Preview on 127.0.0.1:8000.
site: $(STAMP)
	@bash .ci/site-setup.sh
	$(BIN)/python -m helpers.site

SITE_PORT ?= 8000
site-preview:
	@test -f build/site/index.html || { echo "no build/site/index.html: run make site first"; exit 2; }
	@echo "Serving build/site at http://127.0.0.1:$(SITE_PORT)/ (Ctrl+C stops it)"
	$(PYTHON) -m http.server $(SITE_PORT) --bind 127.0.0.1 --directory build/site

# The course on Keras' other backends. Installs the `jax` and `torch` extras (CPU builds) into .venv once,
# proves lessons 06 and 07's per-backend claims and the explainer's on TensorFlow, then on each of BACKENDS
# runs every solution notebook (errors only where tagged raises-exception; verdicts as stored; other outputs
# not compared), the exercise and explainer tests and a graded batch. `make test` (TensorFlow, strict nbval)
# is unchanged. .ci/run runs it. OMP_NUM_THREADS=1: JOBS workers and their kernels already fill the cores, and
# PyTorch's OpenMP threads competing for them doubled its time here (measured: 309 s -> 160 s).
BACKENDS ?= jax torch
BACKEND_STAMP := $(VENV)/.backends-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
# The grader's own end-to-end tests (tests/test_grade_batch.py) judge notebooks, not a backend: they run once,
# in `make test`; here tests/backends/test_graded_batch_on_backend.py grades a batch on each backend.
BACKEND_TESTS ?= tests/backends tests/test_engine.py tests/test_exercises_common.py tests/test_check_garbage.py \
	tests/test_lesson_0[0-9].py
$(BACKEND_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[cpu,test,jax,torch]'
	@rm -f $(VENV)/.backends-*
	@touch $@

test-backends: $(BACKEND_STAMP)
	@bash .ci/sandbox-setup.sh
	COURSE_BACKENDS=1 KERAS_BACKEND=tensorflow $(BIN)/python -m pytest -q tests/backends/test_backend_differences.py \
		tests/backends/test_explain_backends.py
	@for backend in $(BACKENDS); do \
		echo "== KERAS_BACKEND=$$backend"; \
		OMP_NUM_THREADS=1 COURSE_BACKENDS=1 KERAS_BACKEND=$$backend $(BIN)/python -m pytest -n $(JOBS) --dist loadfile $(BACKEND_TESTS) \
			|| exit 1; \
	done

solutions: $(STAMP)
	$(BIN)/python -m helpers.build --execute $(wildcard solutions/$(LESSON)_*.ipynb)
	$(BIN)/python -m helpers.build

# Grade submitted notebooks: make grade SUBMISSIONS="submissions/*.ipynb" [OUT=grades]
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo 'usage: make grade SUBMISSIONS="folder/*.ipynb" [OUT=grades]'; exit 2; }
	@bash .ci/sandbox-setup.sh
	$(BIN)/python -m helpers.grade $(SUBMISSIONS) --out $(or $(OUT),grades) --jobs $(JOBS)

notebooks: $(STAMP)
	$(BIN)/python -m helpers.build

lint:
	$(PYTHON) ../shared/tools/course_lint.py

# `make bench` (RUNS=3 by default; FULL=1 also times one `make test`): table in bench-results/bench.md.
RUNS ?= 3
bench: $(STAMP)
	@bash .ci/sandbox-setup.sh
	$(BIN)/python -m helpers.bench --runs $(RUNS) $(if $(FULL),--full,)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
