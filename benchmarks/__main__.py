"""`make bench`: run every benchmark module in its own process and print each one's result lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failures = 0
    for module in sorted(HERE.glob("bench_*.py")):
        print(f"# {module.stem}", flush=True)
        result = subprocess.run([sys.executable, "-m", f"benchmarks.{module.stem}"], cwd=HERE.parent)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
