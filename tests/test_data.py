"""Datasets: layout, determinism, the split (stratified) and the scaler (fitted on train only)."""

import math

import numpy as np
import pytest

from twolayer.data import DATASETS, GENERATORS, make_dataset

N_INPUTS = {"sine": 1}  # every other dataset has 2 inputs
ARRAYS = ("X_train", "y_train", "X_test", "y_test")


def test_the_tables_agree():
    assert set(DATASETS) == {"moons", "circles", "blobs", "xor", "spiral", "linear", "sine",
                             "plane", "bumps"}
    for task, gens in GENERATORS.items():
        assert all(DATASETS[name] == task for name in gens)


@pytest.mark.parametrize("name", DATASETS)
def test_layout_task_and_determinism(name):
    d = make_dataset(name, n_samples=200, noise=0.1, test_fraction=0.25, seed=1)
    n_inputs = N_INPUTS.get(name, 2)
    assert d.name == name and d.task == DATASETS[name] and d.n_inputs == n_inputs
    assert d.X_train.shape == (n_inputs, 150) and d.y_train.shape == (1, 150)
    assert d.X_test.shape == (n_inputs, 50) and d.y_test.shape == (1, 50)
    for a in ARRAYS:
        assert getattr(d, a).dtype == np.float64 and np.all(np.isfinite(getattr(d, a)))
    if d.task == "classification":
        assert set(np.unique(d.y_train)) == {0.0, 1.0} == set(np.unique(d.y_test))

    same = make_dataset(name, n_samples=200, noise=0.1, test_fraction=0.25, seed=1)
    other = make_dataset(name, n_samples=200, noise=0.1, test_fraction=0.25, seed=2)
    for a in ARRAYS:
        assert np.array_equal(getattr(d, a), getattr(same, a))
    assert not np.array_equal(d.X_train, other.X_train)


@pytest.mark.parametrize("n_samples", [10, 101, 500])
@pytest.mark.parametrize("test_fraction", [0.1, 0.3, 0.5])
def test_test_fraction_is_respected(n_samples, test_fraction):
    d = make_dataset("sine", n_samples=n_samples, test_fraction=test_fraction)
    n_test = d.y_test.shape[1]
    assert n_test + d.y_train.shape[1] == n_samples
    assert n_test == math.ceil(test_fraction * n_samples)  # train_test_split rounds test up


@pytest.mark.parametrize("name", [n for n, task in DATASETS.items() if task == "classification"])
@pytest.mark.parametrize("n_samples", [101, 500])
def test_classification_split_is_stratified(name, n_samples):
    d = make_dataset(name, n_samples=n_samples, noise=0.2, test_fraction=0.3, seed=3)
    ones = d.y_train.sum() + d.y_test.sum()
    share = ones / n_samples
    for y in (d.y_train, d.y_test):
        assert abs(y.sum() - share * y.shape[1]) <= 1


@pytest.mark.parametrize("name", DATASETS)
def test_scaler_is_fitted_on_the_training_part_only(name):
    d = make_dataset(name, n_samples=300, noise=0.2, seed=4)
    np.testing.assert_allclose(d.X_train.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(d.X_train.std(axis=1), 1.0, rtol=1e-12)
    assert np.all(np.abs(d.X_test.mean(axis=1)) > 1e-6)  # test data not standardised on itself
    assert not np.allclose(d.X_test.std(axis=1), 1.0, rtol=1e-9, atol=0)
    # The stored scaler is the training part's, and maps back to the raw features.
    raw_train, raw_test = d.unscale(d.X_train), d.unscale(d.X_test)
    np.testing.assert_allclose(raw_train.mean(axis=1), d.mean, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(raw_train.std(axis=1), d.scale, rtol=1e-12)
    raw_all = np.hstack([raw_train, raw_test])
    assert np.all(np.abs(raw_all.mean(axis=1) - d.mean) > 1e-9)


@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_noise_zero_and_large_work_everywhere(noise):
    for name in DATASETS:
        d = make_dataset(name, n_samples=50, noise=noise)
        assert np.all(np.isfinite(d.X_train)) and np.all(np.isfinite(d.y_train))


@pytest.mark.parametrize("kwargs,words", [
    (dict(name="swirl"), "unknown dataset 'swirl'; allowed: moons, circles"),
    (dict(n_samples=-5), "n_samples must be an integer >= 10"),
    (dict(n_samples=5), "n_samples must be an integer >= 10"),
    (dict(n_samples=100.5), "n_samples must be an integer >= 10"),
    (dict(n_samples=True), "n_samples must be an integer >= 10"),
    (dict(noise=-0.1), "noise must be a finite number >= 0"),
    (dict(noise=float("nan")), "noise must be a finite number >= 0"),
    (dict(noise=float("inf")), "noise must be a finite number >= 0"),
    (dict(test_fraction=0.0), "test_fraction must lie strictly between 0 and 1"),
    (dict(test_fraction=1.0), "test_fraction must lie strictly between 0 and 1"),
    (dict(test_fraction=-0.3), "test_fraction must lie strictly between 0 and 1"),
    (dict(test_fraction=float("nan")), "test_fraction must lie strictly between 0 and 1"),
])
def test_bad_arguments_say_what_is_allowed(kwargs, words):
    with pytest.raises(ValueError, match=words):
        make_dataset(**kwargs)
