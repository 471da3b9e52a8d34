"""`ctxgen new`: copy the starter map in ctxgen/skeleton/ to a new folder."""
from __future__ import annotations

import shutil
from pathlib import Path

from .diagnostics import Diagnostics

SKELETON = Path(__file__).resolve().parent / "skeleton"


def create_map(target: Path, diags: Diagnostics) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        diags.error("new-target-exists", f"{target} already exists and is not empty; choose a new folder")
        return
    try:
        shutil.copytree(SKELETON, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    except OSError as e:
        diags.error("new-write", f"cannot create {target}: {e.strerror or e}")
