"""The Backprop page under AppTest: the numbers it shows are the net's numbers, computed here
again from the weights and the data; the gradient check passes, and fails when broken."""


import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests import apptest_util
from tests import reference as ref
from tests.apptest_util import APP
from tests.shown_text import as_shown
from twolayer import TwoLayerNet
from twolayer.activations import HIDDEN_ACTIVATIONS
from twolayer.data import make_dataset
from twolayer.derivation import latex_value
from twolayer.settings import SETTINGS, clean_settings
from twolayer.train import Trainer
from twolayer.ui.state import signature

PAGE = "pages/backprop.py"
PARAMS = ("W1", "b1", "W2", "b2")
G = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
     "relu": lambda z: np.maximum(z, 0)}


def open_page(**query):
    return apptest_util.open_page(PAGE, timeout=60, **query)


def settings_of(at):
    return {k: at.session_state[k] if k in at.session_state else s.default
            for k, s in SETTINGS.items()}


def data_of(at):
    s = settings_of(at)
    return make_dataset(s["dataset"], s["samples"], s["noise"], s["test_fraction"], s["seed"])


def shown_net(at):
    return at.session_state["backprop_net"]["net"]


def latex_bodies(at):
    return [e.body.strip().strip("$").strip() for e in at.latex]


def value_of(at, equation):
    """The rendered value beside the (first) equation that contains ``equation``."""
    bodies = latex_bodies(at)
    i = next(i for i, b in enumerate(bodies) if equation in b)
    return bodies[i + 1].removeprefix(r"\small ").strip()


def shown(value):
    """How the page writes a value (the formatting is the core's; the numbers are ours)."""
    return latex_value(value).removeprefix(r"\small ").strip()


def metric(at, label):
    return float(next(m for m in at.metric if m.label == label).value)


def verdicts(at):
    table = at.dataframe[0].value
    return dict(zip(table["parameter"], table["verdict"], strict=True))


def forward(W1, b1, W2, b2, x, activation, task):
    """The forward pass written out again."""
    z1 = W1 @ x + b1
    a1 = G[activation](z1)
    z2 = W2 @ a1 + b2
    return z1, a1, z2, (1 / (1 + np.exp(-z2)) if task == "classification" else z2)


def test_a_fresh_session_shows_the_seeded_net_and_its_numbers():
    at = open_page(sample=17)
    s = settings_of(at)
    net = shown_net(at)
    # The app opened on the Playground first, which built the seeded net: 0 epochs in.
    assert at.caption[0].value.startswith("Weights: the Playground's net after 0 epochs.")
    # The seeded start as the design documents it (seed 0, tanh: Glorot uniform), drawn here.
    expected = ref.glorot(0, 2, 8)
    for p in PARAMS:
        np.testing.assert_allclose(getattr(net, p), expected[p], rtol=0, atol=0, err_msg=p)

    data = data_of(at)
    x, y = data.X_train[:, [17]], data.y_train[:, [17]]
    z1, a1, z2, a2 = forward(net.W1, net.b1, net.W2, net.b2, x, s["activation"], s["task"])
    L = -(y * np.log(a2) + (1 - y) * np.log(1 - a2))       # log-loss, the default
    delta2 = a2 - y
    delta1 = (net.W2.T @ delta2) * (1 - a1 ** 2)             # tanh, the default
    assert value_of(at, r"x = \text{sample 17}") == shown(x)
    assert value_of(at, r"z_1 = W_1 x + b_1") == shown(z1)
    assert value_of(at, r"z_2 = W_2 a_1 + b_2") == shown(z2)
    assert value_of(at, r"a_2 = \sigma(z_2)") == shown(a2)
    assert value_of(at, "L = ") == shown(L)
    assert value_of(at, r"\delta_2 &=") == shown(delta2)
    assert value_of(at, r"\frac{\partial L}{\partial W_2} =") == shown(delta2 @ a1.T)
    assert value_of(at, r"\delta_1 =") == shown(delta1)
    assert value_of(at, r"\frac{\partial L}{\partial W_1} =") == shown(delta1 @ x.T)
    assert value_of(at, r"W_1 \leftarrow") == shown(net.W1 - 0.3 * delta1 @ x.T)


