"""Several web processes (backend only: the tabs speak Reflex's protocol, no page is built) behind the balancer,
sharing Reflex's state in Redis and the data in PostgreSQL, as `make run-scaled` runs them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
OFFLINE_REFLEX = {
    "REFLEX_USE_NPM": "1",
    "REFLEX_TELEMETRY_ENABLED": "false",
    "REFLEX_CHECK_LATEST_VERSION": "false",
    "REFLEX_USE_GRANIAN": "true",
    "GRANIAN_WORKERS": "1",  # one process per web process: the balancer spreads the load
}


@dataclass
class WebCluster:
    url: str  # the balancer: the one address the browsers use
    web: list[subprocess.Popen]
    ports: list[int]
    balancer: subprocess.Popen

    def kill(self, index: int) -> None:
        """Kill a web process outright (SIGKILL: no goodbye to its sockets), as a crashed machine would go."""
        os.killpg(self.web[index].pid, signal.SIGKILL)
        self.web[index].wait()

    def holding_connections(self) -> list[int]:
        """The indexes of the web processes that have an open connection (from the balancer) on their port."""
        established = _established_local_ports()
        return [index for index, port in enumerate(self.ports) if port in established]


def _established_local_ports() -> set[int]:
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "01":  # TCP_ESTABLISHED
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def missing_services(redis_url: str) -> str:
    """Why a PostgreSQL + Redis benchmark must skip, or "" when both answer."""
    import psycopg
    import redis

    try:
        with psycopg.connect(POSTGRES_ADMIN, connect_timeout=3):
            pass
    except psycopg.Error:
        return "PostgreSQL is not reachable at 127.0.0.1:5432"
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError:
        return "Redis is not reachable at 127.0.0.1:6379"
    return ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


@contextmanager
def web_cluster(env: dict[str, str], workdir: Path, processes: int = 2) -> Iterator[WebCluster]:
    """`env` must hold DATABASE_URL, REDIS_URL and APP_URL (the balancer's address, from `balancer_url`)."""
    ports = [free_port() for _ in range(processes)]
    balancer_port = int(env["APP_URL"].rsplit(":", 1)[1])
    started: list[subprocess.Popen] = []
    try:
        web = []
        for index, port in enumerate(ports):
            web_env = {**env, **OFFLINE_REFLEX, "WEB_PORT": str(port), "WEB_HOST": "127.0.0.1",
                       "REFLEX_STATES_WORKDIR": str(workdir / f"states-{index}")}
            web.append(_start([sys.executable, "-m", "myapprentice_app.serve", "--backend-only"], web_env,
                              workdir / f"web-{index}.log"))
            started.append(web[-1])
        balancer = _start([sys.executable, "-m", "myapprentice_app.balancer", "--host", "127.0.0.1",
                           "--port", str(balancer_port), *(f"127.0.0.1:{port}" for port in ports)],
                          env, workdir / "balancer.log")
        started.append(balancer)
        _wait_for_listening(balancer, workdir / "balancer.log")
        for index, port in enumerate(ports):
            _wait_for_ping(f"http://127.0.0.1:{port}", web[index], workdir / f"web-{index}.log")
        yield WebCluster(url=env["APP_URL"], web=web, ports=ports, balancer=balancer)
    finally:
        for process in reversed(started):
            stop(process)


def _group(pgid: int) -> list[Path]:
    """/proc entries of a process group's live processes."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                members.append(stat.parent)
        except (OSError, IndexError, ValueError):
            continue
    return members


def group_rss_mb(pgid: int) -> float:
    total_kb = 0
    for process in _group(pgid):
        for line in (process / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU time of a process group: what the web processes spent, whatever else shares the cores."""
    ticks = 0
    for process in _group(pgid):
        fields = (process / "stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def named_cpu_seconds(name: str) -> float:
    """User + system CPU time of every live process called `name` (e.g. postgres, redis-server), whoever started it."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.index("(") + 1:text.rindex(")")] == name:
            fields = text.rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """Busy CPU time of the whole machine, every core (from /proc/stat: everything but idle and iowait)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def wait_until_answers(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f}s")


def balancer_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


def start_process(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return _start(command, env, log)


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_for_listening(balancer: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    """Its own log line, not a connection: the port was chosen a while ago, and something else may hold it now."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if balancer.poll() is not None:
            raise RuntimeError(f"the balancer exited while starting:\n{log.read_text()[-3000:]}")
        if "listening on" in log.read_text():
            return
        time.sleep(0.1)
    raise RuntimeError(f"the balancer did not start within {timeout:.0f}s:\n{log.read_text()[-3000:]}")


def _wait_for_ping(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the web process exited while starting:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/ping", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s:\n{log.read_text()[-3000:]}")
