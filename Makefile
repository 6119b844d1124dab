# The course's commands. Each target first creates or updates the local virtual environment
# (.venv) when pyproject.toml changed since the last install; otherwise that step is instant.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Quiet TensorFlow's C++ start-up lines and fix Python's hash seed for repeatable runs.
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0

.PHONY: venv run test test-browser lab bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable '.[test]'
	@touch $(STAMP)

## run: execute every notebook in order into build/ at full scale, print timings and the test accuracy
run: venv
	COURSE_SCALE=$${COURSE_SCALE:-full} $(BIN)/python -m course_utils.run_all

## test: unit tests, then pytest --nbval over every notebook (strict), at the quick scale
test: venv
	COURSE_SCALE=$${COURSE_SCALE:-quick} $(BIN)/python -m pytest

## test-browser: the widget notebooks run in JupyterLab in headless Chromium (Debian's chromium
## package); asserts live widgets and no errors, writes build/screenshots/. Reuses the model cache.
test-browser: venv
	@$(BIN)/python tests/browser/jupyter_browser.py
	$(BIN)/python -m pytest tests/browser/check_lab.py tests/browser/check_notebooks.py

## lab: JupyterLab on notebooks/ for students
lab: venv
	$(BIN)/jupyter lab notebooks/

## bench: the article recipe against the fast track, figures printed and saved to build/bench.json
bench: venv
	$(BIN)/python -m course_utils.bench

clean:
	rm -rf build
