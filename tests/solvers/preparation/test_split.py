import numpy as np
import pytest

from solverq.solvers.preparation.split import split_rows


def test_a_split_partitions_the_rows_with_the_test_share_asked_for():
    train, test = split_rows(101, 0.2, seed=0)
    assert len(test) == 20
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(101))


def test_a_split_is_reproducible_by_its_seed():
    first, again, other = (split_rows(50, 0.3, seed=s)[1] for s in (4, 4, 5))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_a_stratified_split_keeps_the_class_proportions_as_scikit_learn_does():
    model_selection = pytest.importorskip("sklearn.model_selection")
    classes = np.repeat([0, 1, 2], [300, 100, 40])
    train, test = split_rows(len(classes), 0.25, seed=1, classes=classes)
    assert np.bincount(classes[test]).tolist() == [75, 25, 10]
    _, reference = model_selection.train_test_split(
        classes, test_size=0.25, stratify=classes, random_state=0
    )
    np.testing.assert_array_equal(np.bincount(classes[test]), np.bincount(reference))
    assert len(set(train) & set(test)) == 0


def test_no_test_set_when_the_test_size_is_zero():
    train, test = split_rows(10, 0.0, seed=0)
    assert test.size == 0
    np.testing.assert_array_equal(train, np.arange(10))
