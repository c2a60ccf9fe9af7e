"""The validation layer (twolayer.settings) against hostile values, key by key and jointly.

Whatever arrives (a URL's text or a widget's value), ``Setting.clean`` returns a valid value
within the limits, with a note whenever the raw value was not valid as it stood, and never
raises. Validity is decided here independently of the code under test.
"""

import math
import re

import pytest

from twolayer.data import DATASETS
from twolayer.settings import (
    DEFAULT_DATASET,
    LOSSES_FOR_TASK,
    MAX_EPOCHS_PER_RUN,
    MAX_HIDDEN,
    MAX_SAMPLES,
    SETTINGS,
    clean_settings,
)

HOSTILE = ["1e308", "-1e308", "-5", "nan", "NaN", "inf", "-inf", "", "abc", "../../etc/passwd",
           "%00", "<script>alert(1)</script>", "x" * 10_000, "0x10", "1,5", "1e-400", "5000000",
           " 12 ", "\x00", "1" * 400, "9" * 70, "Infinity", "1e9", "0", "1.5", "-0", "true",
           "moons", "all", "None", "[]", "{}", "'; DROP TABLE", "\u202e12", "１２", "١٢", "1_6",
           "12\u200b", "+.5e1"]
# Widget values (not text) reach the same function.
NON_TEXT = [None, True, False, 0, -3, 10**9, 1e308, math.nan, math.inf, -math.inf, 0.5, 12.0,
            [1], {"a": 1}]

# ASCII digits only, written out: Python's \d would also take "١٢" (Arabic-Indic) and "１２".
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def reference_valid(setting, raw):
    """Is ``raw`` already a valid value for ``setting``? From docs/design.md, not settings.py.

    Text is trimmed; a number must be a plain decimal literal within [lo, hi] (an integer for
    an int setting); an option must be one of the options as typed; on/off for a switch.
    """
    if isinstance(raw, str):
        text = raw.strip()
    elif isinstance(raw, (bool, int, float)) or raw is None:
        text = str(raw)
    else:
        return False
    if setting.options:
        if raw in setting.options and not isinstance(raw, bool):
            return True
        if text in (str(o) for o in setting.options):
            return True
        # "1" for the option 1.0, "0.30" for 0.3: the same number.
        numbers = [o for o in setting.options if isinstance(o, (int, float))]
        return bool(_DECIMAL.fullmatch(text)) and float(text) in numbers
    if setting.kind is bool:
        return text.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off", "")
    if not _DECIMAL.fullmatch(text):
        return False
    number = float(text)
    if not setting.lo <= number <= setting.hi:
        return False
    return setting.kind is float or number == int(number)


def assert_within_limits(setting, value):
    if setting.options:
        assert value in setting.options, value
        assert any(value == o and type(value) is type(o) for o in setting.options)
    elif setting.kind is bool:
        assert value is True or value is False
    elif setting.kind is int:
        assert type(value) is int and setting.lo <= value <= setting.hi, value
    else:
        assert type(value) is float and math.isfinite(value), value
        assert setting.lo <= value <= setting.hi, value


CASES = [pytest.param(key, raw, id=f"{key}-{str(raw)[:12]!r}")
         for key, setting in SETTINGS.items() for raw in HOSTILE + NON_TEXT]


@pytest.mark.parametrize(("key", "raw"), CASES)
def test_every_setting_cleans_every_hostile_value(key, raw):
    setting = SETTINGS[key]
    value, note = setting.clean(raw)
    assert_within_limits(setting, value)
    if reference_valid(setting, raw):
        assert note is None, f"{raw!r} is valid for {key} but got the note {note!r}"
        if not setting.options and setting.kind is not bool:
            assert value == float(str(raw).strip())
    else:
        assert isinstance(note, str) and note, f"{raw!r} is not valid for {key}: needs a note"
        assert setting.label in note and len(note) < 200
        assert "x" * 30 not in note  # a long value is cut short in the note


