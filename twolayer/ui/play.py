"""Play's state machine: where a play stands between reruns, the browser's requests (a chunk,
a Pause), and Play's chunks of frames.

Play streams. Python trains ahead one chunk at a time, only when the browser asks for it, and
sends that chunk's frames: for each epoch shown the prediction grid (8-bit levels), the chart
title, the new points of the curves, and every KEYFRAME_EVERY-th frame the network diagram and
the hidden units. The browser plays them one per animation frame (up to the display's rate: 60
a second on most screens, as TensorFlow Playground does) and asks for the next chunk while
AHEAD_FRAMES (4 s at 60 a second) are still queued, so a hand-over never shows. The first
chunk is small (FIRST_FRAMES, at most FIRST_EPOCHS: its picture is on screen a fraction of a
second after the click), the next ones by the route ROUTE_FRAMES each (at most ROUTE_EPOCHS:
``route_frames``), by reruns twice as big up to CHUNK_FRAMES (see ``chunk_frames``). Speed:
1, 2, 5 or 10 epochs per frame, every chunk a whole number of frames at that speed (only the
epochs shown carry a picture; the curves get every epoch).

The first chunk comes with the rerun the Play click starts; the browser fetches the next ones
from the app's own HTTP route (twolayer.ui.feed: ``fetch`` here), without a rerun: a rerun
makes Streamlit update the page as it starts and ends, which holds the picture back a few
frames. Where that route cannot be reached, the browser asks with a trigger instead, a rerun
(``on_need``). A page's run and the route's requests run in different threads: each function
here that reads or changes a Play holds its lock.

Pause stops on the picture on screen: the browser reports that epoch and training goes back to
it (Trainer.rewind); what was trained ahead beyond it is dropped, so the metrics, the history
slider and the downloads agree with the picture, and the next Step is the epoch after it.
Play also stops by itself after MAX_PLAY_EPOCHS epochs and when training diverges; either way
the browser plays up to the last frame first.

Nothing here draws or imports Streamlit (a test checks it, in a fresh process): plain
functions on plain objects, tested without a browser (the pages wire them to buttons and to
the live component's requests). What a frame shows is the scene's (twolayer.ui.scenes: the
Scene protocol); the charts as Play starts are encoded by the facade (twolayer.ui.playback).
"""

import functools
import secrets
import threading
from dataclasses import dataclass, field

from ..settings import MAX_PLAY_EPOCHS

FIRST_FRAMES = 30        # the first chunk: 0.5 s at 60 frames a second (as long as the rerun
                         # that makes the next one takes on a busy machine), made in ~0.1 s,
FIRST_EPOCHS = 60        # and at most this many epochs (10x: 6 frames): the first picture of
                         # a fast Play is as soon on screen as a slow one's
CHUNK_FRAMES = 180       # the most per chunk: three seconds at 60 frames a second
AHEAD_FRAMES = 240       # the browser asks for the next chunk when fewer frames are queued
ROUTE_FRAMES = 60        # a chunk the route makes (twolayer.ui.feed): one second at 60
                         # frames a second. Made while the one before plays, and no rerun
                         # each: small and even, so that the next one is never long to make,
ROUTE_EPOCHS = 120       # and at most this many epochs (5x: 24 frames, 10x: 12): where Python
                         # trains slower than the screen shows (10x on a 2-CPU machine: 350-600
                         # epochs/s against 600) the frames come a few at a time, a fraction of
                         # a second apart, and Play slows down evenly (play.js: LOW_FRAMES)
                         # rather than stop for a second until a big chunk is made
KEYFRAME_EVERY = 30      # network diagram and hidden units: every 30th frame (2 a second),
                         # not on the same frame (each costs a full redraw of its chart), and
                         # drawn between two frames of the picture ("lazy" patches)
SPEEDS = (1, 2, 5, 10)   # epochs per frame


