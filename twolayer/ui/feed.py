"""Play's chunks over the app's own HTTP route: GET /api/chunk.

Play's first chunk comes with the rerun the Play click starts. The next ones the browser
fetches from here, while it plays the frames it has: no rerun, so Streamlit does not update the
page as a rerun starts and ends (tens of milliseconds of the browser's main thread each time,
a picture held back for that long), and the chunk's megabytes never pass through the page's
React tree. Where the route cannot be reached (a proxy that forwards only Streamlit's own
paths), the browser asks with a trigger instead, a rerun, as before.

    GET /api/chunk?token=T&play=P&seq=N&shown=E
      200  the chunk N of play P, JSON (see twolayer.ui.live, ``stream``): made already (the
           route makes the next chunk as soon as it has answered one), made now when it is
           the next one (the CPU budget of one request holds), or the same chunk again
      204  no such chunk (the play is over, or N is none of the last two made nor the next)
      404  no play has the secret name T, or a parameter is not a whole number

A play is found by its secret name (``Play.token``, new at every press of Play, sent to that
session's browser only), in a table that holds plays weakly: a play the session has dropped, or
that ended, is gone from it. Who may fetch is who may rerun: the session's own browser. The
request makes what a rerun would have made, under the play's lock (``twolayer.ui.play``).

app.py serves the route: ``st.App(__file__, routes=ROUTES)``, which ``streamlit run app.py``
finds there and starts.
"""

import json
import threading
import weakref

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.routing import Route

from . import play as pb
from .live import encode

PATH = "/api/chunk"
_PLAYS = weakref.WeakValueDictionary()   # token -> Play, while its session keeps it


def offer(play, scene, speed):
    """A page's run while playing: the route may make this play's next chunks, with this run's
    ``scene`` at ``speed`` epochs a frame."""
    pb.offer(play, scene, speed)
    if play.playing and play.token:
        _PLAYS[play.token] = play


def _whole(text):
    ok = text is not None and text.isascii() and text.isdigit() and len(text) < 10
    return int(text) if ok else None


def request_of(query):
    """The route's query ({name: str}) as a request to ``play.fetch``, or None when a number is
    not a whole number (a token is looked up, never parsed)."""
    asked = {name: _whole(query.get(name)) for name in ("play", "seq", "shown")}
    if None in asked.values():
        return None
    return {"token": query.get("token") or "", **asked}


def chunk_json(request, ahead=True):
    """The chunk a request fetches as JSON text, or None (``play.fetch``). With ``ahead``, the
    next chunk is then made in a thread of its own (``play.train_ahead``), once this one is
    encoded (the two would share one interpreter lock)."""
    play = _PLAYS.get(request["token"])
    chunk = pb.fetch(play, request) if play is not None else None
    if chunk is None:
        return None
    text = json.dumps(encode(chunk), allow_nan=False, separators=(",", ":"))
    if ahead:
        train_ahead(play, chunk["seq"])
    return text


def train_ahead(play, seq):
    """Chunk ``seq`` has gone: the next one is made in a thread of its own
    (``play.train_ahead``)."""
    threading.Thread(target=pb.train_ahead, args=(play, seq), daemon=True,
                     name="twolayer-train-ahead").start()


async def _chunk(request):
    asked = request_of(request.query_params)
    if asked is None or asked["token"] not in _PLAYS:
        return Response(status_code=404, headers={"Cache-Control": "no-store"})
    body = await run_in_threadpool(chunk_json, asked)   # training: not on the event loop
    if body is None:
        return Response(status_code=204, headers={"Cache-Control": "no-store"})
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})


ROUTES = [Route(PATH, _chunk, methods=["GET"])]
