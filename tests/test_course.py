"""course_utils: the model, recipes, the budget, experiments, evaluation, plotting (the bench: test_bench.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from course_utils import PROJECT_ROOT, setup_course

setup_course()

import keras  # noqa: E402

from course_utils import budget, evaluation, experiments, model, plotting, training  # noqa: E402
from course_utils.data import PreparedData  # noqa: E402
from course_utils.model import ARTICLE_PARAMETER_COUNT, architecture, make_classifier  # noqa: E402


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    return tmp_path


from tests.tiny import TINY, tiny_prepared_data  # noqa: E402


@pytest.fixture(scope="module")
def tiny_data() -> PreparedData:
    return tiny_prepared_data()


def test_default_classifier_is_the_article_network():
    model = make_classifier()
    assert model.count_params() == ARTICLE_PARAMETER_COUNT == 257_162
    kinds = [kind for kind, _, _ in architecture(model)]
    assert kinds == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Conv2D", "Flatten", "Dense", "Dense"]
    assert all(settings["padding"] == "same" for kind, _, settings in architecture(model) if kind == "Conv2D")
    assert model.loss.get_config()["label_smoothing"] == 0.0


def test_classifier_options_add_layers_but_dropout_adds_no_weights():
    assert make_classifier(dropout=0.25).count_params() == 257_162
    kinds = [kind for kind, _, _ in architecture(make_classifier(batch_norm=True))]
    assert kinds.count("BatchNormalization") == 4
    with pytest.raises(ValueError, match="dropout"):
        make_classifier(dropout=1.5)


def test_augmentation_adds_no_weights_and_leaves_test_images_unchanged():
    augmented = make_classifier(augment=True)
    assert augmented.count_params() == 257_162
    assert [kind for kind, _, _ in architecture(augmented)][:3] == ["RandomTranslation", "RandomRotation", "RandomZoom"]
    images = np.random.default_rng(0).random((4, 28, 28, 1)).astype("float32")
    augment = keras.Sequential(model.make_augmentation())
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(augment(images, training=False)), images)
    moved = keras.ops.convert_to_numpy(augment(images, training=True))
    assert moved.shape == images.shape and not np.allclose(moved, images)


def test_the_peers_of_the_convnet():
    dense = model.make_dense_classifier()
    assert dense.count_params() == 257_058 and abs(dense.count_params() / ARTICLE_PARAMETER_COUNT - 1) < 0.001
    assert [kind for kind, _, _ in architecture(dense)] == ["Flatten", "Dense", "Dense", "Dense"]
    keras_io = model.make_keras_io_classifier()
    assert keras_io.count_params() == 34_826
    assert [shape for _, shape, _ in architecture(keras_io)][:4] == [(None, 26, 26, 32), (None, 13, 13, 32),
                                                                    (None, 11, 11, 64), (None, 5, 5, 64)]
    assert isinstance(keras_io.optimizer, keras.optimizers.Adam)


def test_recipe_key_changes_with_every_field():
    other_values = {"architecture": "dense", "optimizer": "adam", "learning_rate": 0.01, "momentum": 0.9,
                    "schedule": "warmup_cosine", "warmup_epochs": 0.5, "epochs": 3, "batch_size": 256,
                    "batch_norm": True, "dropout": 0.25, "augment": True, "label_smoothing": 0.1,
                    "train_size": 100, "seed": 1}
    assert set(other_values) == {field.name for field in dataclasses.fields(training.Recipe)}  # a new field needs a value here
    keys = {training.ARTICLE.key()}
    for field, value in other_values.items():
        keys.add(dataclasses.replace(training.ARTICLE, **{field: value}).key())
    assert len(keys) == len(other_values) + 1
    assert training.ARTICLE.key() == training.Recipe().key()
    assert training.ARTICLE.steps_per_epoch() == 275


def test_fields_added_later_keep_the_earlier_keys():
    # The keys of the article's recipe and the fast track as they were before `architecture` and `augment`.
    assert training.ARTICLE.key() == "rmsprop-e10-b200-s42-bc29afc3"
    assert training.FAST_TRACK.key() == "adam-e2-b128-s1-d00ea9cf"
    # The best recipe that notebooks 10 and 11 and the README quote from the bench of 2026-12-02: a change to
    # it needs a new bench run and new figures there.
    assert training.BEST.key() == "adam-e8-b200-s1-5ac6c857"
    assert "augment" not in training.ARTICLE.identity() and training.Recipe(augment=True).identity()["augment"] is True


def test_recipes_name_their_network():
    assert training.Recipe(architecture="dense").make_model().name == "dense_network"
    assert training.KERAS_IO.make_model().name == "keras_io_convnet"
    assert training.Recipe(augment=True).make_model().layers[0].__class__.__name__ == "RandomTranslation"
    with pytest.raises(ValueError, match="unknown architecture 'resnet': use one of 'convnet', 'dense', 'keras_io'"):
        training.Recipe(architecture="resnet")
    with pytest.raises(ValueError, match="options of the convnet"):
        training.Recipe(architecture="dense", augment=True)


def test_recipe_builds_its_optimizer_and_schedule():
    assert isinstance(training.ARTICLE.make_optimizer(), keras.optimizers.RMSprop)
    sgd = training.Recipe(optimizer="sgd", learning_rate=0.01, momentum=0.9).make_optimizer()
    assert sgd.get_config()["momentum"] == 0.9
    recipe = training.Recipe(optimizer="adam", learning_rate=0.003, schedule="warmup_cosine", warmup_epochs=0.3,
                             epochs=3, batch_size=256)
    schedule = recipe.learning_rate_schedule()
    warmup = round(0.3 * recipe.steps_per_epoch())
    assert warmup == 64
    assert float(schedule(0)) == pytest.approx(0.0003)
    assert float(schedule(warmup)) == pytest.approx(0.003)
    assert float(schedule(3 * recipe.steps_per_epoch())) == pytest.approx(0.0, abs=1e-9)
    assert isinstance(training.FAST_TRACK.make_optimizer(), keras.optimizers.Adam)
    with pytest.raises(ValueError, match="unknown optimizer 'adagrad': use one of 'rmsprop', 'adam', 'sgd'"):
        training.Recipe(optimizer="adagrad")
    with pytest.raises(ValueError, match="unknown schedule"):
        training.Recipe(schedule="step")


@pytest.mark.parametrize("fields, message", [
    ({"batch_size": 0}, "counts of at least 1"),
    ({"epochs": 0}, "counts of at least 1"),
    ({"train_size": 0}, "train_size is a number of training images from 1 to 55,000"),
    ({"train_size": 60_000}, "train_size is a number of training images from 1 to 55,000"),
    ({"schedule": "warmup_cosine", "epochs": 1, "warmup_epochs": 1.0}, "must leave some training after the warm-up"),
    ({"warmup_epochs": -0.1}, "must leave some training after the warm-up"),
])
def test_a_recipe_out_of_range_says_what_is_allowed(fields, message):
    with pytest.raises(ValueError, match=message):
        training.Recipe(**fields)


def test_default_learning_rates_are_read_from_keras():
    for name, optimizer_class in training.OPTIMIZERS.items():
        assert training.default_learning_rate(name) == pytest.approx(float(optimizer_class().learning_rate))
    assert training.ARTICLE.learning_rate_schedule() == pytest.approx(0.001)


def test_training_is_repeatable_with_a_seed(tiny_data):
    _, first = training.train(TINY, tiny_data, verbose=0)
    _, second = training.train(TINY, tiny_data, verbose=0)
    assert first["loss"] == second["loss"] and len(first["loss"]) == 2
    assert set(first) == {"loss", "accuracy", "val_loss", "val_accuracy", "seconds"}
    assert len(first["seconds"]) == 2 and all(seconds > 0 for seconds in first["seconds"])


def test_train_is_notebook_04s_fit(tiny_data):
    """train(ARTICLE) gives exactly the weights of notebook 04's own fit cell, run here on a tiny data set."""
    from tests.test_notebooks import code_cells

    notebook = code_cells(PROJECT_ROOT / "notebooks" / "04_training.ipynb")
    cell = next(c for c in notebook if "model.fit(" in c and "set_random_seed" in c)
    names = {"keras": keras, "make_classifier": make_classifier, "EpochTimer": training.EpochTimer,
             "x_train": tiny_data.x_train, "y_train": tiny_data.y_train, "x_val": tiny_data.x_val, "y_val": tiny_data.y_val}
    keras.backend.clear_session()  # as in a fresh kernel
    exec(cell, names)
    model, history = training.train(training.ARTICLE, tiny_data, verbose=0)
    assert len(history["loss"]) == len(names["history"].history["loss"]) == training.ARTICLE.epochs
    for ours, theirs in zip(model.get_weights(), names["model"].get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_budget_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("COURSE_BUDGET", "full")
    assert budget.current_budget().train_size is None
    monkeypatch.delenv("COURSE_BUDGET")
    assert budget.current_budget() == budget.BUDGETS[budget.DEFAULT_BUDGET] == budget.BUDGETS["quick"]
    assert budget.BUDGETS["quick"].apply(training.ARTICLE, 3) == dataclasses.replace(
        training.ARTICLE, seed=3, epochs=2, train_size=6000)
    assert str(budget.BUDGETS["full"]) == "budget 'full': 3 seeds x each recipe's own epochs on all 55,000 training images"
    monkeypatch.setenv("COURSE_BUDGET", "huge")
    with pytest.raises(ValueError, match="COURSE_BUDGET='huge' is not a budget; use one of quick, full"):
        budget.current_budget()


def test_grid_trains_once_then_loads_and_summarises(cache, tiny_data, capsys):
    tiny = budget.Budget("tiny", seeds=(1, 2), epochs=1, train_size=32)
    variants = {"plain": TINY, "dropout": dataclasses.replace(TINY, dropout=0.25)}
    runs = experiments.run_grid(variants, tiny, tiny_data)
    assert [(r.variant, r.recipe.seed) for r in runs] == [("plain", 1), ("plain", 2), ("dropout", 1), ("dropout", 2)]
    assert len(list(cache.glob("*.keras"))) == 4
    again = experiments.run_grid(variants, tiny, tiny_data)
    assert [r.scores for r in again] == [r.scores for r in runs]
    table = experiments.summary_table(runs).splitlines()
    assert table[0].split() == ["variant", "runs", "validation", "accuracy", "test", "accuracy", "test", "loss", "time"]
    assert table[1].startswith("plain") and " 2 " in table[1] and table[1].count("±") == 2 and table[1].endswith(" s")
    single = experiments.summary_table(runs[:1]).splitlines()[1]
    assert "±" not in single  # one run has no spread to show


def test_confusion_matrix_counts_true_against_predicted():
    matrix = evaluation.confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), num_classes=3)
    assert matrix.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]