def test_take_one_step_lowers_the_loss_and_applies_the_shown_update():
    at = open_page(lr=0.01, sample=3)
    assert at.select_slider(key="lr").value == 0.01
    net = shown_net(at)
    before = net.get_params()
    data = data_of(at)
    x, y = data.X_train[:, [3]], data.y_train[:, [3]]
    grads = TwoLayerNet(2, net.n_hidden, net.activation, net.task, net.loss_name)
    grads.set_params(before)
    expected = {p: before[p] - 0.01 * g for p, g in grads.gradients(x, y).items()}
    loss_before = grads.loss(x, y)

    next(b for b in at.button if b.label == "Take one step").click().run()
    assert not at.exception
    assert metric(at, "L before") == pytest.approx(loss_before, rel=1e-5)
    after = metric(at, "L after")
    assert after < metric(at, "L before")
    for p in PARAMS:
        np.testing.assert_allclose(getattr(shown_net(at), p), expected[p], rtol=0, atol=1e-15)
    grads.set_params(expected)
    assert after == pytest.approx(grads.loss(x, y), rel=1e-5)
    assert "1 step(s) taken on this page" in at.caption[0].value
    # the derivation now shows the new weights
    assert value_of(at, r"\frac{\partial z_2}{\partial a_1} = W_2") == shown(expected["W2"])


def test_stepping_here_leaves_the_playground_net_alone():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    s = settings_of(at)
    data = make_dataset(s["dataset"], s["samples"], s["noise"], s["test_fraction"], s["seed"])
    trainer = Trainer(TwoLayerNet(2, s["hidden"], s["activation"], s["task"], s["loss"],
                                  seed=s["seed"]), data, lr=0.3, batch_size=32, seed=s["seed"])
    trainer.run(5)
    trained = trainer.net.get_params()
    at.session_state["trainer"] = (signature(s), trainer)
    at.switch_page(PAGE).run()
    assert "the Playground's net after 5 epochs" in at.caption[0].value
    for p in PARAMS:
        np.testing.assert_array_equal(getattr(shown_net(at), p), trained[p])
    next(b for b in at.button if b.label == "Take one step").click().run()
    assert not at.exception
    assert not np.array_equal(shown_net(at).W2, trained["W2"])
    for p in PARAMS:
        np.testing.assert_array_equal(getattr(trainer.net, p), trained[p])


def test_the_gradient_check_passes_and_fails_visibly_when_broken():
    at = open_page()
    assert verdicts(at) == dict.fromkeys(PARAMS, "good")
    assert at.success and "Good" in at.success[0].value
    at.toggle(key="bp_broken").set_value(True).run()
    assert not at.exception
    assert verdicts(at) == {"W1": "wrong", "b1": "wrong", "W2": "good", "b2": "good"}
    errors = dict(zip(at.dataframe[0].value["parameter"],
                      at.dataframe[0].value["relative error"], strict=True))
    assert float(errors["W1"]) > 1e-2 and float(errors["W2"]) < 1e-7
    assert any("Wrong: W1, b1" in e.value for e in at.error)


def test_the_loss_switch_changes_only_the_lines_that_change():
    at = open_page()
    assert at.radio(key="bp_loss").value == "log_loss"
    log = latex_bodies(at)
    at.radio(key="bp_loss").set_value("mse").run()
    mse = latex_bodies(at)
    assert len(log) == len(mse)
    changed = [(a, b) for a, b in zip(log, mse, strict=True) if a != b]
    equations = [b for a, b in changed if r"\color" in b]
    # L, dL/da2 and delta2 are marked, in the MSE colour; their values and what follows change
    assert len(equations) == 3 and all(r"\color{#CC79A7}" in b for b in equations)
    assert sum(r"\color" in b for b in log) == 3
    assert value_of(at, r"z_2 = W_2") == log[log.index(next(b for b in log if "z_2 = W_2" in b))
                                             + 1].removeprefix(r"\small ").strip()
    net = shown_net(at)
    data = data_of(at)
    x, y = data.X_train[:, [0]], data.y_train[:, [0]]
    *_, a2 = forward(net.W1, net.b1, net.W2, net.b2, x, "tanh", "classification")
    assert value_of(at, r"\delta_2 &=") == shown(-2 * (y - a2) * a2 * (1 - a2))


