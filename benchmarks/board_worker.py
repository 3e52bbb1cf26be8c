"""The huey worker of `python -m myapprentice_app worker`, noting the moment of each of its commits for
bench_board: after every commit, the time and how many invoices of the latest Send all are no longer Pending.

    python -m benchmarks.board_worker LOG_FILE
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import time

from huey.bin.huey_consumer import consumer_main
from sqlalchemy import event
from sqlalchemy.orm import Session

from myapprentice_app.config import get_settings

DONE = ("SELECT count(*) FROM syncrunitem WHERE outcome != 'pending' AND run_id = "
        "(SELECT max(id) FROM syncrun WHERE kind = 'send_all')")


def main() -> None:
    log = open(sys.argv[1], "a", buffering=1)  # noqa: SIM115 (open for the life of the process)
    database = get_settings().database_url.removeprefix("sqlite:///")
    lock = threading.Lock()

    def committed(_session: Session) -> None:
        at = time.time()
        with sqlite3.connect(database) as counter:  # another connection: it sees what was just committed
            done = counter.execute(DONE).fetchone()[0]
        with lock:
            log.write(f"{at:.6f} {done}\n")

    event.listen(Session, "after_commit", committed)
    sys.argv = ["huey_consumer", "myapprentice_app.jobs.huey_app.huey", "--workers", "2", "--worker-type", "thread",
                "--delay", "0.01", "--max-delay", "0.02"]
    consumer_main()


if __name__ == "__main__":
    main()
