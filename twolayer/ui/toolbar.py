"""The Play button and its speed control, as the Playground and MSE vs log-loss both show them
in their toolbar."""

import streamlit as st

from . import playback as pb


def play_and_speed(play, keys, playing, toggle_play, help):
    """Play (Pause while playing) and the epochs-per-frame control, keyed by ``keys["play"]``
    and ``keys["speed"]`` (the presenter keys press them); ``help``: what Play does here."""
    st.button("Pause" if playing else "Play", key=keys["play"], on_click=toggle_play,
              icon=":material/pause:" if playing else ":material/play_arrow:", help=help)
    st.segmented_control("Epochs per frame", pb.SPEEDS, default=1, required=True,
                         key=keys["speed"], format_func=lambda v: f"{v}×",
                         on_change=pb.keep_playing, args=(play,),
                         label_visibility="collapsed",
                         help="Play's speed: how many epochs each picture moves on (30 "
                              "pictures a second)")