def test_the_batch_view_is_the_next_mini_batch_with_its_mean():
    at = open_page()
    at.radio(key="bp_view").set_value("batch").run()
    assert not at.exception
    assert any("first mini-batch of epoch 1" in c.value and "m = 32" in c.value
               for c in at.caption)
    net = shown_net(at)
    data = data_of(at)
    # Trainer's documented order: epoch k visits permutation(rng((seed, k)))
    idx = np.random.default_rng((0, 1)).permutation(data.X_train.shape[1])[:32]
    X, y = data.X_train[:, idx], data.y_train[:, idx]
    z1, a1, z2, a2 = forward(net.W1, net.b1, net.W2, net.b2, X, "tanh", "classification")
    delta2 = (a2 - y) / 32
    delta1 = (net.W2.T @ delta2) * (1 - a1 ** 2)
    assert value_of(at, "L &= ") == shown(-np.mean(y * np.log(a2) + (1 - y) * np.log(1 - a2)))
    assert value_of(at, r"\delta_2 &=") == shown(delta2)
    assert value_of(at, r"\frac{\partial L}{\partial b_1} =") == \
        shown(delta1.sum(axis=1, keepdims=True))
    assert r"_{1\times 32}" in value_of(at, r"\delta_2 &=")
    assert verdicts(at) == dict.fromkeys(PARAMS, "good")


def test_the_whole_training_set_as_the_batch_and_a_capped_gradient_check():
    at = open_page(batch="all", hidden=64)
    at.radio(key="bp_view").set_value("batch").run()
    assert not at.exception
    assert any("the whole training set, m = 350" in c.value for c in at.caption)
    assert any("first 256 samples of these 350" in c.value for c in at.caption)
    net = shown_net(at)
    data = data_of(at)
    X, y = data.X_train, data.y_train
    *_, a2 = forward(net.W1, net.b1, net.W2, net.b2, X, "tanh", "classification")
    assert value_of(at, "L &= ") == shown(-np.mean(y * np.log(a2) + (1 - y) * np.log(1 - a2)))
    assert verdicts(at) == dict.fromkeys(PARAMS, "good")


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("task, loss", [("classification", "log_loss"),
                                        ("classification", "mse"), ("regression", "mse")])
def test_the_page_runs_for_every_activation_task_and_loss(task, activation, loss):
    at = open_page(task=task, activation=activation, loss=loss, hidden=3)
    assert settings_of(at)["activation"] == activation and settings_of(at)["task"] == task
    if task == "classification":
        assert at.radio(key="bp_loss").value == loss
    else:
        assert not [r for r in at.radio if r.key == "bp_loss"]
        assert any("MSE (regression" in c.value for c in at.caption)
    assert verdicts(at) == dict.fromkeys(PARAMS, "good")
    at.radio(key="bp_view").set_value("batch").run()
    at.toggle(key="bp_broken").set_value(True).run()
    assert not at.exception
    assert verdicts(at)["W1"] == "wrong"
    # the shown a2 is the net's
    net = shown_net(at)
    assert net.activation == activation and net.task == task and net.n_hidden == 3


def test_changing_the_sidebar_loss_moves_the_page_switch_along():
    at = open_page()
    at.radio(key="bp_loss").set_value("mse").run()
    at.radio(key="loss").set_value("mse").run()
    at.radio(key="loss").set_value("log_loss").run()
    assert at.radio(key="bp_loss").value == "log_loss"


@pytest.mark.parametrize("raw, shown_index, why", [
    ("99999", 349, "is outside 0..349"), ("-4", 0, "is outside 0..349"),
    ("abc", 0, "is not a number"), ("١٢", 0, "is not a number")])
def test_a_sample_index_from_the_link_is_clamped_with_a_note(raw, shown_index, why):
    at = open_page(sample=raw)
    assert at.number_input(key="sample").value == shown_index
    notes = [as_shown(i.value) for i in at.info]
    assert f"From the link: Sample = {raw!r} {why}; using {shown_index}." in notes
    assert rf"x = \text{{sample {shown_index}}}" in latex_bodies(at)


