"""The course in two languages (course_utils.i18n): the Chinese catalogue complete, in step with the code and
compiled; English output unchanged byte for byte; Chinese when the notebook says so; the glossary; figures that
refuse a glyph their font lacks; JupyterLab's Chinese language pack."""

from __future__ import annotations

import ast
import collections
import gettext
import gzip
import io
import json
import os
import re
import secrets
import signal
import string
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

import course_utils
from course_utils import i18n
from course_utils.data import MNIST_FILES, MnistDataError, download_advice, load_mnist, read_idx
from course_utils.exercises import (
    ex01_loading,
    ex02_preparing,
    ex03_building,
    ex04_training,
    ex05_history,
    ex06_article,
    ex06_evaluating,
    ex07_inside,
    ex08_regularising,
    ex09_optimizers,
    ex10_fast_track,
    ex11_augmentation,
    ex12_distributed,
    ex13_playground,
)

ROOT = Path(__file__).resolve().parents[1]
PO = i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "course_utils.po"
MO = PO.with_suffix(".mo")


@pytest.fixture
def language():
    """Switch the course's language inside a test (``language("zh")``); English again afterwards."""
    before = i18n.get_language()
    yield i18n.set_language
    i18n.set_language(before)


def catalogue():
    with PO.open("rb") as file:
        return read_po(file)


def messages():
    return [message for message in catalogue() if message.id]


