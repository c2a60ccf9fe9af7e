"""Take it home: the run on screen as a Python script and a notebook (twolayer.export).

The files reproduce the epoch the page's numbers show. They are made only when a button is
clicked, from copies of the trainers taken now, so a rerun that trains on meanwhile cannot
change a file half-way through.
"""

import streamlit as st

from ..export import notebook, script
from ..replay import run_from_trainers

GENERATED = ("dataset", "samples", "noise", "test_fraction", "seed")


def page_run(trainers, settings, lr_factor=1.0, page="Playground", epoch=None):
    """The twolayer.export.Run of the page's ``trainers`` at ``epoch`` (default: the latest
    they reached), the data made by ``settings`` when it is theirs, else embedded."""
    epoch = max(t.epoch for t in trainers.values()) if epoch is None else epoch
    return run_from_trainers(trainers, {k: settings.get(k) for k in GENERATED}, epoch,
                             lr_factor, f"The run of twolayer's {page} page, up to epoch {epoch}.")


def export_buttons(trainers, settings, lr_factor=1.0, prefix="twolayer", page="Playground",
                   epoch=None):
    """Two download buttons, "Python script" and "Notebook (.ipynb)", for ``trainers``
    ({loss: Trainer}, one net or a comparison's two) at ``epoch``, the one on screen
    (default: the latest they reached).

    settings : the page's settings (its dataset, samples, noise, test fraction and seed say how
        the data was made; data they do not make, an upload, is embedded in the file)
    """
    trainers = {loss: t.copy() for loss, t in trainers.items()}
    settings = {k: settings.get(k) for k in GENERATED}
    epoch = max(t.epoch for t in trainers.values()) if epoch is None else int(epoch)
    name = f"{prefix}-{next(iter(trainers.values())).data.name}-epoch{epoch}"

    def run():
        return page_run(trainers, settings, lr_factor, page, epoch)

    c1, c2 = st.columns(2)
    c1.download_button("Python script", lambda: script(run()), f"{name}.py", "text/x-python",
                       on_click="ignore", key=f"{prefix}_dl_script", icon=":material/code:",
                       help="A self-contained script (NumPy and scikit-learn) that trains this "
                            f"run to epoch {epoch} and prints the numbers shown here")
    c2.download_button("Notebook (.ipynb)", lambda: notebook(run()), f"{name}.ipynb",
                       "application/x-ipynb+json", on_click="ignore",
                       key=f"{prefix}_dl_notebook", icon=":material/book:",
                       help="The same code in Jupyter notebook cells, with the equations "
                            "between them")
