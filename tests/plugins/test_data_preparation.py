import numpy as np
import pytest

from solverq.plugins.builtin.data_preparation import (
    DataParameters,
    Dataset,
    check_training_rows,
    data_shape,
    input_matrix,
    load_dataset,
    read_dataset,
    split_dataset,
)
from solverq.plugins.errors import RejectedRequest
from solverq.plugins.parameters import stored_parameters, validate_parameters


def params(**values):
    return validate_parameters(DataParameters, values, owner="test")


@pytest.mark.parametrize("name", ["breast_cancer", "digits"])
def test_the_shipped_data_sets_load_with_the_shape_declared_for_them(name):
    datasets = pytest.importorskip("sklearn.datasets")
    chosen = params(data=name)
    dataset = load_dataset(chosen, {}, np.random.SeedSequence(0), labels=True)
    reference = getattr(datasets, f"load_{name}")()
    np.testing.assert_array_equal(dataset.inputs, reference.data)
    np.testing.assert_array_equal(dataset.targets, reference.target)
    assert data_shape(chosen, None) == reference.data.shape


def test_table_columns_choose_target_and_features_by_name():
    columns = {"a": np.arange(4.0), "b": np.ones(4), "c": np.arange(4.0) * 2}
    dataset = read_dataset(columns, "a", ["c"])
    np.testing.assert_array_equal(dataset.inputs[:, 0], columns["c"])
    np.testing.assert_array_equal(dataset.targets, columns["a"])
    assert dataset.names == ["c"]
    default = read_dataset(columns, None, None)
    assert default.names == ["a", "b"]


def test_text_labels_are_kept_for_a_classification_only():
    columns = {"a": np.arange(3.0), "kind": np.array(["x", "y", "x"])}
    np.testing.assert_array_equal(
        read_dataset(columns, None, None, labels=True).targets, ["x", "y", "x"]
    )
    with pytest.raises(RejectedRequest, match=r"^target 'kind' holds text"):
        read_dataset(columns, None, None)


def test_features_typed_on_a_command_line_are_names():
    assert params(features="[height, 'width']").features == ["height", "width"]


def test_a_given_test_set_is_kept_and_a_split_is_reproducible():
    arrays = {
        "X": np.ones((6, 2)),
        "y": np.arange(6.0),
        "X_test": np.zeros((2, 2)),
        "y_test": np.ones(2),
    }
    split = split_dataset(read_dataset(arrays, None, None), 0.5, np.random.SeedSequence(0), False)
    np.testing.assert_array_equal(split.test_inputs, arrays["X_test"])
    generated = params(data="franke", n=50)
    dataset = load_dataset(generated, {}, np.random.SeedSequence(1), labels=False)
    first, again = (split_dataset(dataset, 0.2, np.random.SeedSequence(2), False) for _ in range(2))
    np.testing.assert_array_equal(first.test_targets, again.test_targets)
    assert len(first.test_targets) == 10


def test_stored_parameters_keep_only_what_the_source_uses():
    assert set(stored_parameters(params())) == {
        "data",
        "target",
        "features",
        "test_size",
        "keep_data",
    }
    assert "coefficients" not in stored_parameters(params(data="franke"))


def test_new_inputs_are_read_as_x_or_by_the_trained_names():
    np.testing.assert_array_equal(input_matrix({"x": np.arange(3.0)}, ["t"]), [[0.0], [1.0], [2.0]])
    table = input_matrix({"b": np.ones(2), "a": np.zeros(2), "y": np.ones(2)}, ["a", "b"])
    np.testing.assert_array_equal(table, [[0.0, 1.0], [0.0, 1.0]])
    with pytest.raises(RejectedRequest, match="takes 2 inputs per row"):
        input_matrix({"X": np.ones((3, 3))}, ["a", "b"])


@pytest.mark.parametrize("name", ["breast_cancer", "digits"])
def test_the_shipped_class_labels_are_numbers_to_a_regression(name):
    datasets = pytest.importorskip("sklearn.datasets")
    dataset = load_dataset(params(data=name), {}, np.random.SeedSequence(0), labels=False)
    assert dataset.targets.dtype == np.float64
    np.testing.assert_array_equal(dataset.targets, getattr(datasets, f"load_{name}")().target)


def test_target_and_features_choose_among_columns_named_x_and_y():
    columns = {"y": np.arange(5.0), "x": np.arange(5.0) * 2}
    chosen = read_dataset(columns, "y", None)
    np.testing.assert_array_equal(chosen.targets, columns["y"])
    assert chosen.names == ["x"]
    flipped = read_dataset(columns, None, ["y"])
    np.testing.assert_array_equal(flipped.targets, columns["x"])
    assert flipped.names == ["y"]
    assert read_dataset(columns, None, None).names == ["x"]


def test_target_is_refused_for_a_matrix_of_inputs():
    with pytest.raises(RejectedRequest, match="target and features choose columns"):
        read_dataset({"X": np.ones((4, 2)), "y": np.ones(4)}, "y", None)


def test_a_stratified_split_of_single_row_classes_falls_back_with_a_warning():
    dataset = Dataset(
        np.arange(40.0)[:, np.newaxis], np.repeat(np.arange(21), [20] + [1] * 20), ["x"]
    )
    split = split_dataset(dataset, 0.25, np.random.SeedSequence(0), stratify=True)
    assert len(split.test_targets) == 10 and len(split.train_targets) == 30
    assert split.warnings == (
        "the test set is drawn without regard to class: 20 of the 21 classes have a single row",
    )


def test_a_stratified_split_that_would_test_nothing_falls_back_with_a_warning():
    dataset = Dataset(np.arange(30.0)[:, np.newaxis], np.repeat(np.arange(10), 3), ["x"])
    split = split_dataset(dataset, 0.1, np.random.SeedSequence(0), stratify=True)
    assert len(split.test_targets) == 3
    assert "too few rows per class" in split.warnings[0]


def test_a_stratified_split_that_can_be_made_has_no_warning():
    dataset = Dataset(np.arange(40.0)[:, np.newaxis], np.repeat([0, 1], 20), ["x"])
    split = split_dataset(dataset, 0.25, np.random.SeedSequence(0), stratify=True)
    assert np.bincount(split.test_targets.astype(int)).tolist() == [5, 5]
    assert split.warnings == ()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"data": "polynomial", "n": 50, "test_size": 0.99}, None),
        ({"data": "polynomial", "n": 50, "test_size": 0.9}, 5),
        ({"data": "breast_cancer", "test_size": 0.999}, None),
    ],
)
def test_training_rows_are_checked_before_the_split(values, expected):
    chosen = params(**values)
    if expected is not None:
        assert check_training_rows(chosen, None, 2, "two") == expected
        return
    with pytest.raises(RejectedRequest, match=r"^[01] training samples are too few for two; "):
        check_training_rows(chosen, None, 2, "two")
