"""course_utils: the model, recipes, the budget, experiments, evaluation, plotting (the bench: test_bench.py)."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest

from course_utils import (
    PROJECT_ROOT,
    budget,
    evaluation,
    experiments,
    figures,
    load_tensorflow,
    model,
    plotting,
    training,
)
from course_utils.data import TRAIN_SIZE
from course_utils.model import ARTICLE_PARAMETER_COUNT, architecture, make_classifier
from tests.helpers import code_cells
from tests.tiny import TINY


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    return tmp_path


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


def test_augmentation_adds_no_weights_and_leaves_test_images_unchanged(tiny_data):
    augmented = make_classifier(augment=True)
    assert augmented.count_params() == 257_162
    assert [kind for kind, _, _ in architecture(augmented)][:3] == ["RandomTranslation", "RandomRotation", "RandomZoom"]
    images = tiny_data.x_test[:4]
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
    notebook = code_cells(PROJECT_ROOT / "notebooks" / "04_training.ipynb")
    cell = next(c for c in notebook if "model.fit(" in c and "set_random_seed" in c)
    names = {"keras": keras, "make_classifier": make_classifier, "EpochTimer": training.EpochTimer,
             "x_train": tiny_data.x_train, "y_train": tiny_data.y_train,
             "x_val": tiny_data.x_val, "y_val": tiny_data.y_val}
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
    quick, full = budget.BUDGETS["quick"], budget.BUDGETS["full"]
    assert quick.apply(training.ARTICLE, 3) == dataclasses.replace(training.ARTICLE, seed=3, epochs=2, train_size=6000)
    assert str(full) == "budget 'full': 3 seeds x each recipe's own epochs on all 55,000 training images"
    # The images a run sees: the budget's share of the training images, or all of them.
    assert quick.images == 6000 and full.images == TRAIN_SIZE == 55_000
    # Notebook 10's sweep: each recipe's own epochs on the budget's images, with the budget's sweep seeds.
    assert quick.sweep() == budget.Budget("quick sweep", seeds=(1,), epochs=None, train_size=6000)
    assert full.sweep() == budget.Budget("full sweep", seeds=(1, 2, 3), epochs=None, train_size=None)
    assert quick.sweep().apply(training.ARTICLE, 1) == dataclasses.replace(training.ARTICLE, seed=1, train_size=6000)
    assert quick.sweep().images == quick.images and full.sweep().images == full.images
    # ...and its claims: each recipe's own epochs on all the training images, whatever the budget.
    assert quick.claim() == budget.Budget("quick claim", seeds=(1,), epochs=None, train_size=None)
    assert full.claim() == budget.Budget("full claim", seeds=(1, 2, 3), epochs=None, train_size=None)
    assert quick.claim().images == full.claim().images == TRAIN_SIZE
    assert quick.claim().apply(training.FAST_TRACK, 2) == dataclasses.replace(training.FAST_TRACK, seed=2,
                                                                               train_size=None)
    assert quick.claims == ("one epoch",) and full.claims == ("fast track", "one epoch")
    assert len(quick.peaks) < len(full.peaks) and set(quick.peaks) <= set(full.peaks)
    assert not quick.dropout and full.dropout
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
    shown = [figures.unmarked(line) for line in table]  # what a reader sees
    assert shown[0].split() == ["variant", "runs", "validation", "accuracy", "test", "accuracy", "test", "loss", "time"]
    assert shown[1].startswith("plain") and " 2 " in shown[1] and shown[1].count("±") == 2 and shown[1].endswith(" s")
    assert len(shown[1]) == len(shown[0])  # the columns line up under the header
    # Each trained figure (2 accuracies, the loss, the time) is marked; the rest is compared exactly by nbval.
    assert figures.masked(table[1]) == f"{'plain':<20}{2:>5}" + "FIGURE" * 4 + " s"
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
    assert timed.axes[0].lines[0].get_xdata().tolist() == [2.0, 4.0]
    assert timed.axes[0].get_xlabel() == "Training time (s)"
    probabilities = np.eye(10)[[1, 2, 3]] * 0.9 + 0.01
    gallery = plotting.show_misclassified(np.zeros((3, 28, 28)), np.array([1, 5, 3]), probabilities)
    assert [ax.get_title() for ax in gallery.axes if ax.get_title()] == ["2 (91%) / 5"]
    plotting.plt.close("all")


def test_another_keras_backend_is_refused_with_what_to_do(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    with pytest.raises(RuntimeError, match="KERAS_BACKEND is 'jax': unset it .*restart the kernel"):
        load_tensorflow()
