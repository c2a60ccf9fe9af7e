"""The reference of tests/reference.py against centred finite differences of its own loss: the
tests that compare the app with it rest on this."""

import numpy as np
import pytest

from tests import reference as ref

COMBOS = [("regression", "mse"), ("classification", "mse"), ("classification", "log_loss")]


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize(("task", "loss"), COMBOS)
def test_reference_gradients_are_those_of_its_loss(task, loss, activation):
    rng = np.random.default_rng(3)
    P = {"W1": rng.normal(size=(4, 2)), "b1": rng.normal(size=(4, 1)),
         "W2": rng.normal(size=(1, 4)), "b2": rng.normal(size=(1, 1))}
    X = rng.normal(size=(2, 9))
    y = rng.integers(0, 2, (1, 9)) * 1.0 if task == "classification" else rng.normal(size=(1, 9))
    if activation == "relu":
        assert np.min(np.abs(ref.forward(P, X, activation, task)[0])) > 1e-4  # off the kink
    for l2 in (0.0, 0.1):
        grads = ref.gradients(P, X, y, activation, task, loss, l2)
        h = 1e-6
        for p in ref.PARAMS:
            numeric = np.empty_like(P[p])
            for i in np.ndindex(P[p].shape):
                kept = P[p][i]
                P[p][i] = kept + h
                plus = ref.loss(P, X, y, activation, task, loss, l2)
                P[p][i] = kept - h
                minus = ref.loss(P, X, y, activation, task, loss, l2)
                P[p][i] = kept
                numeric[i] = (plus - minus) / (2 * h)
            np.testing.assert_allclose(grads[p], numeric, rtol=1e-6, atol=1e-9, err_msg=p)


def test_reference_training_visits_every_sample_once_an_epoch():
    order = [ref.epoch_order(4, k, 10) for k in (1, 2)]
    assert all(sorted(o) == list(range(10)) for o in order)
    assert not np.array_equal(*order)
