"""Play's chunks over the app's route (twolayer.ui.feed, GET /api/chunk): the chunks it makes
are the ones the reruns made (the same epochs, the same weights as a net trained on its own),
only for the play that owns the secret name, never for a stale or a skipped request, and a
Pause from a page's run stops a chunk being made and waits for it (one lock)."""

import asyncio
import gc
import json
import threading
from pathlib import Path

import numpy as np
import pytest
from starlette.applications import Starlette

from twolayer.data import make_dataset
from twolayer.net import TwoLayerNet
from twolayer.train import Trainer
from twolayer.ui import feed
from twolayer.ui import playback as pb
from twolayer.ui.play import ROUTE_FRAMES, train_ahead

ROOT = Path(__file__).resolve().parent.parent


def small_trainer():
    data = make_dataset("moons", 100, 0.2, 0.3, 0)
    net = TwoLayerNet(data.n_inputs, 4, "tanh", data.task, "log_loss", seed=0)
    return Trainer(net, data, lr=0.3, batch_size=32)


def playing(speed=1):
    """A play as the Play click's run leaves it: started, its scene offered, chunk 0 made."""
    t = small_trainer()
    scene = pb.PlaygroundScene(t)
    play = pb.Play()
    pb.start(play, [t])
    pb.set_base(play, scene, scene.figures(t.epoch)[1])
    feed.offer(play, scene, speed)
    first = pb.make_chunk(play, scene, speed=speed)
    return play, t, first


def ask(play, seq, shown, token=None):
    return {"token": play.token if token is None else token, "play": play.id, "seq": seq,
            "shown": shown}