def test_the_limits_are_those_of_the_design():
    assert SETTINGS["samples"].hi == MAX_SAMPLES == 5000
    assert SETTINGS["hidden"].hi == MAX_HIDDEN == 64
    assert SETTINGS["epochs_per_run"].hi == MAX_EPOCHS_PER_RUN == 5000
    for s in SETTINGS.values():
        assert_within_limits(s, s.default)
        assert s.clean(s.default) == (s.default, None)
        assert s.clean(str(s.default)) == (s.default, None)


@pytest.mark.parametrize(("key", "raw", "expected"), [
    ("samples", "1e308", MAX_SAMPLES), ("samples", "-1e308", 20), ("samples", "5000000", 5000),
    ("samples", "-5", 20), ("samples", " 12 ", 20), ("hidden", "-3", 1), ("hidden", "1e9", 64),
    ("hidden", " 12 ", 12), ("noise", "inf", 0.2), ("noise", "-5", 0.0), ("noise", "1e308", 1.0),
    ("test_fraction", "2", 0.5), ("test_fraction", "0", 0.1), ("seed", "-1", 0),
    ("seed", "5000000", 999_999), ("epochs_per_run", "1e9", MAX_EPOCHS_PER_RUN),
    ("epochs_per_run", "0", 1), ("epochs_per_run", "nan", 100), ("lr", "nan", 0.3),
    ("lr", "1e308", 10.0), ("lr", "0.25", 0.3), ("lr", "-1", 0.3), ("lr", "1e-400", 0.3),
    ("batch", "0", 32), ("batch", "5000000", 1024), ("batch", "all", "all"), ("batch", "3", 4),
    ("l2", "abc", 0.0), ("task", "<script>", "classification"),
    ("dataset", "../../etc/passwd", "moons"), ("activation", "relu", "relu"),
    ("present", "1", True), ("present", "2", False),
])
def test_clamped_or_default(key, raw, expected):
    value, _ = SETTINGS[key].clean(raw)
    assert value == expected and type(value) is type(expected)


def test_clean_settings_takes_a_whole_hostile_link():
    raw = {key: "<script>alert(1)</script>" for key in SETTINGS}
    values, notes = clean_settings(raw)
    assert set(values) == set(SETTINGS)
    for key, setting in SETTINGS.items():
        assert_within_limits(setting, values[key])
    # One note per key, each naming the value as a quoted string cut to 24 characters.
    quoted = "'<script>alert(1)</scr...'"
    assert notes == [
        f"Task = {quoted} is not one of classification, regression; using classification.",
        f"Dataset = {quoted} is not one of moons, circles, blobs, xor, spiral, linear, sine, "
        "plane, bumps; using moons.",
        f"Samples = {quoted} is not a number; using 500.",
        f"Noise = {quoted} is not a number; using 0.2.",
        f"Test fraction = {quoted} is not a number; using 0.3.",
        f"Seed = {quoted} is not a number; using 0.",
        f"Hidden units = {quoted} is not a number; using 8.",
        f"Hidden activation = {quoted} is not one of sigmoid, tanh, relu; using tanh.",
        f"Loss = {quoted} is not one of mse, log_loss; using log_loss.",
        f"Learning rate = {quoted} is not one of 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, "
        "0.1, 0.3, 1.0, 3.0, 10.0; using 0.3.",
        f"Batch size = {quoted} is not one of 1, 2, 4, 8, 10, 16, 32, 64, 128, 256, 512, "
        "1024, all; using 32.",
        f"L2 = {quoted} is not one of 0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1; using 0.0.",
        f"Epochs per Train = {quoted} is not a number; using 100.",
        f"Presentation mode = {quoted} is not on/off; using False.",
        f"Classes = {quoted} is not a number; using 2.",
    ]
    for note in notes:  # the value appears only inside its quotes, never as bare markup
        assert "<script>" not in note.replace(quoted, "")


@pytest.mark.parametrize("raw", ["١٢", "１２", "1_6", "12\u200b", "0x10", "1e1_0", "٣.٥"])
def test_a_number_is_ascii_digits_only(raw):
    for key in ("hidden", "samples", "seed", "noise", "lr"):
        value, note = SETTINGS[key].clean(raw)
        assert value == SETTINGS[key].default and "not" in note, (key, raw, value)
    assert SETTINGS["hidden"].clean("12") == (12, None)
    assert SETTINGS["noise"].clean("+.5e-1") == (0.05, None)


