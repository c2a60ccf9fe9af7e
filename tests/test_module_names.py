"""Modules split along their concerns keep every name importable from where it was: the
public names each one defined before the split (twolayer.io, twolayer.sweep, twolayer.__main__,
twolayer.export, twolayer.landscape, twolayer.figures.playground), and the one import another
module takes from there (sweep.LOSS_LABELS, for ui/sweep_story.py)."""

import importlib

import pytest

BEFORE = {
    "twolayer.io": """
    FEATURES_FOR_TASK FORMULA_START MAX_BYTES MAX_COLUMNS MAX_MAGNITUDE MAX_NAME
    MAX_NPY_HEADER MAX_NPZ_MEMBER MAX_NPZ_TOTAL SPLIT_COLUMN Scaler csv_columns
    dataset_to_csv figure_to_html history_to_csv net_from_npz read_csv_dataset
    weights_from_npz weights_to_npz
    """,
    "twolayer.sweep": """
    BLOCK_ELEMENTS EVAL_ELEMENTS EVAL_LOSSES Run Summary Sweep best best_sentence grid
    summarize with_target LOSS_LABELS
    """,
    "twolayer.__main__": """
    CHOICES COMMANDS DEFAULT_LRS FORMAT MAX_CLI_GRID MAX_CLI_SPAN add_classes_option
    add_compare add_export add_landscape add_loss_option add_sweep add_train classes
    common_options count data_for final_numbers learning_rates loss_list main make_parser
    make_trainer make_trainers new_command print_table run_compare run_export run_landscape
    run_sweep run_train seed_list summarise train_and_report
    """,
    "twolayer.export": """
    GENERATOR_CODE GENERATOR_CODE_K LOSS_LINES Run notebook script sections
    """,
    "twolayer.figures.playground": """
    ACTIVATION_RANGE LEFT_PX decision_boundary gradient_norms hidden_unit_maps loss_curves
    metric_curves network_diagram regression_curve regression_surface training_curves
    """,
    "twolayer.landscape": """
    CHUNK_ELEMENTS DEFAULT_PARAMS DEFAULT_PARAMS_K Landscape OverBudget Param Path
    budgeted_surfaces default_params gradient_at loss_surfaces losses_at net_surfaces offsets
    param_names param_shapes parse_pair parse_param path slope start_values trainer_paths
    """,
}


@pytest.mark.parametrize("module", sorted(BEFORE))
def test_every_name_is_importable_from_where_it_was(module):
    loaded = importlib.import_module(module)
    assert [name for name in BEFORE[module].split() if not hasattr(loaded, name)] == []
