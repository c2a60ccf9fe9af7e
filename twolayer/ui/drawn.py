"""The live charts made, kept by what they show, and the next Step's made ahead (Drawn)."""

import hashlib
from collections import OrderedDict

import numpy as np

from ..net import PARAMS
from .live import charts
from .play import epoch_of

# The next Step's charts are made in the run before it, from a copy of the trainer (or of both
# nets of a Comparison) trained one epoch ahead (the original stays where it is), and sent
# along with the charts on screen: the browser shows them the moment Step is pressed, while
# the rerun that Step starts trains that epoch for real and finds those very charts already
# made (Drawn). Nothing is made twice, in Python or in the browser; the numbers follow with
# the rerun.

class Drawn:
    """The live charts last made, by what they show (see ``state_key``): the last ``size``
    asked for (the charts on screen, the history slider's last) and the next Step's; with
    each, the prediction figure (the figure download). About 0.4 MB each at 8 hidden units."""

    def __init__(self, size=2):
        self.size, self.entries = size, OrderedDict()
        # The next Step: the state it starts from, its key, its entry, what the browser gets.
        self.ahead_from = self.ahead_key = self.ahead_entry = self.ahead_sent = None

    def at(self, scene, view):
        """(recorded epoch, live charts, the boundary Figure or None) of ``scene.view(view)``."""
        return self._entry(state_key(scene, view), scene, view)[:3]

    def ahead(self, scene):
        """The charts of the epoch a Step would train next, as {"epoch", "charts"} for the
        browser, or None when training cannot go on (it diverged, or would at that epoch)."""
        epoch = epoch_of(scene.trainers)
        base = (state_key(scene, epoch),
                tuple((t.lr, t.batch_size, t.l2) for t in scene.trainers))
        if self.ahead_from != base:
            self.ahead_from, self.ahead_key, self.ahead_entry, self.ahead_sent = \
                base, None, None, None
            twin = scene.ahead()                    # the scene one epoch on, or None
            if twin is not None:
                after = epoch_of(twin.trainers)
                key = state_key(twin, after)
                made = self._entry(key, twin, after)
                self.ahead_key, self.ahead_entry = key, made
                self.ahead_sent = {"epoch": after, "charts": made[1]}
        return self.ahead_sent

    def _entry(self, key, scene, view):
        """(recorded epoch, live charts, boundary Figure or None, data) for ``key``: kept, the
        next Step's (made ahead), or made now."""
        if key not in self.entries:
            if key == self.ahead_key:
                self.entries[key] = self.ahead_entry   # Step: the charts made ahead
            else:
                recorded, figs = scene.view(view)
                # The data is held with its key: its id() is not reused while the entry lives.
                self.entries[key] = (recorded, charts(figs), figs.get("boundary"),
                                     scene.trainers[0].data)
        self.entries.move_to_end(key)
        entry = self.entries[key]
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return entry


def state_key(scene, view):
    """What a scene's charts at ``view`` depend on. The weights and losses are hashed: a rerun
    after Step finds the charts a copy made ahead only if that epoch came out the same."""
    nets = []
    for t in scene.trainers:
        net, h = t.net, t.history
        digest = hashlib.blake2b(digest_size=16)
        for p in PARAMS:
            digest.update(getattr(net, p).tobytes())
        for values in (h.train_loss, h.test_loss):
            digest.update(np.asarray(values, dtype=np.float64).tobytes())
        nets.append((id(t.data), net.n_hidden, net.activation, net.loss_name, t.epoch,
                     t.diverged, len(h.snapshots), digest.hexdigest()))
    return tuple(nets), view, scene.options
