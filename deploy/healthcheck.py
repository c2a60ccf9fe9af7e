"""The image's HEALTHCHECK: healthy when /_stcore/health answers "ok".

Once per start of the server, the check also asks for Streamlit's script health check, which
runs app.py in a throwaway session. Until app.py has run once, a fresh server knows only the
files in pages/ and answers the first deep link (a lesson's /mse-vs-log-loss?lesson=...) with
"Page not found" over the right page (Streamlit issue 9992); after it, no visitor sees that, and
the first one does not wait for the imports either.

    python deploy/healthcheck.py [BASE_URL]       exit status 0 when healthy

BASE_URL defaults to http://127.0.0.1:8501. A start of the server is told from the last by the
start time of process 1, which is the server in the container. The script health check needs
server.scriptHealthCheckEnabled (the Dockerfile sets it); nginx.conf keeps it from the public.
"""

import sys
import tempfile
import urllib.request
from pathlib import Path

URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8501"


def answers_ok(path, timeout):
    try:
        with urllib.request.urlopen(URL + path, timeout=timeout) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


def server_start():
    fields = Path("/proc/1/stat").read_text().rsplit(")", 1)[1].split()
    return fields[19]  # starttime, in clock ticks after boot


def main():
    if not answers_ok("/_stcore/health", timeout=4):
        return 1
    port = URL.rstrip("/").rsplit(":", 1)[-1]
    warm = Path(tempfile.gettempdir()) / f"twolayer-warm-{server_start()}-{port}"
    if not warm.exists() and answers_ok("/_stcore/script-health-check", timeout=60):
        warm.touch()
    return 0


if __name__ == "__main__":
    sys.exit(main())
