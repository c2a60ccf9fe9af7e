"""A local cluster: N `streamlit run app.py` replicas on loopback ports behind Debian's nginx,
run from deploy/nginx.conf with only its listen line and its upstream's server lines replaced.

Used by tests/test_cluster.py and benchmarks/bench_cluster.py:

    with Cluster(replicas=2, workdir=tmp) as cluster:
        cluster.url                  # the proxy, http://127.0.0.1:<port>
        cluster.replicas[0].url      # one replica, directly
        cluster.kill(0)              # SIGKILL one replica (as a crash would)
        cluster.upstream_of(route)   # which replica's port nginx sent a route cookie to
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.browser_util import REPO_ROOT, free_port, health_ok, stop_process

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_CONF = REPO_ROOT / "deploy" / "nginx.conf"
ROUTE_COOKIE = "twolayer_route"
START_TIMEOUT = 90.0  # seconds for a replica (or nginx) to answer /_stcore/health

DOCKERFILE = REPO_ROOT / "deploy" / "Dockerfile"
HEALTHCHECK = REPO_ROOT / "deploy" / "healthcheck.py"


def image_env() -> dict[str, str]:
    """The ENV of deploy/Dockerfile: a replica here runs with the settings the image sets."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    env = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(re.findall(r"([A-Z_][A-Z0-9_]*)=(\S+)", line))
    return env


_UPSTREAM = re.compile(r"(upstream\s+twolayer\s*\{)(.*?)(\})", re.S)
_SERVER_LINE = re.compile(r"^[ \t]*server\s+[^;]*;[ \t]*\n", re.M)
_LISTEN_LINE = re.compile(r"^([ \t]*)listen\s+[^;]*;", re.M)


def nginx_missing() -> str | None:
    if not os.path.exists(NGINX):
        return f"{NGINX} not found: install Debian's nginx with `apt-get install nginx`"
    return None


