# The course's commands. Each target first creates or updates the local virtual environment
# (.venv) when pyproject.toml changed since the last install; otherwise that step is instant.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CLASS_STAMP := $(VENV)/.installed-class
CLASS_PROXY := class/node_modules/.bin/configurable-http-proxy

# Quiet TensorFlow's C++ start-up lines and fix Python's hash seed for repeatable runs.
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0

.PHONY: venv run test lab bench class test-class clean

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

## lab: JupyterLab on notebooks/ for students
lab: venv
	$(BIN)/jupyter lab notebooks/

## bench: the article recipe against the fast track, figures printed and saved to build/bench.json
bench: venv
	$(BIN)/python -m course_utils.bench

## class: JupyterHub serving the course to a class on http://127.0.0.1:8000: see "Teaching a class" in README.md
class: $(CLASS_STAMP) $(CLASS_PROXY)
	$(BIN)/jupyterhub -f class/jupyterhub_config.py

## test-class: start that hub, serve three students notebook 01 at once, check each is kept to their own server
test-class: $(CLASS_STAMP) $(CLASS_PROXY)
	$(BIN)/python -m pytest class/test_class.py

# The class extra (JupyterHub) on top of the course's environment.
$(CLASS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --editable '.[test,class]'
	@touch $@

# The hub's proxy, configurable-http-proxy, from npm at the versions of class/package-lock.json.
$(CLASS_PROXY): class/package-lock.json
	npm ci --prefix class --no-audit --no-fund
	@touch $@

clean:
	rm -rf build
