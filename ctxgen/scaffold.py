"""`ctxgen new`: copy the starter map in ctxgen/skeleton/ to a new folder."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

from . import __version__
from .diagnostics import Diagnostics

SKELETON = Path(__file__).resolve().parent / "skeleton"


def create_map(target: Path, diags: Diagnostics) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        diags.error("new-target-exists", f"{target} already exists and is not empty; choose a new folder")
        return
    direct_url = _with_checkout_git(_direct_url())
    requirement = install_requirement(direct_url, __version__)
    try:
        shutil.copytree(SKELETON, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        workflow = target / WORKFLOW
        workflow.write_text(workflow.read_text().replace(
            "      - run: pip install ctxgen\n",
            f"      # the ctxgen that made this map; change it to build with another\n"
            f"      - run: pip install \"{requirement}\"\n"))
    except OSError as e:
        diags.error("new-write", f"cannot create {target}: {e.strerror or e}")
        return
    folder = _local_folder(direct_url)
    if requirement.startswith("ctxgen==") and folder is not None:
        diags.warning("new-workflow-install",
                      f"{WORKFLOW} installs {requirement} from PyPI, but this ctxgen was installed from the folder "
                      f"{folder}, which has no git remote CI could fetch it from",
                      hint=f"edit the workflow's 'pip install' line to a ctxgen CI can install (pip install "
                           f"\"ctxgen @ git+https://…@<commit>\") if {requirement} is not on PyPI")


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


def _with_checkout_git(direct_url: dict | None) -> dict | None:
    """An install from a local folder (`pip install -e .` in a clone, as the README sets up)
    records only the folder: take its git remote and commit as if pip had installed from git."""
    folder = _local_folder(direct_url)
    if folder is None or "vcs_info" in direct_url:
        return direct_url
    remote = _git(folder, "remote", "get-url", "origin")
    commit = _git(folder, "rev-parse", "HEAD")
    if remote and commit and remote.startswith(("https://", "ssh://", "git@")):
        return {"url": remote, "vcs_info": {"vcs": "git", "commit_id": commit}}
    return direct_url


def _local_folder(direct_url: dict | None) -> str | None:
    """The local folder an install came from (a PEP 610 `file://` URL), else None."""
    url = (direct_url or {}).get("url", "")
    return unquote(url.removeprefix("file://")) if url.startswith("file://") else None


def _git(folder: str, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", folder, *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def _direct_url() -> dict | None:
    from importlib import metadata

    try:
        text = metadata.distribution("ctxgen").read_text("direct_url.json")
        return json.loads(text) if text else None
    except (metadata.PackageNotFoundError, ValueError):
        return None
