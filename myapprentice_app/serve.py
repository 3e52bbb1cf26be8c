"""Run the web process: Reflex's production build, frontend and backend on one port."""

from __future__ import annotations

import os
import sys

from myapprentice_app.config import get_settings


def main() -> None:
    settings = get_settings()
    port = os.environ.get("WEB_PORT", "3000")
    if settings.redis_url:
        os.environ.setdefault("REFLEX_REDIS_URL", settings.redis_url)
    reflex = os.path.join(os.path.dirname(sys.executable), "reflex")
    os.execv(reflex, [reflex, "run", "--env", "prod", "--frontend-port", port, "--backend-port", port,
                      "--backend-host", os.environ.get("WEB_HOST", "0.0.0.0")])


if __name__ == "__main__":
    main()
