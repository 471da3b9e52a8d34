"""`ctxgen new`: copy the starter map in ctxgen/skeleton/ to a new folder."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from . import __version__
from .diagnostics import Diagnostics

SKELETON = Path(__file__).resolve().parent / "skeleton"


def create_map(target: Path, diags: Diagnostics) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        diags.error("new-target-exists", f"{target} already exists and is not empty; choose a new folder")
        return
    try:
        shutil.copytree(SKELETON, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        workflow = target / WORKFLOW
        workflow.write_text(workflow.read_text().replace(
            "      - run: pip install ctxgen\n",
            f"      # the ctxgen that made this map; change it to build with another\n"
            f"      - run: pip install \"{install_requirement(_direct_url(), __version__)}\"\n"))
    except OSError as e:
        diags.error("new-write", f"cannot create {target}: {e.strerror or e}")


WORKFLOW = ".github/workflows/pages.yml"


def install_requirement(direct_url: dict | None, version: str) -> str:
    """What the Pages workflow installs: the git commit this ctxgen was installed from (PEP 610),
    so CI builds with the same code, else this release by version."""
    vcs = (direct_url or {}).get("vcs_info")
    url = (direct_url or {}).get("url", "")
    if vcs and vcs.get("vcs") == "git" and url.startswith(("https://", "ssh://", "git@")):
        ref = vcs.get("commit_id") or vcs.get("requested_revision")
        return f"ctxgen @ git+{url}" + (f"@{ref}" if ref else "")
    return f"ctxgen=={version}"


def _direct_url() -> dict | None:
    from importlib import metadata

    try:
        text = metadata.distribution("ctxgen").read_text("direct_url.json")
        return json.loads(text) if text else None
    except (metadata.PackageNotFoundError, ValueError):
        return None