@dataclass
class Play:
    """Where Play stands, kept in the session between reruns."""

    id: int = 0                # one per press of Play: the browser drops chunks of older ones
    start: int = 0             # the epoch on screen when Play was pressed
    playing: bool = False
    due: bool = False          # the next chunk is to be trained in this run
    keep: bool = False         # this rerun does not pause (the speed changed)
    seq: int = -1              # the last chunk made in this play
    chunk: dict | None = None  # the last chunk, sent on every rerun until the next one
    played: int = 0            # epochs trained in this play (at most MAX_PLAY_EPOCHS)
    frames: int = 0            # frames made in this play (the keyframes' count)
    shown: int | None = None   # the epoch on screen, as the browser last reported it
    saved: dict = field(default_factory=dict)  # epoch shown -> weights of each net, for Pause
    base: dict | None = None   # the charts as they were at Play (sent unchanged while playing)
    still: dict = field(default_factory=dict)  # chart -> traces no frame changes (the points)
    note: str | None = None    # why the last play stopped by itself
    stopped: bool = False      # Play has just stopped: the page follows the epoch it stopped at
    made: dict = field(default_factory=dict)  # seq -> chunk: the route's last two
    token: str | None = None   # this play's secret name for the route (twolayer.ui.feed)
    scene: object = None       # what the route's chunks show (the page's last run's scene) ...
    speed: int = 1             # ... and at which speed
    halt: bool = False         # a Pause is waiting: a chunk being made stops (make_chunk)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)


def _locked(fn):
    """``fn(play, ...)`` with the play's lock held (a page's run and the route's requests)."""
    @functools.wraps(fn)
    def locked(play, *args, **kwargs):
        with play.lock:
            return fn(play, *args, **kwargs)
    return locked


def epoch_of(trainers):
    return max(t.epoch for t in trainers)


@_locked
def start(play, trainers):
    """Play pressed: a new play starting at the current epoch; its first chunk is due."""
    epoch = epoch_of(trainers)
    play.id += 1
    play.playing, play.due, play.keep, play.halt = True, True, False, False
    play.seq, play.chunk, play.played, play.shown, play.start = -1, None, 0, epoch, epoch
    play.frames, play.token, play.made = 0, secrets.token_urlsafe(16), {}
    play.saved = {epoch: [t.net.get_params() for t in trainers]}
    play.base, play.note = None, None


def stop(play):
    """Play stops where training stands (a Reset, new data or weights); a chunk being made in
    another thread stops at its next epoch (see ``pause``)."""
    play.halt = True
    _stop(play)


@_locked
def _stop(play):
    play.playing = play.due = play.keep = False
    play.chunk, play.base, play.saved, play.still = None, None, {}, {}
    play.token = play.scene = None
    play.made = {}


def pause(play, trainers, epoch=None):
    """Stop playing at ``epoch`` (default: the epoch on screen the browser last reported):
    every net goes back to its weights of that epoch and what was trained beyond is dropped.
    Returns the epoch training now stands at. A chunk being made in another thread stops at
    its next epoch (``halt``: set before the lock is taken), so a Pause waits for one epoch,
    not for a whole chunk."""
    play.halt = True
    return _pause(play, trainers, epoch)


@_locked
def _pause(play, trainers, epoch):
    target = play.shown if epoch is None else epoch
    if play.playing and target in play.saved:
        for t, params in zip(trainers, play.saved[target], strict=True):
            if target < t.epoch:
                t.rewind(target, params)
    was_playing = play.playing
    _stop(play)
    play.stopped = was_playing
    return epoch_of(trainers)


def toggle(play, trainers):
    """The Play/Pause button (without the browser's report of the epoch on screen, Pause
    goes back to the last one it reported)."""
    pause(play, trainers) if play.playing else start(play, trainers)


@_locked
def keep_playing(play):
    """A rerun that should not pause Play (the speed changed)."""
    play.keep = play.playing


def settle(play, trainers):
    """Before the controls are drawn: a rerun for any other reason than Play's own (a setting,
    a button, the slider) pauses. Returns True while playing."""
    if play.playing and not (play.due or play.keep):
        play.halt = True   # before the lock: a chunk being made stops (see pause)
    return _settle(play, trainers)


@_locked
def _settle(play, trainers):
    if play.playing and not (play.due or play.keep):
        pause(play, trainers)
    play.keep = False
    play.halt = not play.playing   # playing on: the chunks go on being made
    return play.playing


