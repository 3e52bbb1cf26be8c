"""Files the tests read from outside the repository, each folder found through one setting.

Xero's official OpenAPI files are not ours to ship: they live in `../shared/xero-openapi/` beside the
checkout (CI lays that folder there), or wherever `XERO_OPENAPI_DIR` says. A clone without them still
passes: the tests that need them are skipped, with one line saying what is missing and where to get it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class SharedFiles:
    what: str
    setting: str  # the environment variable naming the folder
    default: Path
    files: tuple[str, ...]
    source: str  # where a newcomer gets them

    @property
    def folder(self) -> Path:
        configured = os.environ.get(self.setting)
        return Path(configured).expanduser().resolve() if configured else self.default

    def path(self, name: str) -> Path:
        return self.folder / name

    def missing(self) -> str | None:
        """None when every file is there; otherwise the one line that says what is missing and how to fix it."""
        absent = [name for name in self.files if not self.path(name).is_file()]
        if not absent:
            return None
        return (f"{self.what} ({', '.join(absent)}) not found in {self.folder}: get them from {self.source} "
                f"and put them there, or set {self.setting} to the folder that holds them")


XERO_OPENAPI = SharedFiles(
    what="Xero's OpenAPI files",
    setting="XERO_OPENAPI_DIR",
    default=REPOSITORY.parent / "shared" / "xero-openapi",
    files=("xero_accounting.yaml", "xero-identity.yaml"),
    source="the public repository XeroAPI/Xero-OpenAPI (v16.1.0)",
)
