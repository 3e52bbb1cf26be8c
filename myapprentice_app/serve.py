"""Run the web process: Reflex's production build, frontend and backend on one port.

`--backend-only` serves the websocket, the API routes and `/ping` without building or serving the frontend
(a process behind a balancer whose frontend is served elsewhere, or the load benchmark's web processes).
"""

from __future__ import annotations

import os
import sys

from myapprentice_app.config import get_settings


def main() -> None:
    get_settings()  # refuses unsafe production settings before anything starts (rxconfig.py reads the rest)
    port = os.environ.get("WEB_PORT", "3000")
    reflex = os.path.join(os.path.dirname(sys.executable), "reflex")
    host = os.environ.get("WEB_HOST", "0.0.0.0")
    if "--backend-only" in sys.argv[1:]:
        command = ["run", "--env", "prod", "--backend-only", "--backend-port", port, "--backend-host", host]
    else:
        command = ["run", "--env", "prod", "--frontend-port", port, "--backend-port", port, "--backend-host", host]
    os.execv(reflex, [reflex, *command])


if __name__ == "__main__":
    main()
