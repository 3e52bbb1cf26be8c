"""The sync board during a Send all of 1,000 invoices: how soon each change reaches the open boards, and how
many database queries the web process makes meanwhile, with 1 and with 5 boards open; then with no run.

Prints:
  board: tabs=5 invoices=1000 p95_update_latency_ms=L db_queries_per_s=Q
  board: tabs=1 invoices=1000 p95_update_latency_ms=L db_queries_per_s=Q
  board_idle: tabs=5 seconds=S db_queries_per_s=Q
  L: for every count of finished invoices the run reached, the time from the worker's commit that reached it
     (noted by the worker after the commit, benchmarks/board_worker.py) until each board received a delta
     showing at least that count, over Reflex's websocket (clients speaking its Socket.IO protocol, as the
     browser does); the 95th percentile over boards and counts.
  Q: every statement the web process sent to the database (SQLAlchemy's before_cursor_execute) from the
     Send all click until the last board showed the run done, per second; idle: over S seconds, boards open.
The web process (Reflex's backend, its event loop in a thread) runs in this process; the Xero sandbox (real
limits, LATENCY_MS a call) and the huey worker in their own processes, as in production.
"""

from __future__ import annotations

import contextvars
import json
import math
import os
import signal
import socket
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


INVOICES = 1000
CLIENTS = 40
LATENCY_MS = 300
IDLE_SECONDS = 5.0
ROOT = Path(__file__).resolve().parents[1]
WORK = Path(tempfile.mkdtemp(prefix="bench-board-"))
WEB, SANDBOX = _free_port(), _free_port()
os.environ.update({
    "DATABASE_URL": f"sqlite:///{WORK / 'bench.db'}",
    "SECRET_KEY": "benchmark-secret-key-long-enough-for-derivation",
    "XERO_SANDBOX_URL": f"http://127.0.0.1:{SANDBOX}",
    "HUEY_QUEUE_FILE": str(WORK / "queue.db"),
    "APP_URL": f"http://127.0.0.1:{WEB}",
    "REFLEX_WEB_WORKDIR": str(WORK / "web"),
    "REFLEX_STATES_WORKDIR": str(WORK / "states"),
    "REFLEX_TELEMETRY_ENABLED": "false",
    "REFLEX_CHECK_LATEST_VERSION": "false",
    "REFLEX_USE_NPM": "1",
    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
})

import httpx  # noqa: E402
import reflex as rx  # noqa: E402
import simple_websocket  # noqa: E402
import sqlalchemy as sa  # noqa: E402
import uvicorn  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlmodel import Session  # noqa: E402

from benchmarks.seeding import answers, seed, start, wait_for  # noqa: E402
from myapprentice_app.db import get_engine  # noqa: E402
from myapprentice_app.migrate import upgrade  # noqa: E402
from myapprentice_app.models import Invoice  # noqa: E402
from myapprentice_app.services import auth  # noqa: E402
from myapprentice_app.services.auth import SESSION_COOKIE  # noqa: E402
from myapprentice_app.ui.state.board import BoardState  # noqa: E402
from myapprentice_app.ui.state.sync_actions import SyncActionsState  # noqa: E402


class Board:
    """One open board: a tab on the Invoices page, speaking Reflex's websocket protocol."""

    PREFIX = "42/_event,"

    def __init__(self, session_token: str) -> None:
        self.seen: list[tuple[float, int, bool, int]] = []  # (received at, finished invoices, active, run id)
        self.joined = threading.Event()
        connected = threading.Event()
        self.socket = simple_websocket.Client.connect(
            f"ws://127.0.0.1:{WEB}/_event/?EIO=4&transport=websocket&token={uuid.uuid4()}",
            headers={"Cookie": f"{SESSION_COOKIE}={session_token}", "Origin": os.environ["APP_URL"]})
        self.socket.receive()  # Engine.IO's open packet
        self.socket.send("40/_event,")
        threading.Thread(target=self._read, args=(connected,), daemon=True).start()
        connected.wait(10)
        self.emit(rx.State.get_full_name() + ".hydrate")
        self.emit(f"{BoardState.get_full_name()}.join")

    def emit(self, handler: str) -> None:
        self.socket.send(self.PREFIX + json.dumps(["event", {
            "name": handler, "payload": {}, "router_data": {"pathname": "/invoices", "asPath": "/invoices"}}]))

    def _read(self, connected: threading.Event) -> None:
        try:
            while True:
                message = self.socket.receive()
                if message == "2":
                    self.socket.send("3")
                elif message.startswith("40/_event,"):
                    connected.set()
                elif message.startswith(self.PREFIX):
                    at = time.time()
                    name, update = json.loads(message[len(self.PREFIX):])[:2]
                    for values in (update.get("delta") or {}).values() if name == "event" else ():
                        for key, value in values.items():
                            if key.startswith("board") and isinstance(value, dict) and "done" in value:
                                self.seen.append((at, value["done"], value["active"], value["run_id"]))
                                self.joined.set()
        except simple_websocket.ConnectionClosed:
            return

    def close(self) -> None:
        self.socket.close()


@dataclass
class Figures:
    p95_latency_ms: float
    queries: int
    seconds: float
    samples: int

    @property
    def per_second(self) -> float:
        return self.queries / self.seconds


TOKEN = [""]  # the Owner's session, once seeded