def local_config(text: str, upstreams: list[int], listen: int) -> str:
    """deploy/nginx.conf with its upstream's servers and its listen port made local."""
    match = _UPSTREAM.search(text)
    if match is None:
        raise ValueError("no `upstream twolayer { ... }` block in the nginx config")
    body = match.group(2)
    lines = _SERVER_LINE.findall(body)
    if not lines:
        raise ValueError("the upstream twolayer block lists no server")
    indent = re.match(r"[ \t]*", lines[0]).group(0)
    servers = "".join(f"{indent}server 127.0.0.1:{port};\n" for port in upstreams)
    # The new servers go where the first old one was; the rest of the block (hash, ...) stays.
    first = body.find(lines[0])
    body = body[:first] + servers + _SERVER_LINE.sub("", body[first:])
    text = text[: match.start(2)] + body + text[match.end(2):]
    text, n = _LISTEN_LINE.subn(rf"\g<1>listen 127.0.0.1:{listen};", text)
    if n != 1:
        raise ValueError(f"expected one listen line in the nginx config, found {n}")
    return text


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Replica:
    port: int
    log: Path
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, script: str = "app.py", cwd: Path = REPO_ROOT) -> None:
        cmd = [sys.executable, "-m", "streamlit", "run", script,
               "--server.address", "127.0.0.1", "--server.port", str(self.port)]
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, env={**os.environ, **image_env()})

    def healthcheck(self) -> bool:
        """The image's HEALTHCHECK (deploy/healthcheck.py) run against this replica: the first
        time after a start it also runs app.py once."""
        env = {**os.environ, "TMPDIR": str(self.log.parent)}
        return subprocess.run([sys.executable, str(HEALTHCHECK), self.url], env=env,
                              capture_output=True, timeout=120).returncode == 0

    def log_tail(self, n: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""


@dataclass
class Cluster:
    """N replicas of the app behind nginx, all on 127.0.0.1; a context manager."""

    replicas: int | list[Replica]
    workdir: Path
    script: str = "app.py"
    cwd: Path = REPO_ROOT
    warm: bool = True  # run the image's healthcheck on each replica once it is up
    conf: Path = NGINX_CONF  # the nginx.conf to run (another one: to compare, or a planted bug)
    port: int = 0
    nginx: subprocess.Popen | None = None
    config: str = ""
    prefix: Path | None = None  # nginx's prefix (-p): its temp files and the proxy's cache
    _started: list[Replica] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def nginx_log(self) -> Path:
        return self.workdir / "nginx" / "access.log"

    def __enter__(self) -> Cluster:
        reason = nginx_missing()
        if reason:
            raise RuntimeError(reason)
        self.workdir.mkdir(parents=True, exist_ok=True)
        n = self.replicas if isinstance(self.replicas, int) else len(self.replicas)
        self.replicas = [Replica(free_port(), self.workdir / f"replica-{i}.log")
                         for i in range(n)]
        try:
            for replica in self.replicas:
                replica.start(self.script, self.cwd)
            self._start_nginx()
            for replica in self.replicas:
                self._wait_healthy(replica.url, replica.proc, replica.log_tail)
                if self.warm and not replica.healthcheck():
                    raise RuntimeError(f"the image's healthcheck failed on {replica.url}")
            self._wait_healthy(self.url, self.nginx, self.nginx_output)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.nginx is not None:
            stop_process(self.nginx, signal.SIGQUIT)  # graceful: finish the log lines
        if self.prefix is not None:
            shutil.rmtree(self.prefix, ignore_errors=True)
        for replica in self.replicas if isinstance(self.replicas, list) else ():
            if replica.proc is not None:
                stop_process(replica.proc)

    def _start_nginx(self) -> None:
        logs = self.workdir / "nginx"  # the config, the logs and the pid, for a person to read
        logs.mkdir(exist_ok=True)
        # The paths that nginx writes (its temp files, the proxy's cache) are relative to its
        # prefix. nginx started as root runs its workers as nobody, and they write the cache:
        # the prefix is a directory of its own under /tmp, since pytest's are private to root.
        self.prefix = Path(tempfile.mkdtemp(prefix="twolayer-nginx-"))
        self.prefix.chmod(0o755)
        self.port = free_port()
        self.config = local_config(Path(self.conf).read_text(), [r.port for r in self.replicas],
                                   self.port)
        conf = logs / "nginx.conf"
        conf.write_text(self.config)
        cmd = [NGINX, "-p", f"{self.prefix}/", "-c", str(conf), "-e", str(logs / "error.log"),
               "-g", f"daemon off; pid {logs / 'nginx.pid'};"]
        with open(self.nginx_log, "ab") as out:
            self.nginx = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                          stderr=subprocess.STDOUT, start_new_session=True)

    def nginx_output(self, n: int = 3000) -> str:
        parts = [self.nginx_log, self.workdir / "nginx" / "error.log"]
        return "\n".join(p.read_text(errors="replace")[-n:] for p in parts if p.exists())

    def _wait_healthy(self, url, proc, tail) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not health_ok(url):
            if proc.poll() is not None:
                raise RuntimeError(f"{url} exited with code {proc.returncode}:\n{tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} not healthy within {START_TIMEOUT:.0f} s:\n{tail()}")
            time.sleep(0.25)

    def kill(self, index: int) -> None:
        """SIGKILL replica ``index`` and its process group: a crash, no goodbye to anyone."""
        stop_process(self.replicas[index].proc, signal.SIGKILL)

    def routes(self) -> dict[str, int]:
        """route cookie -> upstream port, for each route the access log shows a replica for."""
        found: dict[str, int] = {}
        text = self.nginx_log.read_text(errors="replace") if self.nginx_log.exists() else ""
        for route, upstream in re.findall(r"route=([0-9a-f]{32}) upstream=(\S+)", text):
            last = upstream.split(",")[-1].strip().split(" ")[0]  # "a, b" after a retry
            if ":" in last:
                found[route] = int(last.rsplit(":", 1)[1])
        return found

    def upstream_of(self, route: str) -> int:
        """The port of the replica that nginx sends ``route`` to now (asks with a probe)."""
        request = urllib.request.Request(f"{self.url}/_stcore/host-config",
                                         headers={"Cookie": f"{ROUTE_COOKIE}={route}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
        deadline = time.monotonic() + 5
        while route not in self.routes() and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.routes()[route]

    def replica_index(self, port: int) -> int:
        return [r.port for r in self.replicas].index(port)


def routes_by_replica(cluster, per_replica):
    """Route cookie values, ``per_replica`` for each replica, as nginx itself routes them."""
    found = {i: [] for i in range(len(cluster.replicas))}
    for _ in range(200):
        route = uuid.uuid4().hex
        index = cluster.replica_index(cluster.upstream_of(route))
        if len(found[index]) < per_replica:
            found[index].append(route)
        if all(len(v) == per_replica for v in found.values()):
            return found
    raise AssertionError(f"nginx sent 200 random routes to replicas {found}: no affinity "
                         "by route cookie, or not across all replicas")
