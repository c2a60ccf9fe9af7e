"""The epoch a page shows: one object per page and session that every number, title, the
history slider and every download ask, so that they never disagree.

Streamlit forgets the value of a widget that a run does not draw (leave the page, come back:
the slider would start again from its default). The epoch shown therefore lives here, in the
page's own session state, and the slider is handed its value from here on every run (``sync``)
and reports a move back through ``on_slider``.

Nothing here imports Streamlit: the page passes its ``st.session_state`` (any mapping).

Interface::

    view = View.of(state, "pg_view")   # the page's View, kept for the session
    view.follow()                      # Step, Train, Reset, Play's end: show the latest epoch
    view.scrub(10)                     # the history slider: show epoch 10 until the next follow
    view.at(last)                      # the epoch to show when training stands at ``last``
    view.sync(state, "view_epoch", last)   # before the slider is drawn: its value from here
    view.on_slider(state, "view_epoch")    # the slider's on_change
    of_last(10, 103)                   # "epoch 10 of 103": how the numbers say which row
"""

from dataclasses import dataclass


@dataclass
class View:
    """Which epoch a page shows. ``chosen`` is None while the page follows training (the
    latest epoch), else the epoch the history slider was moved to."""

    chosen: int | None = None

    @classmethod
    def of(cls, state, key):
        """The View kept in ``state`` (a session-state mapping) under ``key``; made once."""
        view = state.get(key)
        if not isinstance(view, cls):
            view = state[key] = cls()
        return view

    def follow(self):
        """Show the latest epoch from now on (after Step, Train, Reset, the end of Play)."""
        self.chosen = None

    def scrub(self, epoch):
        """Show ``epoch`` until the next ``follow``."""
        self.chosen = int(epoch)

    def at(self, last):
        """The epoch to show when training stands at epoch ``last`` (an epoch chosen beyond
        it, from before a Reset, means the latest)."""
        if self.chosen is None or not 0 <= self.chosen <= last:
            return last
        return self.chosen

    def sync(self, state, key, last):
        """Give the widget ``key`` (not yet drawn in this run) the epoch shown as its value.
        Only when it differs: a value set from here is pushed to the browser, and would undo
        a move of the slider made while this run was under way."""
        if state.get(key) != self.at(last):
            state[key] = self.at(last)

    def on_slider(self, state, key):
        """The slider ``key`` moved: show the epoch it names."""
        value = state.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            self.scrub(value)


def of_last(epoch, last):
    """How the numbers name their epoch: "epoch 100", or "epoch 10 of 103" scrubbed back."""
    return f"epoch {epoch}" if epoch == last else f"epoch {epoch} of {last}"
