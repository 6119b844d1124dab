# The course's commands. Each target first creates or updates the local virtual environment
# (.venv) when pyproject.toml changed since the last install; otherwise that step is instant.
# The environment variables every course process needs (TensorFlow's log level, the Keras backend,
# the hash seed) are set in one place, course_utils.ENVIRONMENT, by pytest's conftest, make run and
# each notebook's setup cell. The training budget is COURSE_BUDGET (quick unless you say full).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CLASS_STAMP := $(VENV)/.installed-class
CLASS_PROXY := class/node_modules/.bin/configurable-http-proxy

.PHONY: venv run test test-browser lab bench class test-class clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/pip || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable '.[test]'
	@touch $(STAMP)

## run: execute every notebook in order into build/notebooks with progress; COURSE_BUDGET=full for the long version
run: venv
	$(BIN)/python -m course_utils.run_all

## test: ruff, then the unit tests and pytest --nbval over every notebook (strict), in the two lanes of
## notebooks/order.toml at once (tests/lanes.py); each lane's output is also in build/lanes/
test: venv
	$(BIN)/ruff check .
	$(BIN)/python tests/lanes.py

## test-browser: the widget notebooks run in JupyterLab in headless Chromium (Debian's chromium
## package); asserts live widgets and no errors, writes build/screenshots/. Reuses the model cache.
test-browser: venv
	@$(BIN)/python tests/browser/jupyter_browser.py
	$(BIN)/python -m pytest tests/browser/check_lab.py tests/browser/check_notebooks.py

## lab: JupyterLab on notebooks/ for students, on 127.0.0.1 with a token (ALLOW_ROOT=1 to run it as root)
lab: venv
	@if [ "$$(id -u)" = 0 ] && [ -z "$(ALLOW_ROOT)" ]; then \
	  echo "make lab: Jupyter refuses to run as root; run it as a normal user, or allow it with: make lab ALLOW_ROOT=1"; \
	  exit 1; fi
	$(BIN)/jupyter lab --ip=127.0.0.1 $(if $(ALLOW_ROOT),--allow-root) notebooks/

## bench: the recipes side by side over 3 seeds, figures printed and saved to build/bench.json
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
