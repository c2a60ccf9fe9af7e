"""Text from outside (a link's value, a file's name, a column name) shown as typed, never as markup.

Streamlit renders messages (st.info, st.error, ...) as Markdown and then rewrites the text:
links from bare URLs, e-mail addresses and www., emoji from :name:, icons from :material/...:,
arrows from -> and <-. ``literal`` turns plain text into Markdown that shows exactly that text:
every ASCII punctuation mark is escaped with a backslash, and an invisible word joiner
(U+2060) after : @ < > - ~ and inside "www" breaks the patterns of those rewrites.
"""

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")       # every ASCII punctuation character
_REWRITTEN = re.compile(r"(\\[:@<>~-])")              # escaped above; a joiner follows each
_WWW = re.compile(r"(w)(?=ww)", re.IGNORECASE)
JOINER = "\u2060"


def literal(text):
    """Markdown that a Streamlit message shows as exactly ``text`` (newlines kept)."""
    out = _PUNCTUATION.sub(r"\\\1", str(text))
    out = _REWRITTEN.sub(r"\1" + JOINER, out)
    out = _WWW.sub(r"\1" + JOINER, out)
    return out.replace("\r\n", "\n").replace("\n", "  \n")


def stopped_early(done, asked, what="epochs"):
    """The note for training that stopped on the CPU time one click may use (None if not)."""
    if done >= asked:
        return None
    return (f"Stopped after {done} of {asked} {what}: one click may use about 2 s of the "
            "server's time, and this machine is slower than the estimate now. Press again "
            "for more.")


def count(n, word):
    """"1 epoch", "2 epochs", "0 epochs": a number and its noun, singular only for one."""
    return f"{n} {word}" + ("" if n == 1 else "s")
