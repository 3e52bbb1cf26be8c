"""Start the app the way `make run` does for browser tests: the web process (production build, one port), the
Xero and Stripe sandboxes and one huey consumer, all as subprocesses sharing one environment; stop them all again."""

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

from myapprentice_app.integrations.stripe.client import SANDBOX_WEBHOOK_SECRET

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
    xero_sandbox_url: str  # its /sandbox-admin/ API arranges faults and shows what reached Xero
    stripe_sandbox_url: str = ""  # its /sandbox-admin/ API onboards accounts and shows what Stripe holds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(workdir: Path, database_url: str, web_workdir: str, **extra_env: str) -> Iterator[AppServer]:
    """Migrate and seed `database_url`, then run web + Xero sandbox + worker on free ports until the block ends."""
    port, sandbox_port, stripe_port = free_port(), free_port(), free_port()
    stripe_url = f"http://127.0.0.1:{stripe_port}"
    url = f"http://localhost:{port}"
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    env = {
        **os.environ,
        **OFFLINE_REFLEX,
        "DATABASE_URL": database_url,
        "APP_URL": url,
        "WEB_PORT": str(port),
        "WEB_HOST": "127.0.0.1",
        "XERO_SANDBOX_URL": sandbox_url,
        "STRIPE_SANDBOX_URL": stripe_url,
        "HUEY_QUEUE_FILE": str(workdir / "queue.db"),
        "REFLEX_WEB_WORKDIR": str(ROOT / web_workdir),
        "REFLEX_STATES_WORKDIR": str(workdir / "states"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        **extra_env,
    }
    for name in ("PYTEST_CURRENT_TEST", "XERO_CLIENT_ID", "XERO_CLIENT_SECRET",  # always the sandboxes
                 "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"):
        env.pop(name, None)
    for command in ("migrate", "seed-demo"):
        subprocess.run([sys.executable, "-m", "myapprentice_app", command], env=env, cwd=ROOT, check=True,
                       capture_output=True)
    processes: list[subprocess.Popen] = []
    try:
        sandbox_log = workdir / "xero-sandbox.log"
        sandbox = _start([sys.executable, "-m", "myapprentice_app", "sandbox", "xero", "--host", "127.0.0.1",
                          "--port", str(sandbox_port)], env, sandbox_log)
        processes.append(sandbox)
        stripe_log = workdir / "stripe-sandbox.log"
        stripe_env = {**env, "STRIPE_SANDBOX_WEBHOOK_URL": f"http://127.0.0.1:{port}/api/stripe/webhook",
                      "STRIPE_SANDBOX_WEBHOOK_SECRET": SANDBOX_WEBHOOK_SECRET}
        stripe_sandbox = _start([sys.executable, "-m", "myapprentice_app", "sandbox", "stripe", "--host", "127.0.0.1",
                                 "--port", str(stripe_port)], stripe_env, stripe_log)
        processes.append(stripe_sandbox)
        worker_log = workdir / "worker.log"
        worker = _start([sys.executable, "-m", "myapprentice_app", "worker"], env, worker_log)
        processes.append(worker)
        web_log = workdir / "server.log"
        web = _start([sys.executable, "-m", "myapprentice_app.serve"], env, web_log)
        processes.append(web)
        _wait_until(f"{sandbox_url}/sandbox-admin/organisations", sandbox, sandbox_log, timeout=30)
        _wait_until(f"{stripe_url}/sandbox-admin/config", stripe_sandbox, stripe_log, timeout=30)
        _wait_until_up(url, web, web_log)
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited while starting:\n{worker_log.read_text()[-4000:]}")
        yield AppServer(url=url, database_url=database_url, env=env, xero_sandbox_url=sandbox_url,
                        stripe_sandbox_url=stripe_url)
    finally:
        for process in reversed(processes):
            _stop(process)


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_until(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited while starting:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s:\n{log.read_text()[-4000:]}")


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