@pytest.mark.parametrize(("key", "value", "text"), [
    ("present", True, "true"), ("present", False, "false"), ("lr", 1.0, "1.0"),
    ("lr", 10.0, "10.0"), ("lr", 0.0001, "0.0001"), ("batch", "all", "all"), ("batch", 32, "32"),
    ("hidden", 12, "12"), ("noise", 0.25, "0.25"), ("noise", 1.0, "1"), ("l2", 0.0, "0.0"),
    ("dataset", "xor", "xor"),
])
def test_url_text_is_how_a_bound_widget_spells_the_value(key, value, text):
    # Streamlit 1.67 writes a toggle as true/false, a select_slider or selectbox option as
    # str(option), a slider or number_input number with an integral float as an int.
    assert SETTINGS[key].url_text(value) == text
    assert SETTINGS[key].clean(text) == (value, None)


@pytest.mark.parametrize("raw", [{k: v for k in SETTINGS} for v in HOSTILE[:19]])
def test_clean_settings_never_raises_and_stays_consistent(raw):
    values, notes = clean_settings(raw)
    assert DATASETS[values["dataset"]] == values["task"]
    assert values["loss"] in LOSSES_FOR_TASK[values["task"]]
    for key, setting in SETTINGS.items():
        assert_within_limits(setting, values[key])
    assert all(isinstance(n, str) for n in notes)


def test_missing_keys_take_the_defaults_without_notes():
    values, notes = clean_settings({})
    assert values == {k: s.default for k, s in SETTINGS.items()} and notes == []


def test_unknown_keys_are_left_alone():
    values, notes = clean_settings({"lesson": "3", "../x": "y"})
    assert "lesson" not in values and notes == []


def test_dataset_must_fit_the_task():
    values, notes = clean_settings({"task": "regression", "dataset": "moons"})
    assert values["dataset"] == DEFAULT_DATASET["regression"]
    assert any("moons" in n and "regression" in n for n in notes)
    # A task alone moves the dataset silently: the link did not ask for one.
    values, notes = clean_settings({"task": "regression"})
    assert values["dataset"] == "sine" and values["loss"] == "mse" and notes == []
    # A hostile task falls back to classification, so a regression dataset has to go.
    values, notes = clean_settings({"task": "<script>", "dataset": "sine"})
    assert values["task"] == "classification" and values["dataset"] == "moons"
    assert len(notes) == 2


def test_classes_are_two_to_five():
    setting = SETTINGS["classes"]
    assert (setting.lo, setting.hi, setting.default) == (2, 5, 2)
    assert setting.clean("3") == (3, None)
    assert setting.clean(" 5 ") == (5, None)
    for raw, expected in (("1", 2), ("6", 5), ("1e9", 5), ("-3", 2), ("3.4", 3), ("abc", 2),
                          ("nan", 2), ("３", 2)):
        value, note = setting.clean(raw)
        assert value == expected and type(value) is int and note.startswith("Classes = ")


def test_classes_need_a_dataset_with_that_many():
    # A link with classes alone: the K-class dataset, silently (the link named no dataset).
    values, notes = clean_settings({"classes": "3"})
    assert (values["classes"], values["dataset"], notes) == (3, "spiral", [])
    # A two-class dataset asked for with three classes: the classes win, with a note.
    values, notes = clean_settings({"classes": "3", "dataset": "moons"})
    assert (values["classes"], values["dataset"]) == (3, "spiral")
    assert notes == ["Dataset 'moons' has two classes; 3 classes: using 'spiral'."]
    values, notes = clean_settings({"classes": "5", "dataset": "linear"})
    assert values["dataset"] == "spiral"
    assert notes == ["Dataset 'linear' has at most 4 classes; 5 classes: using 'spiral'."]
    # Datasets that have K classes keep them.
    for dataset, classes in (("blobs", 5), ("spiral", 4), ("linear", 4), ("linear", 3)):
        values, notes = clean_settings({"classes": str(classes), "dataset": dataset})
        assert (values["classes"], values["dataset"], notes) == (classes, dataset, [])
    # Two classes fit every classification dataset.
    values, notes = clean_settings({"classes": "2", "dataset": "moons"})
    assert (values["classes"], values["dataset"], notes) == (2, "moons", [])


