"""The one pool of threads that make Xero calls for every sync run of this process.

A worker works many runs at once (WORKER_RUNS), each mostly waiting on Xero. Their senders share this pool
instead of each run starting threads of its own, and a run has at most 5 senders in it (Xero's concurrent
limit per organisation, see `invoices._send_all`), so the pool has room for every run's five: a business with
10,000 invoices never queues its batches ahead of a small business's.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from myapprentice_app.config import get_settings
from myapprentice_app.domain.xero_limits import CONCURRENT

_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def pool() -> ThreadPoolExecutor:
    """The process's sender pool, started on first use; its threads are started as they are needed."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=get_settings().worker_runs * CONCURRENT,
                                       thread_name_prefix="xero-send")
        return _pool
