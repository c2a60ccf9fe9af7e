"""Play's chunk schedule (twolayer.ui.playback): which epochs each chunk carries, at which
speed, how big the first one is, and what a second of Play costs on the wire. The browser side
(one frame per animation frame) is tested in tests/test_browser.py."""

import json

import pytest

from twolayer.ui import play as pb


class Counter:
    """A trainer that only counts epochs (run, rewind, weights as the epoch itself)."""

    def __init__(self):
        self.epoch = 0

    def run(self, n):
        self.epoch += n

    def rewind(self, epoch, params):
        assert params == epoch
        self.epoch = epoch

    @property
    def net(self):
        return self

    def get_params(self):
        return self.epoch


class CountingScene:
    """The Scene interface make_chunk uses, with pictures that name their epoch only."""

    def __init__(self, budget=10**9):
        self.trainers, self.cap, self.still = [Counter()], budget, {}

    def budget(self, epochs):
        return min(epochs, self.cap)

    def diverged(self):
        return False

    def frame(self, epoch):
        return {"boundary": {"layout": {"title.text": f"epoch {epoch}"}}}

    def keyframe(self, epoch, index):
        return {}

    def curve_patches(self, first, epochs):
        return [None] * len(epochs)


def play_through(scene, speed, frames_wanted, browser_ahead=pb.AHEAD_FRAMES):
    """A browser playing one frame per animation frame and asking for the next chunk while
    fewer than ``browser_ahead`` frames are queued (as live.js does), until it has shown
    ``frames_wanted`` frames. Returns (epochs shown in order, frames per chunk)."""
    play = pb.Play()
    pb.start(play, scene.trainers)
    queue, shown, sizes = [], [], []
    chunk = pb.make_chunk(play, scene, speed=speed)
    while len(shown) < frames_wanted:
        if chunk is not None:
            queue += [f["epoch"] for f in chunk["frames"]]
            sizes.append(len(chunk["frames"]))
            chunk = None
        if queue:
            shown.append(queue.pop(0))
        if len(queue) < browser_ahead and pb.on_need(play, {"play": play.id,
                                                          "seq": play.seq + 1,
                                                          "shown": shown[-1] if shown else 0}):
            chunk = pb.make_chunk(play, scene, speed=speed)
    return shown, sizes, play


def test_the_first_chunk_is_half_a_second_at_60_frames_and_the_next_ones_up_to_three():
    # Few chunks (each is a rerun, whose page update costs the browser a few frames' time),
    # and a first one that is on screen soon after the click.
    assert [pb.chunk_frames(seq) for seq in range(5)] == [30, 60, 120, 180, 180]
    assert pb.chunk_frames(10**6) == 180
    shown, sizes, _ = play_through(CountingScene(), 1, 900)
    assert sizes[:5] == [30, 60, 120, 180, 180]


@pytest.mark.parametrize("speed", [1, 2, 5, 10])
def test_every_picture_is_speed_epochs_after_the_one_before(speed):
    shown, _, _ = play_through(CountingScene(), speed, 400)
    assert shown == [speed * k for k in range(1, 401)]


@pytest.mark.parametrize(("speed", "budget", "epochs"), [(10, 37, 30), (10, 5, 10), (5, 12, 10),
                                                         (1, 7, 7), (2, 3, 2)])
def test_a_cpu_budget_cuts_a_chunk_to_whole_frames(speed, budget, epochs):
    scene = CountingScene(budget=budget)
    play = pb.Play()
    pb.start(play, scene.trainers)
    chunk = pb.make_chunk(play, scene, speed=speed)
    assert scene.trainers[0].epoch == epochs
    assert [f["epoch"] for f in chunk["frames"]] == list(range(speed, epochs + 1, speed))
    shown, _, _ = play_through(CountingScene(budget=budget), speed, 60)
    assert shown == [speed * k for k in range(1, 61)]


def test_python_is_never_more_than_a_few_chunks_ahead_and_pause_goes_back():
    scene = CountingScene()
    shown, _, play = play_through(scene, 1, 500)
    ahead = scene.trainers[0].epoch - shown[-1]
    assert 0 < ahead <= pb.AHEAD_FRAMES + pb.CHUNK_FRAMES
    assert pb.on_pause(play, scene.trainers, {"play": play.id, "epoch": shown[-1], "end": False})
    assert scene.trainers[0].epoch == shown[-1] == 500


def test_a_second_of_play_at_60_frames_is_small_on_the_wire():
    """Bytes per second at 60 frames a second, 1x, the Playground's defaults (80 x 80 8-bit
    grids, the curves, the diagram and hidden units 3 times a second): under 1 MB/s."""
    from tests.test_page_playground import small_trainer
    from twolayer.ui.scenes import PlaygroundScene

    t = small_trainer(samples=500, hidden=8)
    play, scene = pb.Play(), PlaygroundScene(t)
    pb.start(play, [t])
    total = frames = 0
    for seq in range(4):
        if seq:
            pb.on_need(play, {"play": play.id, "seq": seq, "shown": t.epoch})
        chunk = pb.make_chunk(play, scene, speed=1)
        total += len(json.dumps(chunk, allow_nan=False))
        frames += len(chunk["frames"])
    per_second = total / frames * 60
    assert per_second < 1_000_000, per_second


def test_a_request_asked_again_keeps_playing_and_makes_nothing():
    """The browser asks again for a chunk whose answer was slow: that rerun is Play's own (it
    does not pause) and trains nothing; a rerun for anything else pauses."""
    scene = CountingScene()
    play = pb.Play()
    pb.start(play, scene.trainers)
    assert pb.settle(play, scene.trainers)
    pb.make_chunk(play, scene)
    assert pb.on_need(play, {"play": play.id, "seq": 1, "shown": 3})
    assert pb.settle(play, scene.trainers)
    pb.make_chunk(play, scene)
    trained = scene.trainers[0].epoch
    assert not pb.on_need(play, {"play": play.id, "seq": 1, "shown": 5})   # asked again
    assert pb.settle(play, scene.trainers) and play.playing
    assert pb.make_chunk(play, scene) is None and scene.trainers[0].epoch == trained
    assert not pb.settle(play, scene.trainers)                             # anything else
    assert scene.trainers[0].epoch == 5


def test_plays_state_machine_imports_no_streamlit():
    """twolayer.ui.play is plain Python: importing it in a fresh process loads no Streamlit."""
    import subprocess
    import sys

    code = "import sys, twolayer.ui.play; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
