"""The toolbar and Play as the Playground and MSE vs log-loss both wire them: the row, Step,
Train and its epochs, Play and its speed; the callbacks Play's button and the live charts call,
and the note saying why the last Play stopped."""

import streamlit as st

from ..settings import SETTINGS
from . import feed, live
from . import playback as pb


def toolbar_row(key):
    """The toolbar: one row of controls, wrapped on a narrow screen."""
    return st.container(horizontal=True, vertical_alignment="bottom", key=key, gap="small")


def train_and_epochs(label, key, epochs_key, playing, help, bind=None):
    """Train (off while playing), keyed by ``key``, and its number of epochs (the setting
    "epochs_per_run", keyed by ``epochs_key``; ``bind``: kept in the link): (clicked, epochs)."""
    s = SETTINGS["epochs_per_run"]
    train = st.button(label, key=key, help=help, disabled=playing)
    epochs = st.number_input(s.label, s.lo, s.hi, s.default, step=s.step, key=epochs_key,
                             bind=bind, label_visibility="collapsed", width=120)
    return train, epochs


def play_and_speed(play, keys, playing, toggle_play, help):
    """Play (Pause while playing) and the epochs-per-frame control, keyed by ``keys["play"]``
    and ``keys["speed"]`` (the presenter keys press them); ``help``: what Play does here.

    Pause has no tooltip: the pointer rests on it after the click on Play, and a tooltip that
    opens there while playing would cover the chart's title and hold a picture back (the
    page's update as it opens takes 20-30 ms, two frames)."""
    st.button("Pause" if playing else "Play", key=keys["play"], on_click=toggle_play,
              icon=":material/pause:" if playing else ":material/play_arrow:",
              help=None if playing else help)
    st.segmented_control("Epochs per frame", pb.SPEEDS, default=1, required=True,
                         key=keys["speed"], format_func=lambda v: f"{v}×",
                         on_change=pb.keep_playing, args=(play,),
                         label_visibility="collapsed",
                         help="Play's speed: how many epochs each picture moves on (a "
                              "picture every time the screen refreshes, 60 a second on most "
                              "screens)")


class PlayWiring:
    """One page's Play: its state (a ``pb.Play`` kept in the session under ``state_key``), its
    live charts' component (``live_key``), the keys the presenter keys press (``keys``: play,
    step, reset, speed) and the nets it trains (``trainers()``, read at each click: a Reset
    replaces them)."""

    def __init__(self, state_key, live_key, keys, trainers):
        self.state_key, self.live_key, self.keys, self.trainers = (state_key, live_key, keys,
                                                                   trainers)

    @property
    def play(self):
        return st.session_state[self.state_key]

    def toggle(self):
        pb.toggle(self.play, self.trainers())

    def on_need(self):
        pb.on_need(self.play, live.request(self.live_key, "need"))

    def on_pause(self):
        pb.on_pause(self.play, self.trainers(), live.request(self.live_key, "pause"))

    def step(self, playing, help):
        """Step (one epoch; off while playing), keyed by ``keys["step"]``: True when clicked."""
        return st.button("Step", key=self.keys["step"], help=help, type="primary",
                         disabled=playing)

    def buttons(self, playing, help):
        """Play (Pause) and its speed, in the toolbar; ``help``: what Play does here."""
        play_and_speed(self.play, self.keys, playing, self.toggle, help=help)

    def stopped_note(self, playing):
        """Why the last Play stopped by itself, once."""
        play = self.play
        if play.note and not playing:
            st.info(play.note, icon=":material/stop_circle:")
            play.note = None

    def chunk(self, scene):
        """The next chunk of frames, at the speed chosen, if the browser asked for it with a
        rerun; the route makes the next ones with this scene (twolayer.ui.feed)."""
        speed = int(st.session_state.get(self.keys["speed"]) or 1)
        feed.offer(self.play, scene, speed)
        pb.make_chunk(self.play, scene, speed=speed)

    def live_charts(self, layout, charts, playing, ahead):
        """The live charts, with Play's chunk while playing and the browser's requests wired."""
        live.live_charts(self.live_key, layout, charts,
                         stream=self.play.chunk if playing else None, keys=self.keys,
                         on_need=self.on_need, on_pause=self.on_pause, ahead=ahead)
