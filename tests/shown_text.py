"""What a Streamlit message shows for its Markdown body, for messages built with
twolayer.ui.text.literal: CommonMark's backslash escapes resolved, invisible word joiners
(U+2060) dropped. Written from the CommonMark rules, not from the code under test."""

import re

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")   # a backslash before ASCII punctuation


def as_shown(markdown):
    text = markdown.replace("\u2060", "").replace("  \n", "\n")
    return _ESCAPE.sub(r"\1", text)


_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")


def unescaped(markdown):
    """The ASCII punctuation marks of ``markdown`` that no backslash escapes: each of them
    may start Markdown (a link, emphasis, math, a directive)."""
    return _PUNCTUATION.findall(_ESCAPE.sub("", markdown))
