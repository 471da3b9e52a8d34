"""The write stage: put a finished site in place atomically, or leave the old one untouched.

The site is rendered into a fresh temporary folder beside the output folder (same file
system, so the final step is two renames). Only when rendering succeeded is the old
output moved aside, the new one moved in, and the old one deleted. Any failure, or
Ctrl-C, removes the temporary folder and leaves the previous site byte for byte as it was.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

MARKER = ".ctxgen-site"  # written into every output folder; its absence means "not ours"


class OutputError(Exception):
    """An output folder we must not or cannot write; the message names the path."""


def write_file(path: Path, data: bytes) -> None:
    """One file of the site into the staging folder, its folders made as needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def check_output_dir(out_dir: Path, map_dir: Path, force: bool = False) -> None:
    """Refuse output folders whose replacement would destroy something (checklist rows 39, 40).

    Replacing the output folder deletes what is in it, so an output folder inside the map is
    held to more than --force: it must not be (or lie in) the map's .git or templates/, must
    hold no Markdown file, and must be empty or carry the marker. The marker only says ctxgen
    wrote the folder (content can plant one): it never licenses deleting map sources.
    """
    out, src = out_dir.resolve(), map_dir.resolve()
    home = Path.home().resolve()
    if out == Path(out.anchor) or out == home:
        raise OutputError(f"refusing to use {out_dir} as the output folder: it is {'/' if out != home else 'your home folder'}")
    if out == src:
        raise OutputError(f"the output folder {out_dir} is the map folder itself; choose another with -o")
    if src.is_relative_to(out):
        raise OutputError(f"the output folder {out_dir} contains the map folder {map_dir}; choose another with -o")
    if out.exists() and not out.is_dir():
        raise OutputError(f"the output path {out_dir} exists and is not a folder")
    if out.is_relative_to(src):
        _check_inside_map(out_dir, out, src)
    elif out.exists() and not force and any(out.iterdir()) and not (out / MARKER).exists():
        raise OutputError(
            f"the output folder {out_dir} is not empty and was not written by ctxgen; "
            "use --force to replace it (its top-level dotfiles are kept)"
        )


_MAP_ONLY = (".git", "templates", "ctxgen.yaml")  # map-root entries no site may replace


def _check_inside_map(out_dir: Path, out: Path, src: Path) -> None:
    for name in _MAP_ONLY:
        if out.is_relative_to(src / name):
            raise OutputError(f"the output folder {out_dir} is the map's {name}; choose another with -o")
    if not out.is_dir():
        return
    for _, _, files in os.walk(out):
        if any(f[-3:].lower() == ".md" for f in files):
            raise OutputError(f"the output folder {out_dir} holds Markdown files of the map; choose another with -o")
    if not (out / MARKER).is_file() and any(out.iterdir()):
        # --force does not help: inside the map, a folder ctxgen did not write is map content
        raise OutputError(f"the output folder {out_dir} is a folder of the map that ctxgen did not write; "
                          "choose another with -o (or an empty folder)")


@contextmanager
def staged_output(out_dir: Path) -> Iterator[Path]:
    """Yield a temporary folder to render into; on success swap it in as out_dir."""
    parent = out_dir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
    except OSError as e:
        raise OutputError(f"cannot create the output folder beside {out_dir}: {e.strerror or e}") from e
    try:
        yield tmp
        _swap_in(tmp, out_dir.resolve())
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_in(new: Path, out: Path) -> None:
    if not (new / MARKER).exists():
        (new / MARKER).write_text("written by ctxgen build\n")
    _normalise_modes(new)
    if not out.exists():
        os.rename(new, out)
        return
    # Keep the old output's top-level dotfiles (.git, .well-known, ...) that the build does not write.
    for entry in out.iterdir():
        if entry.name.startswith(".") and entry.name != MARKER and not (new / entry.name).exists():
            os.rename(entry, new / entry.name)
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rename(out, old / out.name)
    try:
        os.rename(new, out)
    except OSError:
        os.rename(old / out.name, out)  # put the previous site back
        raise
    shutil.rmtree(old, ignore_errors=True)


def _normalise_modes(root: Path) -> None:
    """GitHub Pages artifacts want 0644 files and 0755 folders (checklist row 61)."""
    os.chmod(root, 0o755)  # a mkdtemp folder: 0700
    if _umask() == 0o022:  # the usual case: files were created 0644 and folders 0755 already
        return
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), 0o644)


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it; set back at once (the build writes from one thread)
    os.umask(mask)
    return mask