def test_classes_are_for_classification():
    values, notes = clean_settings({"task": "regression", "classes": "3"})
    assert (values["task"], values["classes"], values["dataset"]) == ("regression", 2, "sine")
    assert notes == ["Classes = 3 needs a classification task; using 2."]
    values, notes = clean_settings({"task": "regression", "dataset": "bumps"})
    assert values["classes"] == 2 and notes == []


@pytest.mark.parametrize("raw", [{k: v for k in SETTINGS} for v in HOSTILE[:19]]
                         + [{"classes": c, "dataset": d, "task": t} for c in ("3", "5", "9")
                            for d in DATASETS for t in ("classification", "regression", "x")])
def test_any_link_gives_data_that_make_dataset_accepts(raw):
    from twolayer.data import make_dataset

    values, _ = clean_settings(raw)
    data = make_dataset(values["dataset"], 40, values["noise"], seed=values["seed"],
                        n_classes=values["classes"])
    assert data.task == values["task"] and data.n_classes == values["classes"]


def test_log_loss_is_not_for_regression():
    values, notes = clean_settings({"task": "regression", "loss": "log_loss"})
    assert values["loss"] == "mse"
    assert any("log_loss" in n for n in notes)
    values, notes = clean_settings({"task": "classification", "loss": "mse"})
    assert values["loss"] == "mse" and notes == []


def test_a_valid_link_is_taken_as_it_is():
    raw = {"task": "regression", "dataset": "bumps", "samples": "300", "noise": "0.1",
           "test_fraction": "0.25", "seed": "7", "hidden": "16", "activation": "relu",
           "loss": "mse", "lr": "0.03", "batch": "all", "l2": "0.001", "epochs_per_run": "50",
           "present": "1"}
    values, notes = clean_settings(raw)
    assert notes == []
    assert values == {"task": "regression", "dataset": "bumps", "samples": 300, "noise": 0.1,
                      "test_fraction": 0.25, "seed": 7, "hidden": 16, "activation": "relu",
                      "loss": "mse", "lr": 0.03, "batch": "all", "l2": 0.001,
                      "epochs_per_run": 50, "present": True, "classes": 2}