def test_plots_have_the_expected_panels():
    history = {"loss": [0.3, 0.1], "accuracy": [0.9, 0.97], "val_loss": [0.2, 0.15], "val_accuracy": [0.95, 0.96]}
    figure = plotting.plot_history({"a": history, "b": history})
    assert [ax.get_title() for ax in figure.axes] == ["Loss", "Accuracy"] and len(figure.axes[0].lines) == 4
    assert figure.axes[0].get_yscale() == "log" and figure.axes[1].get_yscale() == "linear"
    runs = [experiments.Run("a", training.ARTICLE, {**history, "seconds": [2.0, 2.0]}, {}) for _ in range(3)]
    runs[1].history["val_accuracy"] = [0.93, 0.98]
    bands = plotting.plot_runs({"a": runs})
    accuracy_ax = bands.axes[1]
    assert accuracy_ax.lines[0].get_ydata().tolist() == pytest.approx([(0.95 * 2 + 0.93) / 3, (0.96 * 2 + 0.98) / 3])
    assert len(accuracy_ax.collections) == 1  # the band over the seeds
    timed = plotting.plot_runs({"a": runs}, x="seconds")
    assert timed.axes[0].lines[0].get_xdata().tolist() == [2.0, 4.0] and timed.axes[0].get_xlabel() == "Training time (s)"
    probabilities = np.eye(10)[[1, 2, 3]] * 0.9 + 0.01
    gallery = plotting.show_misclassified(np.zeros((3, 28, 28)), np.array([1, 5, 3]), probabilities)
    assert [ax.get_title() for ax in gallery.axes if ax.get_title()] == ["2 (91%) / 5"]
    plotting.plt.close("all")


def test_another_keras_backend_is_refused_with_what_to_do(monkeypatch):
    from course_utils import load_tensorflow

    monkeypatch.setenv("KERAS_BACKEND", "jax")
    with pytest.raises(RuntimeError, match="KERAS_BACKEND is 'jax': unset it .*restart the kernel"):
        load_tensorflow()