def test_fewer_samples_clamp_the_chosen_one():
    at = open_page(sample=300)
    at.slider(key="samples").set_value(100).run()
    assert not at.exception
    assert at.number_input(key="sample").value == 69


def test_defaults_match_the_settings():
    # the numbers above assume these defaults; fail loudly if they move
    values, _ = clean_settings({})
    assert (values["activation"], values["loss"], values["lr"], values["batch"],
            values["samples"], values["test_fraction"]) == ("tanh", "log_loss", 0.3, 32, 500, 0.3)


# -- the page's link: what Copy link gives, and what a link opens ----------------------------

def share_link(at):
    """The address in the sidebar's "Copy link to this view" box."""
    return at.sidebar.code[0].value


def test_a_link_opens_the_loss_view_and_broken_pass_it_names():
    at = open_page(bp_loss="mse", bp_view="batch", bp_broken="true", sample=5)
    assert at.radio(key="bp_loss").value == "mse"   # the sidebar's loss is log-loss
    assert at.radio(key="bp_view").value == "batch"
    assert at.toggle(key="bp_broken").value is True
    assert verdicts(at)["W1"] == "wrong"
    assert any("first mini-batch of epoch 1" in c.value for c in at.caption)
    net = shown_net(at)
    data = data_of(at)
    idx = np.random.default_rng((0, 1)).permutation(data.X_train.shape[1])[:32]
    *_, a2 = forward(net.W1, net.b1, net.W2, net.b2, data.X_train[:, idx], "tanh",
                     "classification")
    y = data.y_train[:, idx]
    assert value_of(at, r"\delta_2 &=") == shown(-2 * (y - a2) * a2 * (1 - a2) / 32)  # MSE's


def test_copy_link_reproduces_the_view():
    at = open_page(sample=5)
    at.radio(key="bp_loss").set_value("mse").run()
    at.radio(key="bp_view").set_value("batch").run()
    at.toggle(key="bp_broken").set_value(True).run()
    assert share_link(at) == ("http://localhost:8501/chain-rule?sample=5&bp_loss=mse"
                              "&bp_view=batch&bp_broken=true")
    # that address, opened again, shows the same view
    query = dict(pair.split("=") for pair in share_link(at).split("?")[1].split("&"))
    again = open_page(**query)
    for key in ("bp_loss", "bp_view"):
        assert again.radio(key=key).value == at.radio(key=key).value
    assert again.toggle(key="bp_broken").value is True
    assert again.number_input(key="sample").value == 5
    # the default view needs no keys; the Playground's address ends in "/" before the "?"
    assert share_link(open_page()) == "http://localhost:8501/chain-rule"
    home = AppTest.from_file(APP, default_timeout=60)
    home.query_params["hidden"] = "4"
    home.run()
    assert share_link(home) == "http://localhost:8501/?hidden=4"


def test_a_sample_that_the_data_no_longer_has_is_not_blamed_on_the_link():
    at = open_page(sample=300)
    assert not [i for i in at.info if "Sample" in i.value]   # 300 of 350 is fine
    at.slider(key="samples").set_value(100).run()           # 70 in the training set now
    notes = [i for i in at.info if "Sample" in i.value]
    assert [n.value for n in notes] == [
        "Sample 300 is not in this training set of 70; showing sample 69, the last one."]
    assert notes[0].icon != ":material/link:"


def test_a_step_that_leaves_L_unchanged_shows_no_arrow():
    at = open_page()
    at.session_state["backprop_last_step"] = {"what": "sample 0", "before": 0.25,
                                              "after": 0.25}
    at.run()
    after = next(m for m in at.metric if m.label == "L after")
    assert after.proto.delta == "no change"
    assert after.proto.color == after.proto.MetricColor.GRAY
    assert after.proto.direction == after.proto.MetricDirection.NONE
    at.session_state["backprop_last_step"] = {"what": "sample 0", "before": 0.25,
                                              "after": 0.2}
    at.run()
    after = next(m for m in at.metric if m.label == "L after")
    assert after.proto.delta == "-0.05"
    assert after.proto.color == after.proto.MetricColor.GREEN   # lower loss is better
