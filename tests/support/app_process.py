"""Start the real web process (production build, one port) for browser tests, and stop it again."""

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

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
OFFLINE_REFLEX = {
    "REFLEX_USE_NPM": "1",
    "REFLEX_TELEMETRY_ENABLED": "false",
    "REFLEX_CHECK_LATEST_VERSION": "false",
    "REFLEX_USE_GRANIAN": "true",
    "NPM_CONFIG_REGISTRY": "https://registry.npmjs.org",
}


@dataclass(frozen=True)
class AppServer:
    url: str
    database_url: str
    env: dict[str, str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(workdir: Path, database_url: str, web_workdir: str, **extra_env: str) -> Iterator[AppServer]:
    """Migrate and seed `database_url`, then serve the app on a free port until the block ends."""
    port = free_port()
    url = f"http://localhost:{port}"
    env = {
        **os.environ,
        **OFFLINE_REFLEX,
        "DATABASE_URL": database_url,
        "APP_URL": url,
        "WEB_PORT": str(port),
        "WEB_HOST": "127.0.0.1",
        "REFLEX_WEB_WORKDIR": str(ROOT / web_workdir),
        "REFLEX_STATES_WORKDIR": str(workdir / "states"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        **extra_env,
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    for command in ("migrate", "seed-demo"):
        subprocess.run([sys.executable, "-m", "myapprentice_app", command], env=env, cwd=ROOT, check=True,
                       capture_output=True)
    log = workdir / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "-m", "myapprentice_app.serve"], env=env, cwd=ROOT,
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_up(url, process, log)
        yield AppServer(url=url, database_url=database_url, env=env)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 420) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited while starting:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/ping", timeout=2).status_code == 200 and httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the app did not start within {timeout:.0f}s:\n{log.read_text()[-4000:]}")