def message_id(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


# --- The catalogue ---------------------------------------------------------------------------------

def translations_of(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def test_every_message_has_a_chinese_translation():
    untranslated = [message_id(m) for m in messages() if not all(translations_of(m))]
    fuzzy = [message_id(m) for m in messages() if m.fuzzy]
    assert not untranslated, f"no Chinese in {PO.name} for: {untranslated}"
    assert not fuzzy, f"fuzzy (a guess by make translations: check it, then remove the fuzzy flag): {fuzzy}"
    assert len(messages()) >= 90


def placeholders(text: str) -> collections.Counter:
    """The ``{fields}`` of a message with their conversions and format specs (literal ``{{ }}`` left out)."""
    return collections.Counter((name, conversion, spec) for _, name, spec, conversion in string.Formatter().parse(text)
                               if name is not None)


def test_each_translation_keeps_the_placeholders_of_its_message():
    wrong = []
    for message in messages():
        english = message.id if isinstance(message.id, str) else message.id[-1]  # Chinese has the plural's one form
        for chinese in translations_of(message):
            if placeholders(chinese) != placeholders(english):
                wrong.append(f"{english!r}: {sorted(placeholders(english))} but {chinese!r}: "
                             f"{sorted(placeholders(chinese))}")
    assert not wrong, "\n".join(wrong)


def test_the_catalogue_is_up_to_date_with_the_code():
    """What make translations would extract (babel.cfg) is what the catalogue holds: no message without a
    translation entry, no entry for a message the code no longer says."""
    method_map, options_map = parse_mapping_cfg(io.StringIO((ROOT / "babel.cfg").read_text(encoding="utf-8")))
    skip = {"build", "class", "notebooks", "node_modules"}
    extracted = {(context, message if isinstance(message, str) else tuple(message))
                 for _, _, message, _, context in extract_from_dir(
                     ROOT, method_map, options_map,
                     directory_filter=lambda path: not {part for part in Path(path).parts} & skip
                     and not Path(path).name.startswith("."))}
    stored = {(message.context, message.id if isinstance(message.id, str) else tuple(message.id))
              for message in messages()}
    assert extracted - stored == set(), "new messages: run make translations, then translate them in " + PO.name
    assert stored - extracted == set(), "messages the code no longer says: run make translations"


def test_the_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as file:
        compiled = gettext.GNUTranslations(file)._catalog
    expected = {}
    for message in catalogue():
        context = f"{message.context}\x04" if message.context else ""  # how gettext keys a pgettext message
        if isinstance(message.id, str):
            expected[context + message.id] = message.string
        else:
            for index, text in enumerate(message.string):
                expected[(context + message.id[0], index)] = text
    compiled_header = compiled.pop("")
    assert compiled == {key: value for key, value in expected.items() if key != ""}, \
        f"{MO.name} is older than {PO.name}: run make translations (or pybabel compile) and commit both"
    assert "Plural-Forms: nplurals=1; plural=0;" in compiled_header


def test_the_chinese_uses_the_glossarys_terms():
    """A message that uses a glossary term in English uses its Chinese term (zh, or a name in zh_also)."""
    terms = [term for term in i18n.glossary() if term.check]
    wrong = []
    for message in messages():
        english = re.sub(r"\{[^{}]*\}", " ", " ".join([message.id] if isinstance(message.id, str) else message.id))
        chinese = " ".join(translations_of(message))
        for term in terms:
            word = re.sub(r"\s*\(.*\)$", "", term.en)
            if re.search(rf"(?<![\w-]){re.escape(word)}(s|es)?(?![\w-])", english, re.IGNORECASE) and \
                    not any(name in chinese for name in term.zh_names()):
                wrong.append(f"{term.en!r} -> {term.zh!r} not in {chinese!r}")
    assert not wrong, "\n".join(wrong)


def bindings_of_underscore(path: Path) -> list[str]:
    """Where a module that imports ``_`` from course_utils.i18n also binds the name ``_`` (``_, x = ...``,
    ``for _ in``): that hides the lookup, and the next ``_("...")`` calls a tuple item."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports = any(isinstance(node, ast.ImportFrom) and node.module == "course_utils.i18n"
                  and any(alias.name == "_" and alias.asname is None for alias in node.names)
                  for node in ast.walk(tree))
    if not imports:
        return []
    found = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == "_"
             and isinstance(node.ctx, ast.Store)]
    found += [node.lineno for node in ast.walk(tree) if isinstance(node, ast.arg) and node.arg == "_"]
    return [f"{path.relative_to(ROOT)}:{line}" for line in sorted(found)]


def test_no_module_that_translates_uses_underscore_as_a_throwaway_name():
    found = [where for path in sorted((ROOT / "course_utils").rglob("*.py")) for where in bindings_of_underscore(path)]
    assert not found, f"_ is the translation function there: name the unused value (_seconds, _name): {found}"


# --- Choosing the language -------------------------------------------------------------------------

def test_languages_and_their_spellings(language):
    for spelling in ("zh", "zh_CN", "zh-cn", "zh-Hans", "中文"):
        assert i18n.normalise_language(spelling) == "zh"
    for spelling in ("en", "EN", "en_US", "english"):
        assert i18n.normalise_language(spelling) == "en"
    with pytest.raises(i18n.LanguageError, match="not 'fr'"):
        language("fr")


def test_the_environment_variable_chooses_the_language_by_default(language, monkeypatch):
    monkeypatch.setenv(i18n.LANGUAGE_VARIABLE, "zh")
    assert language(None) == "zh"
    monkeypatch.delenv(i18n.LANGUAGE_VARIABLE)
    assert language(None) == "en"


def test_setup_course_takes_the_language_first_and_keeps_the_seed(language, monkeypatch):
    import keras
    import tensorflow as tf

    seeds = []
    monkeypatch.setattr(keras.utils, "set_random_seed", seeds.append)
    monkeypatch.setattr(tf.config.experimental, "enable_op_determinism", lambda: None)
    monkeypatch.delenv(i18n.LANGUAGE_VARIABLE, raising=False)
    with warnings.catch_warnings():
        course_utils.setup_course("zh")
        assert i18n.get_language() == "zh"
        course_utils.setup_course(language="en", seed=7)
        assert i18n.get_language() == "en"
        monkeypatch.setenv(i18n.LANGUAGE_VARIABLE, "zh")
        course_utils.setup_course()
        assert i18n.get_language() == "zh"
        course_utils.setup_course(3)  # the seed, positionally, as before
        assert i18n.get_language() == "zh"
    assert seeds == [course_utils.SEED, 7, course_utils.SEED, 3]


def test_messages_are_looked_up_when_they_are_said(language, tmp_path):
    missing = tmp_path / "nowhere"
    language("zh")
    with pytest.raises(MnistDataError) as chinese:
        load_mnist(missing)
    language("en")
    with pytest.raises(MnistDataError) as english:
        load_mnist(missing)
    assert "不是文件夹" in str(chinese.value) and "MNIST_DATA_DIR" in str(chinese.value)
    assert str(english.value).endswith("which is not a folder. Set it to the folder holding the four MNIST idx files "
                                       "(train-images-idx3-ubyte.gz, ...), or unset it to let Keras download the data.")


# --- English unchanged, Chinese when asked ---------------------------------------------------------

def idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def data_errors(folder: Path) -> dict[str, str]:
    """The data loader's errors for broken files, by case."""
    errors = {}

    def error(case, call):
        try:
            call()
        except MnistDataError as raised:
            errors[case] = str(raised)

    error("not a folder", lambda: load_mnist(Path("/no/such/mnist")))
    error("missing file", lambda: load_mnist(folder, checksums=None, counts=None))
    bad = folder / "bad"
    bad.write_bytes(b"\x01\x02\x03\x04rest")
    error("magic", lambda: read_idx(bad))
    bad.write_bytes(b"\x00\x00\x08\x03\x00\x00")
    error("header", lambda: read_idx(bad))
    bad.write_bytes(idx(np.zeros((3, 2, 2))))
    error("count", lambda: read_idx(bad, expected_count=5))
    bad.write_bytes(idx(np.zeros((3, 2, 2)))[:-1])
    error("size", lambda: read_idx(bad))
    bad.write_bytes(idx(np.zeros((3, 2, 2))))
    error("md5", lambda: read_idx(bad, expected_md5="0" * 32))
    gz = folder / "cut.gz"
    gz.write_bytes(gzip.compress(idx(np.zeros((3, 2, 2))))[:-8])
    error("gzip", lambda: read_idx(gz))
    return errors


def test_in_english_the_data_loaders_errors_are_as_before(language, tmp_path):
    """The texts as the code wrote them before they were wrapped for translation (the same f-strings)."""
    language("en")
    errors = data_errors(tmp_path)
    bad, gz, folder = tmp_path / "bad", tmp_path / "cut.gz", Path("/no/such/mnist")
    name = MNIST_FILES["train_images"]
    gz_error = errors["gzip"].split("(", 1)[1].split(")", 1)[0]
    assert errors == {
        "not a folder": f"MNIST_DATA_DIR points to {str(folder)!r}, which is not a folder. Set it to the folder "
                        "holding the four MNIST idx files (train-images-idx3-ubyte.gz, ...), or unset it to let Keras "
                        "download the data.",
        "missing file": f"{name}.gz (or {name}) is missing from {tmp_path}. Copy all four MNIST idx files there: "
                        + ", ".join(f"{n}.gz" for n in MNIST_FILES.values()) + ".",
        "magic": f"{bad} is not an MNIST idx file: wrong magic number (01020304); expected 00000801 for labels or "
                 "00000803 for images. Replace it with the original file.",
        "header": f"{bad} ends inside its header (6 bytes). Replace it with the original file.",
        "count": f"{bad} says it holds 3 items; the MNIST file holds 5. Replace it with the original file.",
        "size": f"{bad} has 11 bytes of data but its header (3, 2, 2) needs 12: the file is truncated or padded. "
                "Replace it with the original file.",
        "md5": f"{bad} does not match the published MNIST checksum (MD5 of the uncompressed content is "
               f"{errors['md5'].split('is ')[1].split(',')[0]}, expected {'0' * 32}): the file is damaged or modified. "
               "Download the original file again.",
        "gzip": f"{gz} is not a complete gzip file ({gz_error}): the download was probably cut short. Download it "
                "again, or delete it and put the uncompressed file there instead (a .gz is read first).",
    }
    relative = Path("no-such-relative-folder")
    with pytest.raises(MnistDataError) as raised:
        load_mnist(relative)
    assert str(raised.value).startswith(f"MNIST_DATA_DIR points to {str(relative)!r} (read from "
                                        f"{str(relative.resolve().parent)!r}; use an absolute path), which is not")


def test_in_chinese_the_data_loaders_errors_are_chinese(language, tmp_path):
    language("zh")
    errors = data_errors(tmp_path)
    assert len(errors) == 8
    for case, text in errors.items():
        assert re.search(r"[\u4e00-\u9fff]", text), (case, text)
    assert errors["md5"].startswith(f"{tmp_path / 'bad'} 与公布的 MNIST 校验和不符")
    assert "独热编码" in _raised(ValueError, lambda: __import__("course_utils.data").data.encode_labels(np.eye(10)))


def _raised(kind, call) -> str:
    with pytest.raises(kind) as raised:
        call()
    return str(raised.value)


def test_the_download_advice_is_said_in_the_current_language(language):
    language("en")
    files = ", ".join(f"{name}.gz" for name in MNIST_FILES.values())
    expected = (f"Without network, the course reads MNIST from a folder instead: copy the four MNIST idx files "
                f"({files}) into a folder and set the environment variable MNIST_DATA_DIR to that folder, e.g. export "
                "MNIST_DATA_DIR=$HOME/mnist before make run (in a notebook: %env MNIST_DATA_DIR=/path/to/mnist, then "
                "restart the kernel). Behind a proxy, set HTTPS_PROXY instead. See 'Troubleshooting' in the README.")
    from course_utils import data

    assert download_advice() == data.DOWNLOAD_ADVICE == expected
    language("zh")
    assert data.DOWNLOAD_ADVICE.startswith("没有网络时") and "export MNIST_DATA_DIR=$HOME/mnist" in download_advice()


def test_the_model_ready_line_is_as_before_in_english_and_chinese_when_asked(language, monkeypatch, capsys):
    from course_utils import cache
    from course_utils.training import ARTICLE

    for epochs, english, chinese in [(1, "1 epoch", "1 轮"), (3, "3 epochs", "3 轮")]:
        monkeypatch.setattr(cache, "load", lambda recipe, epochs=epochs: (None, {"loss": [0.1] * epochs}))
        language("en")
        cache.load_or_train(ARTICLE)
        language("zh")
        cache.load_or_train(ARTICLE)
        assert capsys.readouterr().out == (f"Model ready: recipe {ARTICLE.key()}, {english}\n"
                                           f"模型就绪：配方 {ARTICLE.key()}，{chinese}\n")


def test_the_cache_folder_error_is_chinese_when_asked(language, monkeypatch, tmp_path):
    from course_utils import cache

    blocked = tmp_path / "file"
    blocked.write_text("")
    monkeypatch.setenv(cache.CACHE_VARIABLE, str(blocked / "cache"))
    language("zh")
    assert "无法写入" in _raised(cache.CacheError, cache._check_writable)
    language("en")
    assert _raised(cache.CacheError, cache._check_writable).startswith(f"The model cache folder {blocked / 'cache'} "
                                                                       "cannot be written (")


def test_make_runs_lines_are_as_before_in_english(language):
    from course_utils import run_all

    language("en")

    class Failure:
        ename, evalue = "Exception", "URL fetch failure on https://storage.googleapis.com/mnist.npz"

    assert run_all.describe_error(Failure()) == f"Exception: {Failure.evalue}\n{download_advice()}"
    language("zh")
    assert "没有网络时" in run_all.describe_error(Failure())


def test_the_widgets_say_the_same_in_english_and_chinese_when_asked(language, tiny_data):
    from course_utils.widgets import digit_upload, draw_digit, training_playground, verdict

    probabilities = np.array([0.01, 0.02, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9, 0.07, 0.0])
    language("en")
    playground, upload, drawing = training_playground(tiny_data), digit_upload(None), draw_digit(None)
    assert verdict(probabilities) == "This looks like a 7 (90%). Second guess: 8 (7%)."
    assert [playground.optimizer.description, playground.learning_rate.description, playground.epochs.description,
            playground.batch_size.description, playground.train_size.description, playground.batch_norm.description,
            playground.dropout.description, playground.train_button.description, playground.stop_button.description,
            playground.clear_button.description] == ["Optimizer", "Learning rate", "Epochs", "Batch size", "Images",
                                                      "batch norm", "dropout 0.25", "Train", "Stop", "Clear runs"]
    assert playground.status.value == "Choose the settings, then click Train. Small runs take seconds."
    assert repr(playground) == f"Training playground ({playground.total:,} training images)"
    assert repr(upload) == "Digit upload" and upload.upload.description == "Upload a digit"
    assert upload.status.value == ("Upload a PNG or JPEG photo of one handwritten digit, up to 8 MB (dark pen on white "
                                   "paper works best).")
    assert repr(drawing) == "Draw a digit"
    assert drawing.canvas.get_state(["clear_label", "canvas_label"]) == {
        "clear_label": "Clear", "canvas_label": "Drawing area: draw one digit with the mouse, a pen or a finger"}
    language("zh")
    playground, upload, drawing = training_playground(tiny_data), digit_upload(None), draw_digit(None)
    assert verdict(probabilities) == "看起来是 7（90%）。其次可能是 8（7%）。"
    assert playground.train_button.description == "训练" and playground.dropout.description == "暂退法 0.25"
    assert repr(playground) == f"训练实验台（{playground.total:,} 张训练图像）"
    assert repr(upload) == "数字上传" and repr(drawing) == "手写一个数字"
    assert drawing.canvas.clear_label == "清除"
    assert drawing.canvas.canvas_label == "手写区：用鼠标、触控笔或手指写一个数字"


# --- The glossary ----------------------------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_glossary_term_has_both_languages_and_definitions():
    terms = i18n.glossary()
    assert 50 <= len(terms) <= 110, len(terms)
    for term in terms:
        assert term.en.strip() and term.en_definition.strip() and not CJK.search(term.en + term.en_definition), term
        assert CJK.search(term.zh) and CJK.search(term.zh_definition), term
        assert term.en_definition.endswith(".") and term.zh_definition.endswith("。"), term


def test_no_glossary_term_is_listed_twice():
    terms = i18n.glossary()
    english = collections.Counter(re.sub(r"\s*\(.*\)$", "", term.en).lower() for term in terms)
    chinese = collections.Counter(name for term in terms for name in term.zh_names())
    assert [word for word, count in english.items() if count > 1] == []
    assert [word for word, count in chinese.items() if count > 1] == []


def test_the_course_terms_are_in_the_glossary():
    english = {re.sub(r"\s*\(.*\)$", "", term.en).lower() for term in i18n.glossary()}
    for word in ("convolution", "feature map", "channel", "pooling", "stride", "padding", "flatten", "softmax",
                 "one-hot encoding", "cross-entropy", "gradient descent", "learning rate", "optimizer", "rmsprop",
                 "adam", "momentum", "epoch", "batch", "overfitting", "validation set", "test set", "accuracy",
                 "dropout", "data augmentation", "label smoothing", "learning-rate schedule", "warm-up",
                 "cosine decay", "distributed training", "replica", "automatic differentiation"):
        assert word in english, word


def test_the_glossary_as_a_markdown_table():
    terms = i18n.glossary()
    chinese, english = i18n.glossary_markdown("zh"), i18n.glossary_markdown("en")
    assert chinese.splitlines()[:2] == ["| 中文 | English | 释义 |", "| --- | --- | --- |"]
    assert english.splitlines()[0] == "| English | 中文 (Chinese) | Definition |"
    assert len(chinese.splitlines()) == len(english.splitlines()) == len(terms) + 2
    assert "| 卷积神经网络 | convolutional neural network (convnet, CNN) |" in chinese
    assert "| 汇聚（又作 池化） | pooling |" in chinese
    assert all(line.count(" | ") == 2 for line in chinese.splitlines())  # no stray pipe breaks a row


# --- Figures ---------------------------------------------------------------------------------------

def test_a_character_the_font_cannot_draw_fails_instead_of_showing_an_empty_box():
    from matplotlib.figure import Figure

    with warnings.catch_warnings(), matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        i18n.fail_on_missing_glyphs()
        figure = Figure()
        figure.subplots().set_title("Training loss")
        figure.savefig(io.BytesIO(), format="png")  # English: fine
        figure.axes[0].set_title("训练损失")
        with pytest.raises(UserWarning, match=r"Glyph \d+ .*missing from"):
            figure.savefig(io.BytesIO(), format="png")


def test_course_figures_stay_english():
    """Figure text is never translated (course_utils.i18n): no plotting code asks for a translation."""
    for name in ("plotting.py", "diagrams.py", "figures.py"):
        path = ROOT / "course_utils" / name
        if path.exists():
            source = path.read_text(encoding="utf-8")
            assert "course_utils.i18n" not in source and not CJK.search(source), name


# --- JupyterLab in Chinese -------------------------------------------------------------------------

def test_make_lab_in_chinese_opens_the_chinese_notebooks_with_the_menus_in_chinese(tmp_path, monkeypatch):
    own = tmp_path / "own-settings" / "@jupyterlab" / "apputils-extension"
    own.mkdir(parents=True)
    (own / "themes.jupyterlab-settings").write_text('{"theme": "JupyterLab Dark"}')
    monkeypatch.setattr(i18n, "_user_lab_settings", lambda: tmp_path / "own-settings")
    (tmp_path / "notebooks").mkdir()
    assert i18n.lab_arguments("en", tmp_path) == [str(tmp_path / "notebooks")]
    arguments = i18n.lab_arguments("zh", tmp_path)
    settings = tmp_path / "build" / "jupyterlab" / "zh" / "user-settings"
    assert arguments == [f"--LabApp.user_settings_dir={settings}", str(tmp_path / "notebooks")]  # no zh/ yet
    (tmp_path / "notebooks" / "zh").mkdir()
    assert i18n.lab_arguments("zh", tmp_path)[-1] == str(tmp_path / "notebooks" / "zh")
    assert '"locale": "zh_CN"' in (settings / i18n.TRANSLATION_PLUGIN).read_text()
    assert (settings / "@jupyterlab" / "apputils-extension" / "themes.jupyterlab-settings").exists()  # theirs, copied
    assert sorted(path.name for path in (tmp_path / "own-settings").rglob("*") if path.is_file()) == [
        "themes.jupyterlab-settings"]  # and left as they were


def test_the_lab_arguments_command_refuses_an_unknown_language(capsys):
    assert i18n.main(["lab-arguments", "fr"]) == 2
    assert "not 'fr'" in capsys.readouterr().err


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server on 127.0.0.1 (a free port, a random token) with make lab's Chinese settings;
    always stopped. Yields ``get(path)``, the parsed JSON of an API path."""
    token = secrets.token_urlsafe(24)
    runtime = tmp_path / "runtime"
    settings = i18n.lab_settings(tmp_path / "settings", "zh")
    environment = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(runtime)}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", "--ServerApp.port=0",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}",
               f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
               "--ServerApp.terminals_enabled=False", "--LabApp.extension_manager=readonly"]
    if os.geteuid() == 0:
        command.append("--ServerApp.allow_root=True")
    log = tmp_path / "server.log"
    with open(log, "w") as output:
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        url, deadline = None, time.monotonic() + 90
        while url is None and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            for info in runtime.glob(f"jpserver-{process.pid}.json"):
                try:
                    url = f"http://127.0.0.1:{json.loads(info.read_text())['port']}/"
                except (json.JSONDecodeError, KeyError):
                    pass
            time.sleep(0.2)
        assert url, f"JupyterLab did not start:\n{log.read_text()}"

        def get(path: str):
            request = urllib.request.Request(url + path, headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())

        yield get
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


def test_jupyterlab_loads_the_chinese_language_pack_and_the_chinese_setting(lab):
    languages = lab("lab/api/translations")["data"]
    assert "zh_CN" in languages, languages
    pack = lab("lab/api/translations/zh_CN")["data"]["jupyterlab"]
    menus = {key: pack.get(key) for key in ("Edit", "Run", "Settings", "Help")}
    assert menus == {"Edit": ["编辑"], "Run": ["运行"], "Settings": ["设置"], "Help": ["帮助"]}, menus
    chinese = sum(bool(CJK.search(" ".join(value))) for key, value in pack.items() if key and isinstance(value, list))
    assert chinese > 1000
    plugin = lab("lab/api/settings/@jupyterlab/translation-extension:plugin")
    assert plugin["settings"]["locale"] == "zh_CN"


def test_the_test_set_explorer_in_english_and_chinese(language, tiny_data):
    from course_utils.widgets import digit_explorer

    labels = tiny_data.labels_test[:3]
    probabilities = np.eye(10, dtype="float32")[labels] * 0.9 + 0.01

    def model(images, training=False):  # right about every digit, 91% sure
        return probabilities[: len(images)]

    texts = {}
    for name in ("en", "zh"):
        language(name)
        explorer = digit_explorer(model, tiny_data.x_test[:3], labels)
        first = explorer.status.value
        explorer.only_wrong.value = True  # no mistakes to step through
        texts[name] = (repr(explorer), explorer.slider.description, explorer.only_wrong.description, first,
                       explorer.status.value)
    digit = int(labels[0])
    assert texts["en"] == ("Test set explorer (3 digits)", "Test image", "only misclassified (0)",
                           f"Test image 0: true {digit} · predicted {digit} (91%) ✔",
                           "No misclassified digits: the model gets every one of them right.")
    assert texts["zh"] == ("测试集浏览器（3 个数字）", "测试图像", "只看误分类的（0）",
                           f"测试图像 0：真实标签 {digit} · 预测 {digit}（91%） ✔",
                           "没有误分类的数字：模型把每一个都判断对了。")


# --- The exercises, the digit images and the time left ---------------------------------------------

#: The modules whose messages go through the catalogue: every exercise module, the widgets, and what the digit
#: images, make run's progress, the results files, the training budget and the experiments print.
TRANSLATED_MODULES = ["course_utils/exercises/core.py", *(f"course_utils/exercises/ex{name}.py" for name in (
                          "01_loading", "02_preparing", "03_building", "04_training", "05_history", "06_evaluating",
                          "06_article", "07_inside", "08_regularising", "09_optimizers", "10_fast_track",
                          "11_augmentation", "12_distributed", "13_playground")),
                      "course_utils/digit_image.py", "course_utils/progress.py", "course_utils/callbacks.py",
                      "course_utils/widgets/common.py", "course_utils/widgets/digits.py",
                      "course_utils/widgets/explorer.py", "course_utils/widgets/playground.py",
                      "course_utils/results.py", "course_utils/budget.py", "course_utils/experiments.py"]

#: 05's history, 06's predictions and 13's model, made up (no training): the same as the lesson tests'.
HISTORY = {"loss": [0.2739, 0.0597, 0.0366, 0.0260, 0.0188, 0.0139, 0.0118, 0.0096, 0.0072, 0.0066],
           "accuracy": [0.9143, 0.9811, 0.9886, 0.9923, 0.9944, 0.9956, 0.9964, 0.9972, 0.9980, 0.9978],
           "val_loss": [0.0758, 0.0360, 0.0353, 0.0318, 0.0312, 0.0338, 0.0309, 0.0379, 0.0330, 0.0357],
           "val_accuracy": [0.9790, 0.9906, 0.9906, 0.9920, 0.9930, 0.9918, 0.9914, 0.9924, 0.9930, 0.9932]}
LABELS = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 3, 0, 1, 2, 4, 5, 6, 8, 9])
PROBABILITIES = np.eye(10)[[0, 1, 2, 8, 4, 5, 6, 8, 8, 9, 8, 5, 0, 1, 2, 4, 5, 6, 8, 9]] * 0.9 + 0.01
PLAY_IMAGES = (np.random.default_rng(2).random((60, 28, 28, 1)).astype("float32")
               * (np.arange(28) < 14)[None, None, :, None])


class TemplateModel:
    """13's model: the nearest of 10 fixed templates, by dot product; thrown by shifts and by inversion."""

    def __init__(self):
        self.templates = np.random.default_rng(1).random((10, 28 * 28)).astype("float32")

    def __call__(self, images, training=False):
        scores = np.asarray(images).reshape(len(images), -1) @ self.templates.T
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)


def playground_exercises():
    model = TemplateModel()
    return ex13_playground.exercises(model, PLAY_IMAGES, np.asarray(model(PLAY_IMAGES)).argmax(axis=1))


#: How a notebook binds each module's exercises (the factories of 05, 06 and 13 take what the notebook computed).
TRANSLATED_EXERCISES = {
    ex01_loading: ex01_loading.exercises, ex02_preparing: ex02_preparing.exercises,
    ex03_building: ex03_building.exercises, ex04_training: ex04_training.exercises,
    ex05_history: lambda: ex05_history.exercises(HISTORY),
    ex06_evaluating: lambda: ex06_evaluating.exercises(PROBABILITIES, LABELS),
    ex07_inside: ex07_inside.exercises, ex08_regularising: ex08_regularising.exercises,
    ex09_optimizers: ex09_optimizers.exercises, ex10_fast_track: ex10_fast_track.exercises,
    ex11_augmentation: ex11_augmentation.exercises, ex12_distributed: ex12_distributed.exercises,
    ex13_playground: playground_exercises,
}


@pytest.fixture
def setup_cell(monkeypatch):
    """``setup_course(language)`` as a notebook's first cell calls it (without seeding Keras or making its ops
    deterministic), with 01's checkers on a few made-up images instead of MNIST; English again afterwards."""
    import keras
    import tensorflow as tf

    monkeypatch.setattr(keras.utils, "set_random_seed", lambda seed: None)
    monkeypatch.setattr(tf.config.experimental, "enable_op_determinism", lambda: None)
    monkeypatch.setattr(ex01_loading, "mnist", made_up_mnist)
    try:
        with warnings.catch_warnings():  # setup_course makes a missing glyph an error: for this test only
            yield course_utils.setup_course
    finally:
        i18n.set_language("en")


def made_up_mnist():
    """40 images of scattered ink, labelled 0 to 9 in turn, shaped like MNIST's (the test set: the first 20)."""
    images = (np.random.default_rng(0).random((40, 28, 28)) > 0.8).astype("uint8") * 255
    labels = np.arange(40) % 10
    return (images, labels), (images[:20], labels[:20])


#: One wrong answer per module, with the feedback it got before the messages were translated (core's own: text).
WRONG_ANSWERS = [
    (ex01_loading, "q3", 300, "that is what a calculator gives, but the pixels are uint8: they hold only 0 to 255."),
    (ex02_preparing, "q1", (500, 32, 32, 1), "a colour photo has more than one channel: one for each of red, green "
                                             "and blue."),
    (ex03_building, "q2", (7, 7, 64), "that is the shape with padding='same'; with 'valid' every 3x3 convolution "
                                      "trims 1 pixel on each side."),
    (ex07_inside, "q1", 28, "28 is what padding='same' gives; with 'valid' the kernel must fit entirely inside the "
                            "image."),
    (ex08_regularising, "q2", 1.25, "adding back 25% falls short: 0.75 x 1.25 = 0.9375 of the average. Divide by "
                                    "0.75 instead."),
    (ex09_optimizers, "q2", 9, "close: did you leave out the first term of 1 + 0.9 + 0.81 + ...? The newest gradient "
                               "counts too."),
    (ex03_building, "q1", "416", "this is text (it is in quotes); write the number itself, without quotes."),
    (ex04_training, "q1", 429, "that rounds down; the last, partial batch of 88 images is a step too."),
    (ex05_history, "q2", 7, "That is the epoch with the lowest validation loss. EarlyStopping cannot know it was the "
                            "lowest until it has seen 2 more epochs without a new low."),
    (ex06_evaluating, "q1", np.ones(5), "the shape is (5,); give one value per digit, shape (10,)."),
    (ex10_fast_track, "q2", 0.9, "close: the 0.1 taken away is spread over ALL 10 classes, the right one too, so it "
                                 "gets its share back."),
    (ex11_augmentation, "q2", 2, "that is after the first pooling (14x14); the third convolution comes after the "
                                 "second."),
    (ex12_distributed, "q1", 200, "200 is the global batch here: the strategy shares each batch out among the 4 GPUs."),
    (ex13_playground, "q2", "0.5", "this is text (it is in quotes); write the number itself, without quotes."),
]


@pytest.mark.parametrize("module, q, answer, english", WRONG_ANSWERS,
                         ids=[f"{m.__name__.rsplit('.', 1)[-1]}-{q}-{a!r}" for m, q, a, _e in WRONG_ANSWERS])
def test_a_wrong_answers_feedback_is_chinese_in_a_chinese_notebook(module, q, answer, english, setup_cell, capsys):
    said = {}
    for name in ("zh", "en"):
        setup_cell(name)
        getattr(TRANSLATED_EXERCISES[module](), q).check(answer)
        said[name] = capsys.readouterr().out
    assert said["en"] == f"Not quite: {english}\n"
    assert said["zh"].startswith("还不太对：") and CJK.search(said["zh"].removeprefix("还不太对：")), said["zh"]
    assert english not in said["zh"]


def test_the_frames_of_every_exercise_are_chinese_in_chinese_and_as_before_in_english(setup_cell, capsys):
    setup_cell("zh")
    q1 = ex03_building.exercises().q1
    assert q1.feedback(...) == "还没有作答：把 ... 换成你的答案，然后重新运行这个单元格。ex.q1.hint() 会给出提示。"
    assert q1.feedback(416).startswith("正确：16 个卷积核")
    assert q1.feedback(None) == "还不太对：答案应该是一个数，而不是 NoneType。"
    q1.hint()
    q1.solution()
    hint, solution = capsys.readouterr().out.split("\n", 1)
    assert hint.startswith("提示：") and solution.startswith("参考答案：\nconv_parameters = 16 * (5 * 5 * 1) + 16")
    setup_cell("en")
    q1 = ex03_building.exercises().q1
    assert q1.feedback(...) == ("Not answered yet: replace ... with your answer, then run this cell again. "
                                "ex.q1.hint() gives a hint.")
    assert q1.feedback(None) == "Not quite: the answer should be a single number, not a NoneType."
    assert q1.feedback(416).startswith("Correct: 16 filters of 5x5x1 weights make 400")


def test_the_digit_images_errors_and_the_time_left_in_english_and_chinese(setup_cell):
    from course_utils.digit_image import DigitImageError, open_photo, prepare_drawing
    from course_utils.progress import describe, time_left

    line = {"epoch": 3, "epochs": 10, "step": 300, "steps": 300, "seconds": 400.0}
    said = {}
    for name in ("en", "zh"):
        setup_cell(name)
        said[name] = [_raised(DigitImageError, lambda: prepare_drawing(np.zeros((50, 50)))),
                      _raised(DigitImageError, lambda: open_photo(b"not an image")),
                      _raised(DigitImageError, lambda: open_photo(b"x" * (9 * 2**20))),
                      time_left(10, 0.5), time_left(200, 0.5), describe(line)]
    assert said["en"] == ["The canvas is empty: draw one digit, big enough to fill most of the box.",
                          "This file is not an image that can be read. Choose a PNG or JPEG photo of one handwritten "
                          "digit.",
                          "The file is 9.0 MB; the limit is 8 MB. Crop the photo around the digit, or save it smaller.",
                          "about 10 s left", "about 3 min left", "training: epoch 3/10, about 16 min left"]
    assert all(CJK.search(text) for text in said["zh"][:3]), said["zh"]
    assert "9.0 MB" in said["zh"][2] and "8 MB" in said["zh"][2]
    assert said["zh"][3:] == ["大约还剩 10 秒", "大约还剩 3 分钟", "训练中：第 3/10 轮，大约还剩 16 分钟"]


def test_every_message_of_the_translated_exercises_is_chinese_in_chinese(setup_cell, capsys):
    """Each exercise of a translated module, in Chinese: its question, its hint, why the right answer is right, what
    a right answer looks like, each mistake a number question names, and check's frames. An English text here is a
    message that was not wrapped in _(), or was filled in before the lookup (an f-string)."""
    setup_cell("zh")
    english = []
    for module, factory in TRANSLATED_EXERCISES.items():
        for name, exercise in vars(factory()).items():
            exercise.hint()
            exercise.solution()
            printed = capsys.readouterr().out
            texts = {"question": exercise.question, "hint": exercise.hint_text, "correct": exercise.correct,
                     "expected": exercise.expected, "placeholder": exercise.feedback(...),
                     "a wrong type": exercise.feedback(None), "hint()": printed.split("\n", 1)[0],
                     "solution()": printed.split("\n", 2)[1]}
            for index, (_wrong, message) in enumerate(getattr(exercise.diagnose, "mistakes", ())):
                texts[f"mistake {index}"] = message
            english += [f"{module.__name__}.{name} {kind}: {text!r}" for kind, text in texts.items()
                        if not CJK.search(text)]
    assert not english, "no Chinese (wrap the message in _(), then make translations):\n" + "\n".join(english)


def article_cases() -> dict[str, dict]:
    """What a student's article script can leave behind, one mistake each (06's last exercise), without training:
    the names the check judges before it reaches the model."""
    images = np.random.default_rng(0).random((40, 28, 28, 1)).astype("float32")
    labels = np.eye(10, dtype="float32")[np.arange(40) % 10]
    prepared = {"EPOCHS": 1, "train_images": images, "train_labels": labels}
    return {
        "nothing set": {}, "an unknown name": {"epochs": 1}, "EPOCHS missing": {"train_images": images},
        "EPOCHS not whole": {"EPOCHS": 1.5}, "EPOCHS not a number": {"EPOCHS": float("nan")},
        "images missing": {"EPOCHS": 1}, "images a list": {"EPOCHS": 1, "train_images": [1, 2]},
        "no channel axis": {"EPOCHS": 1, "train_images": images[..., 0]},
        "flat images": {"EPOCHS": 1, "train_images": images.reshape(40, 784)},
        "another shape": {"EPOCHS": 1, "train_images": np.zeros((40, 32, 32, 1), "float32")},
        "too few images": {"EPOCHS": 1, "train_images": images[:10]},
        "uint8": {"EPOCHS": 1, "train_images": (images * 255).astype("uint8")},
        "not scaled": {"EPOCHS": 1, "train_images": images * 255},
        "scaled twice": {"EPOCHS": 1, "train_images": images / 255},
        "labels missing": {"EPOCHS": 1, "train_images": images},
        "plain digits": {**prepared, "train_labels": labels.argmax(axis=1)},
        "labels of another shape": {**prepared, "train_labels": labels[:5]},
        "labels not one-hot": {**prepared, "train_labels": labels * 2},
        "model missing": prepared, "model a string": {**prepared, "model": "model"},
    }


def test_the_article_exercise_speaks_chinese_in_a_chinese_notebook(setup_cell, capsys):
    """06's whole-script exercise: its frames, hint and diagnoses in Chinese; in English as before."""
    checker = ex06_article.exercises(min_train_images=40)
    said = {}
    for name in ("en", "zh"):
        setup_cell(name)
        checker.hint()
        checker.solution()
        printed = capsys.readouterr().out
        hint, frame, code = printed.split("\n", 3)[:3]
        said[name] = {"repr": repr(checker), "hint": hint, "solution()": frame, "solution": code}
        said[name].update({case: checker.feedback(**names) for case, names in article_cases().items()})
    assert said["en"]["repr"] == "article: the article's whole script in today's Keras, in one cell"
    assert (said["en"]["solution()"], said["zh"]["solution()"]) == ("Solution:", "参考答案：")
    assert said["en"]["solution"] == said["zh"]["solution"] == "import os"  # the code is the same in both
    assert said["en"]["nothing set"] == (
        "Not answered yet: write your script in the empty cell above and run it, then run this cell again. It should "
        "set EPOCHS, train_images, train_labels, model, history, test_accuracy. article.hint() gives a hint.")
    assert said["en"]["no channel axis"].startswith("Not quite: train_images has no channel axis: its shape is "
                                                    "(number of images, 28, 28).")
    assert said["en"]["too few images"].startswith("Not quite: train_images holds 10 images. The article trains")
    english = [f"{case}: {text!r}" for case, text in said["zh"].items() if case != "solution"
               and (not CJK.search(text) or text in said["en"].values())]
    assert not english, "\n".join(english)
    for case, text in said["zh"].items():
        if case not in ("repr", "hint", "solution()", "solution"):
            assert text.startswith(("还不太对：", "还没有作答：")), (case, text)


def test_the_articles_layer_counts_and_names_read_naturally_in_both_languages(language):
    language("en")
    assert ex06_article._count_words(["Conv2D", "MaxPooling2D", "Conv2D", "Dense"]) == \
        "two Conv2D, one MaxPooling2D and one Dense"
    assert [ex06_article._layer_name(index, "Dense") for index in (0, 1, 10)] == [
        "your first Dense layer", "your second Dense layer", "your number 11 Dense layer"]
    language("zh")
    assert ex06_article._count_words(["Conv2D", "MaxPooling2D", "Conv2D", "Dense"]) == \
        "两个 Conv2D、一个 MaxPooling2D 和一个 Dense"
    assert ex06_article._layer_name(1, "Conv2D") == "你的第二个 Conv2D 层"


def test_the_budget_the_experiments_and_the_results_in_english_and_chinese(language, monkeypatch, capsys, tmp_path):
    """What notebooks 06 and 08-12 print about their runs: English as committed, Chinese in a Chinese notebook, with
    the summary table's columns lined up under Chinese headings (a Chinese character takes two columns)."""
    from course_utils import budget, experiments, results
    from course_utils.figures import unmarked
    from course_utils.training import Recipe

    def scores(recipe, data=None):
        return ({"val_accuracy": [0.9, 0.95 + recipe.seed / 1000], "seconds": [1.5, 2.5]},
                {"accuracy": 0.96 + recipe.seed / 1000, "loss": 0.1})

    monkeypatch.setattr(experiments, "load_or_score", scores)
    small = budget.Budget("small", seeds=(1, 2), epochs=1, train_size=100)
    (tmp_path / "broken.json").write_text("{")
    (tmp_path / "table.json").write_text(json.dumps({"title": "A table", "measured": "make bench, today",
                                                     "columns": ["recipe", "runs"], "rows": [["article", 3]]}))
    said = {}
    for name in ("en", "zh"):
        language(name)
        runs = experiments.run_grid({"plain": Recipe(), "基线": Recipe()}, small)
        results.show_results("table", tmp_path)
        said[name] = {"budgets": [str(budget.BUDGETS["quick"]), str(budget.BUDGETS["quick"].claim())],
                      "printed": unmarked(capsys.readouterr().out).splitlines(),
                      "table": unmarked(experiments.summary_table(runs)).splitlines(),
                      "broken": _raised(results.ResultsError, lambda: results.read_results("broken", tmp_path)),
                      "missing": _raised(results.ResultsError, lambda: results.read_results("none", tmp_path))}
        monkeypatch.setenv(budget.BUDGET_VARIABLE, "huge")
        said[name]["unknown budget"] = _raised(ValueError, budget.current_budget)
        monkeypatch.delenv(budget.BUDGET_VARIABLE)
    en, zh = said["en"], said["zh"]
    assert en["budgets"] == ["budget 'quick': 3 seeds x 2 epochs on 6,000 training images",
                             "budget 'quick claim': 1 seed x each recipe's own epochs on all 55,000 training images"]
    assert zh["budgets"] == ["训练预算 'quick'：3 个随机种子 × 2 轮，使用 6,000 张训练图像",
                             "训练预算 'quick claim'：1 个随机种子 × 各配方自己的轮数，使用全部 55,000 张训练图像"]
    assert en["printed"][0] == "plain                seed 1: validation accuracy 95.10%, test accuracy 96.10%"
    assert zh["printed"][0] == "plain                随机种子 1：验证准确率 95.10%，测试准确率 96.10%"
    assert en["printed"][-4:] == ["A table", "recipe   runs", "article     3", "Measured: make bench, today"]
    assert zh["printed"][-4:] == en["printed"][-4:-1] + ["测量条件：make bench, today"]  # the file's own words stay
    assert en["table"][0] == "variant              runs   validation accuracy     test accuracy  test loss      time"
    assert zh["table"][0].split() == ["变体", "次数", "验证准确率", "测试准确率", "测试损失", "用时"]
    for lines in (en["table"], zh["table"]):  # every row as wide on screen as the heading, the columns aligned
        assert len({experiments.text_width(line) for line in lines}) == 1, lines
    assert en["broken"].endswith("broken.json cannot be read as a results file (Expecting property name enclosed in "
                                 "double quotes: line 1 column 2 (char 1)); restore it with git")
    assert "无法作为结果文件读取" in zh["broken"] and "请用 git 恢复" in zh["missing"]
    assert en["unknown budget"] == "COURSE_BUDGET='huge' is not a budget; use one of quick, full."
    assert zh["unknown budget"] == "COURSE_BUDGET='huge' 不是一个训练预算；请使用以下之一：quick, full。"


#: Three English words in a row: prose, not an identifier or a dtype.
PROSE = re.compile(r"[A-Za-z']+ [A-Za-z']+ [A-Za-z']+")
LOOKUPS = {"_", "ngettext", "N_", "pgettext"}
#: What solution() prints is Python, the same in both languages: the argument that gives it, or a constant.
CODE_ARGUMENTS = {"solution", "solution_code"}
CODE_CONSTANTS = {"SOLUTION"}
#: Figure text stays English (course_utils.i18n): the titles and legends handed to course_utils.plotting.
FIGURE_CALLS = {"plot_prediction", "plot_recent_runs"}


def untranslated_literals(path: Path) -> list[str]:
    """English prose in ``path`` that no lookup wraps: string literals and f-strings outside ``_()``,
    ``ngettext()``, ``N_()`` and ``pgettext()``, except docstrings, solution code and figure text; and f-strings
    inside a lookup (filled before it, so they match no catalogue entry)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    exempt, found = set(), []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body and \
                isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            exempt.add(id(node.body[0].value))
        lookup = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in LOOKUPS
        if lookup and any(isinstance(argument, ast.JoinedStr) for argument in node.args):
            found.append(f"{where}:{node.lineno}: an f-string inside {node.func.id}()")
        code = (isinstance(node, ast.keyword) and node.arg in CODE_ARGUMENTS) or (
            isinstance(node, ast.Assign) and any(isinstance(target, ast.Name) and target.id in CODE_CONSTANTS
                                                 for target in node.targets))
        figure = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FIGURE_CALLS
        if lookup or code:
            exempt.update(id(inner) for inner in ast.walk(node))
        elif figure:
            exempt.update(id(inner) for argument in [*node.args, *node.keywords] for inner in ast.walk(argument))
    for node in ast.walk(tree):
        if id(node) in exempt:
            continue
        if isinstance(node, ast.JoinedStr):
            exempt.update(id(part) for part in node.values)
            text = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if PROSE.search(text):
            found.append(f"{where}:{node.lineno}: {text[:70]!r}")
    return found


def test_the_translated_modules_say_nothing_in_english_only():
    """The translated modules hold no English message that the catalogue cannot translate."""
    found = [where for name in TRANSLATED_MODULES for where in untranslated_literals(ROOT / name)]
    assert not found, "wrap each in _() (course_utils.i18n), then make translations:\n" + "\n".join(found)


def test_the_untranslated_literal_check_finds_what_it_should(tmp_path):
    module = tmp_path / "probe.py"
    module.write_text('"""A docstring of many words."""\n'
                      'from course_utils.i18n import _\n'
                      'SHOWN = "a message left in English"\n'
                      'LOOKED_UP = _("a message that is translated")\n'
                      'FILLED = _(f"an f-string {SHOWN} filled too early")\n'
                      'CODE = dict(solution="x = np.array([1, 2]) if a and b else c")\n'
                      'SOLUTION = "y = x if a and b else c"\n'
                      'plot_prediction(image, "What the model sees")\n'
                      'print("a sentence, not a figure title")\n', encoding="utf-8")
    assert sorted(untranslated_literals(module)) == ["probe.py:3: 'a message left in English'",
                                                     "probe.py:5: an f-string inside _()",
                                                     "probe.py:9: 'a sentence, not a figure title'"]