def get(app, query):
    """One GET /api/chunk through the ASGI app: (status, body bytes)."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": feed.PATH, "raw_path": feed.PATH.encode(),
             "query_string": query.encode(), "headers": [], "scheme": "http",
             "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "root_path": "",
             "http_version": "1.1", "app": app}
    # In a thread of its own: a browser test earlier in the same process may have left an
    # event loop running in this one.
    call = threading.Thread(target=asyncio.run, args=(app(scope, receive, send),))
    call.start()
    call.join(60)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_the_route_goes_on_where_the_first_chunk_stopped_with_the_nets_own_weights():
    play, t, first = playing()
    epochs = [f["epoch"] for f in first["frames"]]
    for seq in (1, 2):
        text = feed.chunk_json(ask(play, seq, epochs[-1]), ahead=False)
        chunk = json.loads(text)
        assert chunk["seq"] == seq and chunk["play"] == play.id
        epochs += [f["epoch"] for f in chunk["frames"]]
    assert epochs == list(range(1, len(epochs) + 1))    # every epoch once, in order
    assert len(epochs) == pb.FIRST_FRAMES + 2 * ROUTE_FRAMES   # the route's: even chunks
    assert not play.keep                                # a rerun now would pause Play
    alone = small_trainer()                             # the reference: a net trained alone
    alone.run(epochs[-1])
    assert t.epoch == epochs[-1]
    for name, w in alone.net.get_params().items():
        np.testing.assert_array_equal(play.saved[epochs[-1]][0][name], w)


@pytest.mark.parametrize(("speed", "sizes"), [(1, [30, 60, 60, 60]), (2, [30, 30, 60, 60]),
                                              (5, [12, 12, 24, 24]), (10, [6, 6, 12, 12])])
def test_a_fast_play_comes_in_small_chunks_of_whole_frames(speed, sizes):
    """At most 60 epochs in the first two chunks and 120 in each of the route's after them
    (10x: 6, 6, then 12 frames): where Python trains slower than the screen shows, frames come
    a few at a time, not a second's worth after a second of training; every picture ``speed``
    epochs on."""
    play, t, first = playing(speed)
    chunks = [first]
    for seq in (1, 2, 3):
        shown = chunks[-1]["frames"][-1]["epoch"]
        chunks.append(json.loads(feed.chunk_json(ask(play, seq, shown), ahead=False)))
    assert [len(c["frames"]) for c in chunks] == sizes
    epochs = [f["epoch"] for c in chunks for f in c["frames"]]
    assert epochs == [speed * k for k in range(1, sum(sizes) + 1)]
    assert t.epoch == epochs[-1]


def test_the_route_answers_only_the_owner_of_the_play_and_only_in_its_order():
    play, t, first = playing()
    last = first["frames"][-1]["epoch"]
    assert feed.chunk_json(ask(play, 1, last, token="not-the-token"), ahead=False) is None
    assert feed.chunk_json(ask(play, 2, last), ahead=False) is None   # a chunk skipped
    assert t.epoch == last                                       # nothing trained
    once = feed.chunk_json(ask(play, 1, last), ahead=False)
    again = feed.chunk_json(ask(play, 1, last), ahead=False)     # asked again: the same chunk
    assert once == again and t.epoch == last + ROUTE_FRAMES
    token = play.token
    pb.pause(play, [t])
    assert feed.chunk_json(ask(play, 2, last, token=token), ahead=False) is None   # stopped
    assert t.epoch == last                                       # back on the epoch shown


def test_query_parameters_are_whole_numbers_or_refused():
    good = {"token": "abc", "play": "3", "seq": "1", "shown": "30"}
    assert feed.request_of(good) == {"token": "abc", "play": 3, "seq": 1, "shown": 30}
    for name, bad in [("seq", "-1"), ("seq", "1.5"), ("play", ""), ("shown", "9" * 12),
                      ("seq", None), ("shown", "0x10"), ("play", "٣")]:
        query = {**good, name: bad} if bad is not None else {k: v for k, v in good.items()
                                                            if k != name}
        assert feed.request_of(query) is None, (name, bad)


def test_the_http_route_status_and_body():
    app = Starlette(routes=feed.ROUTES)
    play, t, first = playing()
    last = first["frames"][-1]["epoch"]
    status, body = get(app, f"token={play.token}&play={play.id}&seq=1&shown={last}")
    assert status == 200 and json.loads(body)["frames"][0]["epoch"] == last + 1
    assert get(app, f"token={play.token}&play={play.id}&seq=5&shown={last}")[0] == 204
    assert get(app, f"token=nobody&play={play.id}&seq=2&shown={last}")[0] == 404
    assert get(app, f"token={play.token}&play=x&seq=2&shown={last}")[0] == 404


def test_a_play_the_session_dropped_is_gone_from_the_route():
    play, t, first = playing()
    token = play.token
    assert token in feed._PLAYS
    del play, first
    gc.collect()
    gc.collect()   # a finalizer run by the first collection may keep the rest for a second
    assert token not in feed._PLAYS


class SlowScene:
    """A scene whose frames take a while to make, and which says when the first is made."""

    def __init__(self, scene):
        self.scene, self.started = scene, threading.Event()
        self.trainers, self.moving = scene.trainers, scene.moving

    def __getattr__(self, name):
        return getattr(self.scene, name)

    def frame(self, epoch):
        self.started.set()
        threading.Event().wait(0.002)
        return self.scene.frame(epoch)


def test_a_pause_stops_the_chunk_being_made_and_lands_on_the_epoch_shown():
    play, t, first = playing()
    last = first["frames"][-1]["epoch"]
    slow = SlowScene(play.scene)
    feed.offer(play, slow, 1)
    made = []
    fetching = threading.Thread(
        target=lambda: made.append(feed.chunk_json(ask(play, 1, last), ahead=False)))
    fetching.start()
    assert slow.started.wait(10)
    pb.pause(play, [t], last)            # a Pause in a page's run, while the chunk is made
    fetching.join(30)
    # The chunk stopped at the Pause (it waited for an epoch, not the whole chunk), then
    # Play paused.
    assert made and len(json.loads(made[0])["frames"]) < ROUTE_FRAMES
    assert not play.playing and t.epoch == last and t.history.epochs == last
    reference = small_trainer()
    reference.run(last)
    for name, w in reference.net.get_params().items():
        np.testing.assert_array_equal(t.net.get_params()[name], w)


def test_streamlit_run_finds_the_app_with_its_route():
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app and found.import_string.endswith(":app")
    source = (ROOT / "app.py").read_text()
    assert "st.App(__file__, routes=ROUTES)" in source


@pytest.mark.parametrize("speed", [2, 10])
def test_the_route_keeps_the_speed_of_the_last_run(speed):
    play, t, first = playing()
    last = first["frames"][-1]["epoch"]
    feed.offer(play, play.scene, speed)               # the speed changed in a rerun
    chunk = json.loads(feed.chunk_json(ask(play, 1, last), ahead=False))
    epochs = [f["epoch"] for f in chunk["frames"]]
    assert epochs[0] == last + speed and set(np.diff(epochs)) == {speed}


def test_the_next_chunk_is_made_before_the_browser_asks_and_handed_over_as_it_asks():
    play, t, first = playing(speed=10)
    last = first["frames"][-1]["epoch"]
    one = json.loads(feed.chunk_json(ask(play, 1, last), ahead=False))
    train_ahead(play, 1)                        # what the route starts after answering 1
    trained = t.epoch
    assert play.seq == 2 and trained > one["frames"][-1]["epoch"]
    two = json.loads(feed.chunk_json(ask(play, 2, one["frames"][-1]["epoch"]), ahead=False))
    assert t.epoch == trained                      # handed over, not trained again
    epochs = [f["epoch"] for c in (first, one, two) for f in c["frames"]]
    assert epochs == list(range(10, epochs[-1] + 1, 10))
    train_ahead(play, 1)                        # an old answer: nothing more is made
    assert play.seq == 2 and t.epoch == trained
    again = feed.chunk_json(ask(play, 1, last), ahead=False)   # the one before, asked again
    assert json.loads(again)["seq"] == 1
    pb.pause(play, [t], one["frames"][-1]["epoch"])
    train_ahead(play, 2)                        # nothing for a play that stopped
    assert t.epoch == one["frames"][-1]["epoch"]
