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
BOOK_STAMP := $(VENV)/.installed-book
BOOK_AXE := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: venv run test test-browser lab bench class test-class clean
.PHONY: book test-book
.PHONY: translations sync-zh status-zh test-zh
.PHONY: test-colab

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/pip || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable '.[test]'
	@touch $(STAMP)

## run: execute every notebook in order into build/notebooks with progress; COURSE_BUDGET=full for the long version
## (COURSE_LANGUAGE=zh: its progress and summary in Chinese)
run: venv
	$(BIN)/python -m course_utils.run_all

## test: ruff, then the unit tests and pytest --nbval over every notebook (strict), in the two lanes of
## notebooks/order.toml at once (tests/lanes.py); each lane's output is also in build/lanes/
test: venv
	$(BIN)/ruff check .
	$(BIN)/python tests/lanes.py

## test-zh: pytest --nbval (strict) over the Chinese edition, notebooks/zh/, in one process (it reuses the model
## cache that make test filled; its notebook 04 trains the article's model again, as the English one does)
test-zh: venv
	$(BIN)/python -m pytest notebooks/zh

## test-browser: the widget notebooks run in JupyterLab in headless Chromium (Debian's chromium
## package); asserts live widgets and no errors, writes build/screenshots/. Reuses the model cache.
## The Chinese ones (notebooks/zh/) too, in a JupyterLab whose menus are Chinese (check_lab_zh.py).
test-browser: venv
	@$(BIN)/python tests/browser/jupyter_browser.py
	$(BIN)/python -m pytest tests/browser/check_lab.py tests/browser/check_notebooks.py tests/browser/check_lab_zh.py

## book: the course as a website in build/book/ (open build/book/index.html): the committed notebooks with their
## stored outputs, nothing executed; English in en/, Chinese in zh/ once notebooks/zh/ exists (book/build.py)
book: $(BOOK_STAMP)
	$(BIN)/python book/build.py

## test-book: build the website, serve it on 127.0.0.1 and check it in headless Chromium (links, launch buttons,
## language switch, search, folded solutions, axe-core); writes build/screenshots/ and build/book-checks/
test-book: book $(BOOK_AXE)
	@$(BIN)/python tests/browser/jupyter_browser.py
	$(BIN)/python -m pytest tests/browser/check_book.py

## test-colab: the install cell's path on Colab, in a fresh venv with only Colab's packages (build/colab/): a wheel
## of the course, notebook 01 alone in an empty folder, run with COURSE_PACKAGE=<the wheel> (tests/colab_path.py)
test-colab: venv
	$(BIN)/python tests/colab_path.py

# The book extra (Sphinx, MyST-NB, the theme, jieba) on top of the course's environment.
$(BOOK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --editable '.[test,book]'
	@touch $@

# axe-core, injected into each page by make test-book, from npm at the version of tests/browser/package-lock.json.
$(BOOK_AXE): tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund
	@touch $@

## lab: JupyterLab on notebooks/ for students, on 127.0.0.1 with a token (ALLOW_ROOT=1 to run it as root);
## COURSE_LANGUAGE=zh opens the Chinese edition, notebooks/zh/, with JupyterLab's menus in Chinese (settings
## copied into build/jupyterlab/, yours untouched) and course_utils speaking Chinese in its kernels
lab: venv
	@if [ "$$(id -u)" = 0 ] && [ -z "$(ALLOW_ROOT)" ]; then \
	  echo "make lab: Jupyter refuses to run as root; run it as a normal user, or allow it with: make lab ALLOW_ROOT=1"; \
	  exit 1; fi
	@arguments="$$($(BIN)/python -m course_utils.i18n lab-arguments $(COURSE_LANGUAGE))" && \
	  set -x && eval COURSE_LANGUAGE=$(or $(COURSE_LANGUAGE),en) \
	  $(BIN)/jupyter lab --ip=127.0.0.1 $(if $(ALLOW_ROOT),--allow-root) "$$arguments"

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

## translations: what course_utils says to a student, into its Chinese catalogue: extract the messages
## (babel.cfg), update course_utils/locale/zh_CN/LC_MESSAGES/course_utils.po (translate what is new
## there: tests/test_i18n.py fails on an empty or fuzzy entry), compile the .mo beside it; commit both
PO_OPTIONS := -i build/course_utils.pot -d course_utils/locale -D course_utils -l zh_CN --width=120 --previous \
  --ignore-obsolete
translations: venv
	@mkdir -p build
	$(BIN)/pybabel -q extract -F babel.cfg --ignore-dirs='.* ._ build class notebooks node_modules' \
	  --add-location=file --sort-by-file -c Translators: --project=course_utils -o build/course_utils.pot .
	@# The .po is rewritten only when a message changed (else only its date would change).
	$(BIN)/pybabel -q update --check --ignore-pot-creation-date $(PO_OPTIONS) 2>/dev/null || \
	  $(BIN)/pybabel -q update --init-missing $(PO_OPTIONS)
	$(BIN)/pybabel compile -d course_utils/locale -D course_utils -l zh_CN --statistics

## sync-zh: bring the Chinese notebooks (notebooks/zh/) up to the English ones: changed code cells copied
## (Chinese strings and comments kept where the code is otherwise the same), a "translate me" cell for each
## new English text cell; status-zh: what is out of date (course_utils/translation.py)
sync-zh: venv
	$(BIN)/python -m course_utils.translation sync
status-zh: venv
	$(BIN)/python -m course_utils.translation status

clean:
	rm -rf build