def test_epoch_budget_caps_the_work_of_one_request():
    from twolayer.settings import (
        MAX_SECONDS_PER_REQUEST,
        STEP_SECONDS,
        UNIT_SECONDS,
        epoch_budget,
    )

    def cost(epochs, n_train, bs, hidden):
        return epochs * (-(-n_train // bs) * STEP_SECONDS + n_train * hidden * UNIT_SECONDS)

    # Playground's default, 100 epochs: 350 training samples, batch 10 -> 35 steps an epoch.
    assert epoch_budget(100, 350, 10, 8) == (100, None)
    # The worst link within the limits: 5000 epochs of 3500 single-sample steps.
    epochs, note = epoch_budget(5000, 3500, 1, 64)
    assert 1 <= epochs < 5000 and "batch size" in note
    assert cost(epochs, 3500, 1, 64) <= MAX_SECONDS_PER_REQUEST < cost(epochs + 1, 3500, 1, 64)
    # Full batch: few steps, but each one is heavy.
    epochs, note = epoch_budget(5000, 3500, None, 64)
    assert cost(epochs, 3500, 3500, 64) <= MAX_SECONDS_PER_REQUEST and note
    # Never zero: one epoch is always allowed.
    assert epoch_budget(10, 10**9, 1, 64)[0] == 1


def test_a_sweeps_first_epoch_fits_a_quarter_of_the_budget():
    """The first epoch cannot be cut short: seeds are dropped until its estimate fits a quarter
    of a request's time (the estimate's constants are read, the rule is written here)."""
    from twolayer.settings import (
        MAX_SECONDS_PER_REQUEST,
        SWEEP_SEED_SECONDS,
        SWEEP_STEP_SECONDS,
        SWEEP_UNIT_SECONDS,
        sweep_seed_budget,
    )

    def one_epoch(seeds, nets, n, batch, hidden, n_train):
        return (-(-n_train // batch) * SWEEP_STEP_SECONDS + seeds * SWEEP_SEED_SECONDS
                + seeds * nets * n * hidden * SWEEP_UNIT_SECONDS)

    # The heaviest link: 16 seeds x 22 nets, batch 1 on 3500 of 5000 samples, 64 hidden units.
    seeds, note = sweep_seed_budget(16, 22, 5000, 1, 64, 3500)
    assert 1 <= seeds < 16 and note and f"sweeping {seeds} seed" in note
    assert one_epoch(seeds, 22, 5000, 1, 64, 3500) <= MAX_SECONDS_PER_REQUEST / 4 \
        < one_epoch(seeds + 1, 22, 5000, 1, 64, 3500)
    # The page's defaults keep every seed.
    assert sweep_seed_budget(8, 22, 500, 32, 8, 350) == (8, None)


def test_landscape_parameters_for_k_classes():
    from twolayer.settings import LANDSCAPE_PARAMS, clean_param, landscape_params

    assert landscape_params(True) == LANDSCAPE_PARAMS[True] == ("W2[0,0]", "b2")
    assert landscape_params(False, 2) == ("W1[0,0]", "W2[0,0]")
    assert landscape_params(True, 3) == ("W2[1,0]", "b2[1,0]")
    for saturated in (True, False):   # every default is a parameter of the net it is for
        for n in (3, 5):
            for name in landscape_params(saturated, n):
                assert clean_param(name, 2, 1, "x", "Axis", n) == (name, None)
    assert clean_param("b2[2]", 2, 8, "W2[1,0]", "Axis", 3) == ("b2[2,0]", None)
    assert clean_param("b2", 2, 8, "b2[1,0]", "Vertical axis", 3) == (
        "b2[1,0]", "Vertical axis = 'b2' is not a parameter of a net with 2 inputs, 8 hidden "
                   "units and 3 classes; using b2[1,0].")
    assert clean_param("W2[3,0]", 2, 8, "W2[1,0]", "Axis", 3)[1] is not None
    assert clean_param("W2[3,0]", 2, 8, "W2[1,0]", "Axis", 4) == ("W2[3,0]", None)
    # Two classes as before.
    assert clean_param("b2", 2, 8, "W2[0,0]", "Axis") == ("b2", None)
    assert clean_param("b2[1,0]", 2, 8, "b2", "Axis")[0] == "b2"


def test_landscape_budget_counts_k_classes_dearer():
    from twolayer.settings import LANDSCAPE_SECONDS, MAX_SECONDS_PER_REQUEST, landscape_budget

    # Where two classes just fit 120 x 120, five (3x a point) do not.
    n_train = int(MAX_SECONDS_PER_REQUEST / (2 * 120 * 120 * LANDSCAPE_SECONDS))
    assert landscape_budget(120, n_train) == (120, None)
    assert landscape_budget(120, n_train, n_classes=2) == (120, None)
    grid, note = landscape_budget(120, n_train, n_classes=5)
    assert grid < 120 and 2 * grid * grid * n_train * LANDSCAPE_SECONDS * 3 \
        <= MAX_SECONDS_PER_REQUEST and "120 x 120" in note
    assert landscape_budget(120, n_train, n_classes=3)[0] <= 101


def test_sweep_budgets_count_k_classes_dearer():
    from twolayer.settings import sweep_budget, sweep_seed_budget

    # The same sweep, the unit cost dominating: five classes allow half the epochs (2.0x a net
    # as measured), three two thirds (1.5x).
    args = (5000, 112, 8, 500, None, 64)
    two, _ = sweep_budget(*args)
    assert two == 37 and sweep_budget(*args, n_classes=2)[0] == two
    assert sweep_budget(*args, n_classes=3)[0] == 24     # 37 / 1.5, nearly
    assert sweep_budget(*args, n_classes=5)[0] == 18     # 37 / 2
    assert sweep_seed_budget(16, 14, 5000, None, 64)[0] == 7
    seeds5, note = sweep_seed_budget(16, 14, 5000, None, 64, n_classes=5)
    assert seeds5 == 3 and "sweeping 3 seeds" in note