def _valid(request, play, *names):
    return (isinstance(request, dict) and request.get("play") == play.id
            and all(isinstance(request.get(n), int) and not isinstance(request.get(n), bool)
                    for n in names))


@_locked
def on_need(play, request):
    """The browser asks for chunk ``seq`` while showing epoch ``shown``: the chunk is made in
    this run if it is the next one of the current play. A repeated request is answered by the
    rerun itself, which sends the last chunk again. Returns True when a chunk is due."""
    if not (play.playing and _valid(request, play, "seq")):
        return False
    # Play's own rerun: it does not pause, even when it makes nothing (a request asked again
    # because the answer was slow is answered by the chunk this run sends again).
    play.keep = play.keep or request["seq"] <= play.seq + 1
    return _take(play, request)


def _take(play, request):
    """The browser shows epoch ``shown`` and wants chunk ``seq``: what was saved for a Pause
    before it is dropped, and the chunk is due if it is the next one."""
    shown = request.get("shown")
    if isinstance(shown, int) and shown in play.saved:
        play.shown = shown
        play.saved = {e: w for e, w in play.saved.items() if e >= shown}
    if request["seq"] == play.seq + 1:
        play.due = True
    return play.due


@_locked
def offer(play, scene, speed):
    """A page's run while playing: the route makes the next chunks with this ``scene`` (the
    run's settings) at this ``speed`` (epochs a frame)."""
    if play.playing:
        play.scene, play.speed = scene, speed


@_locked
def fetch(play, request):
    """The browser fetches chunk ``seq`` over the route ({"token", "play", "seq", "shown"}):
    that chunk, made already (``train_ahead``) or now if it is the next one, or None (this
    play is over, or ``seq`` is none of the last two made nor the next). Unlike ``on_need``
    it reruns nothing, so it keeps nothing playing that a rerun would pause."""
    if not (play.playing and play.scene is not None and request.get("token") == play.token
            and _valid(request, play, "seq")):
        return None
    if _take(play, request):
        _route_chunk(play)
    return play.made.get(request["seq"])


@_locked
def train_ahead(play, seq):
    """The route has answered chunk ``seq``: the next one is made now, before the browser asks
    for it (it asks when ``seq`` has come, and then gets it at once, or waits for the rest of
    it): training goes on while a chunk travels and is unpacked, so that at 10x, where Python
    trains hardly as fast as the screen shows, the picture does not wait for every hand-over.
    Nothing is made beyond the chunk after the last one asked for, nor after the last chunk."""
    if (play.playing and play.scene is not None and play.seq == seq
            and not (play.made.get(seq) or {}).get("end")):
        play.due = True
        _route_chunk(play)


def _route_chunk(play):
    make_chunk(play, play.scene, speed=play.speed, frames=route_frames(play.speed, play.seq + 1))


def on_pause(play, trainers, request):
    """The browser stopped at ``epoch`` (Pause, or the end of the last chunk): training goes
    back to it. Returns True when this stopped the current play."""
    if play.playing and _valid(request, play, "epoch"):
        play.halt = True   # before the lock: a chunk being made stops (see pause)
    return _on_pause(play, trainers, request)


@_locked
def _on_pause(play, trainers, request):
    if not (play.playing and _valid(request, play, "epoch")):
        return False
    end = (play.chunk or {}).get("end") if request.get("end") else None
    pause(play, trainers, request["epoch"])
    play.note = (end or {}).get("message")
    return True