class QueryCounter:
    """Statements the web process sends (any thread but this benchmark's main thread, which only arranges)."""

    def __init__(self) -> None:
        self.count = 0
        event.listen(get_engine(), "before_cursor_execute", self._counted)

    def _counted(self, *_: object) -> None:
        if threading.current_thread() is not threading.main_thread():
            self.count += 1


def serve_web() -> tuple[uvicorn.Server, threading.Thread]:
    os.chdir(ROOT)
    from reflex.utils.prerequisites import get_and_validate_app

    app, _ = get_and_validate_app()
    server = uvicorn.Server(uvicorn.Config(app(), host="127.0.0.1", port=WEB, log_level="warning", ws="wsproto"))
    thread = threading.Thread(target=contextvars.copy_context().run, args=(server.run,), daemon=True, name="web")
    thread.start()
    wait_for(lambda: answers(httpx.Client(base_url=os.environ["APP_URL"]), "/ping"), 60, "the web process")
    return server, thread


def commits(log: Path, since: float) -> dict[int, float]:
    """The worker's first commit reaching each count of finished invoices, after `since`."""
    first: dict[int, float] = {}
    for line in log.read_text().splitlines():
        at, done = float(line.split()[0]), int(line.split()[1])
        if at >= since and done and done not in first:
            first[done] = at
    return first


def latencies(boards: list[Board], run_id: int, reached: dict[int, float]) -> list[float]:
    found = []
    for board in boards:
        for done, committed in reached.items():
            shown = next((at for at, count, _, run in board.seen if run == run_id and count >= done), None)
            if shown is not None:
                found.append((shown - committed) * 1000)
    return found


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)] if ordered else float("nan")


def send_all_watched(tabs: int, counter: QueryCounter, log: Path) -> Figures:
    boards = open_boards(tabs, counter)
    before, clicked = counter.count, time.time()
    boards[0].emit(f"{SyncActionsState.get_full_name()}.send_all")
    run_id = wait_for(lambda: next((run for b in boards for at, _, active, run in b.seen if at > clicked and active),
                                   None), 60, "the Send all to start")
    wait_for(lambda: all(b.seen[-1][3] == run_id and not b.seen[-1][2] and b.seen[-1][1] == INVOICES
                         for b in boards), 300, "every board to show the Send all done")
    ended = max(board.seen[-1][0] for board in boards)
    found = latencies(boards, run_id, commits(log, clicked))
    for board in boards:
        board.close()
    return Figures(p95(found), counter.count - before, ended - clicked, len(found))


def open_boards(tabs: int, counter: QueryCounter) -> list[Board]:
    """`tabs` boards, joined, once the web process has gone quiet (no statement for half a second)."""
    boards = [Board(TOKEN[0]) for _ in range(tabs)]
    for board in boards:
        board.joined.wait(20)
    last = -1
    while last != counter.count:
        last = counter.count
        time.sleep(0.5)
    return boards


def main() -> int:
    upgrade()
    sandbox = start([sys.executable, "-m", "myapprentice_app", "sandbox", "xero", "--port", str(SANDBOX)])
    log = WORK / "commits.log"
    log.touch()
    worker = web = None
    try:
        admin = httpx.Client(base_url=os.environ["XERO_SANDBOX_URL"], timeout=30)
        wait_for(lambda: answers(admin, "/sandbox-admin/organisations"), 20, "the Xero sandbox to start")
        tenant_id = admin.post("/sandbox-admin/organisations", json={"name": "Bench Org"}).json()["tenantId"]
        with Session(get_engine(), expire_on_commit=False) as session:
            seed(session, tenant_id, admin, INVOICES, CLIENTS)
            TOKEN[0] = auth.log_in(session, email="owner@bench.test", password="bench-password-1").token
        worker = start([sys.executable, "-m", "benchmarks.board_worker", str(log)])
        web = serve_web()
        counter = QueryCounter()
        admin.post("/sandbox-admin/faults", json={"rate_limits": "real", "latency_ms": LATENCY_MS})
        figures = {}
        for tabs in (1, 5):
            if tabs == 5:  # every invoice changes, so the second Send all takes all 1,000 again
                with Session(get_engine()) as session:
                    session.execute(sa.update(Invoice).values(version=Invoice.version + 1))
                    session.commit()
                time.sleep(61)  # a fresh minute of Xero's limit, as the first run had
            figures[tabs] = send_all_watched(tabs, counter, log)
        open_boards(5, counter)
        before = counter.count
        time.sleep(IDLE_SECONDS)
        idle = (counter.count - before) / IDLE_SECONDS
        for tabs in (5, 1):
            print(f"board: tabs={tabs} invoices={INVOICES} p95_update_latency_ms={figures[tabs].p95_latency_ms:.0f} "
                  f"db_queries_per_s={figures[tabs].per_second:.1f}")
        print(f"board_idle: tabs=5 seconds={IDLE_SECONDS:g} db_queries_per_s={idle:.1f}")
        print(f"# queries per second 5 boards / 1 board = {figures[5].per_second / figures[1].per_second:.2f} "
              f"(target about 1): {figures[5].queries} queries in {figures[5].seconds:.1f} s and "
              f"{figures[1].queries} in {figures[1].seconds:.1f} s, the click's own (send_all, the list refresh) "
              f"included; latency over {figures[5].samples} and {figures[1].samples} samples (each count of "
              f"finished invoices the worker committed x each board); Xero {LATENCY_MS} ms a call, real limits")
        return 0
    finally:
        if web is not None:
            web[0].should_exit = True
            web[1].join(timeout=10)
        for process in (worker, sandbox):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
