"""Training between reruns for the pages, gathered from its rooms:

- twolayer.ui.play: Play's state machine and its chunks of frames (no Streamlit);
- twolayer.ui.scenes: what the live charts show (the Scene protocol, the Playground's and the
  comparison's scenes);
- twolayer.ui.drawn: the charts made, and the next Step's made ahead;
- twolayer.ui.epochs: Reset, and an epoch's weights and numbers.

Here: the session-state keys and the charts as Play starts (encoded for the browser).
"""

from .drawn import Drawn, state_key  # noqa: F401
from .epochs import RESTARTS, forget_restarts, metrics_at, net_at, restart  # noqa: F401
from .live import charts
from .play import (  # noqa: F401
    AHEAD_FRAMES,
    CHUNK_FRAMES,
    FIRST_FRAMES,
    KEYFRAME_EVERY,
    SPEEDS,
    Play,
    chunk_epochs,
    chunk_frames,
    epoch_of,
    keep_playing,
    make_chunk,
    on_need,
    on_pause,
    pause,
    settle,
    start,
    stop,
    toggle,
)
from .scenes import (  # noqa: F401
    HIDDEN_GRID,
    CompareScene,
    PlaygroundScene,
    Scene,
    budget,
    hidden_figure,
    prediction_figure,
)

# Session-state keys the Playground keeps here.
PLAY, DRAWN = "pg_play_state", "pg_drawn"


def set_base(play, scene, figures):
    """The charts as Play starts (``figures``: {name: Figure}), before it trains ahead: sent
    unchanged while playing, with the traces no frame moves (drawn once, kept still)."""
    play.base = charts(figures)
    play.still = {name: [i for i in range(len(figures[name].data)) if i not in moving]
                  for name, moving in scene.moving.items()}