def chunk_frames(seq, speed=1):
    """Frames in chunk ``seq`` of a play made by a rerun: FIRST_FRAMES (at most FIRST_EPOCHS
    epochs at ``speed`` epochs a frame), then twice as many each time up to CHUNK_FRAMES (30,
    60, 120, 180, 180 ...). The first picture waits for the first chunk only; the bigger ones
    after it (when the route cannot be reached) keep AHEAD_FRAMES queued with few requests
    (each is a rerun, and the browser's update of the page at a rerun's start and end takes a
    few frames' time: a picture waits that long)."""
    if seq == 0:
        return max(1, min(FIRST_FRAMES, FIRST_EPOCHS // speed))
    return min(CHUNK_FRAMES, FIRST_FRAMES * 2 ** min(seq, 8))


def route_frames(speed, seq=2):
    """Frames in chunk ``seq`` made by the route at ``speed`` epochs a frame: ROUTE_FRAMES,
    at most ROUTE_EPOCHS epochs (60, 60, 24, 12 at 1x, 2x, 5x, 10x); chunk 1 at most
    FIRST_EPOCHS, like the first (the browser asks for it as the first comes: at 10x it is
    there before the first chunk's few frames have played)."""
    epochs = FIRST_EPOCHS if seq == 1 else ROUTE_EPOCHS
    return max(1, min(ROUTE_FRAMES, epochs // speed))


def chunk_epochs(frames, speed, limit, budget):
    """Epochs a chunk trains: ``frames * speed``, fewer at the play's ``limit`` (epochs left)
    or the CPU ``budget`` of one request (epochs), cut to a whole number of frames at
    ``speed`` so that every picture is ``speed`` epochs after the one before (at least one
    frame's worth while any epoch is left: a budget below it is exceeded by that much)."""
    epochs = min(frames * speed, budget)
    epochs = max(epochs - epochs % speed, speed)
    return max(min(epochs, limit), 0)


@_locked
def make_chunk(play, scene, speed=1, frames=None, limit=MAX_PLAY_EPOCHS):
    """Train the next chunk of Play and return it (kept as ``play.chunk``), or None when this
    run has none to make (not playing, or no chunk asked for).

    Trains ``chunk_epochs`` epochs (``frames``, default ``chunk_frames`` of this chunk, at
    ``speed`` epochs a frame), one frame at every ``speed``-th epoch (and one at the last epoch
    trained, at the play limit or a divergence). The chunk ends the play (``end``) at the limit
    and when a net diverges: the browser plays it to its last frame, the last good epoch, and
    reports back.
    """
    if not (play.playing and play.due):
        return None
    play.due = False
    trainers = scene.trainers
    first = last = epoch_of(trainers)
    frames = chunk_frames(play.seq + 1, speed) if frames is None else frames
    epochs = chunk_epochs(frames, speed, limit - play.played, scene.budget(frames * speed))
    shown = []
    for i in range(max(epochs, 0)):
        if play.halt:   # a Pause waits for this chunk: what it would train is dropped anyway
            break
        for t in trainers:
            t.run(1)
        if epoch_of(trainers) == last:  # diverged before this epoch
            break
        last = epoch_of(trainers)
        if (last - first) % speed == 0 or i == epochs - 1 or scene.diverged():
            shown.append(_frame(play, scene, last, play.frames + len(shown)))
        if scene.diverged():
            break
    if last != first and (not shown or shown[-1]["epoch"] != last):
        shown.append(_frame(play, scene, last, play.frames + len(shown)))
    play.played += last - first
    play.frames += len(shown)
    end = None
    if scene.diverged():
        end = {"reason": "diverged"}
    elif play.played >= limit:
        end = {"reason": "limit", "message": f"Play stopped by itself after {limit} epochs."}
    if end and shown:  # the last picture of a play shows every chart as it is
        shown[-1]["charts"].update(scene.keyframe(last, None))
    for frame, patch in zip(shown, scene.curve_patches(first, [f["epoch"] for f in shown]),
                            strict=True):
        if patch:
            frame["charts"]["curves"] = patch
    play.seq += 1
    play.chunk = {"play": play.id, "seq": play.seq, "start": play.start, "ahead": AHEAD_FRAMES,
                  "still": play.still, "end": end, "token": play.token, "frames": shown}
    play.made = {n: c for n, c in play.made.items() if n == play.seq - 1}
    play.made[play.seq] = play.chunk
    return play.chunk


def _frame(play, scene, epoch, index):
    charts = scene.frame(epoch)
    charts.update(scene.keyframe(epoch, index))
    play.saved[epoch] = [t.net.get_params() for t in scene.trainers]
    return {"epoch": epoch, "charts": charts}
