"""Reference and link resolution: one deterministic algorithm for front matter and bodies.

docs/authoring.md ("Links in bodies") is the specification; in short, first match wins:

0. an exact topic id;
1. a path: relative to the linking file for Markdown links and targets starting ./ or ../,
   then map-relative (also a file's path-derived id, and a folder for its index.md); a Markdown
   link starting with / is relative to the map root only (Quartz, Foam, Obsidian);
2. a file name (the last path segment, or a path suffix such as `folder/note`);
3. a topic name or alias.
For `[[a|b]]` where `a` matches no id, path or file name, steps 0-2 are tried for `b` before
step 3 for `a` (Dendron writes `[[label|target]]`); the Resolution then says `dendron_order`.
A `dendron://vault/` prefix (a Dendron cross-vault link) is dropped from targets.

Matching ignores case, Unicode normalisation, a `.md` suffix and the difference between a
space and a hyphen (Quartz slugs `Some Note.md` as `Some-Note`), though a file name as written
beats a path that matches only by that (Obsidian: `[[Space Note]]` is not `space-note.md` when a
`Space Note.md` exists). Where a step finds several
candidates the link is ambiguous: the candidate in the linking file's folder wins, else the
shortest path, else the first in alphabetical order, so the result never depends on file order.

All lookups are dict lookups on indexes built once per map.
"""
from __future__ import annotations

import dataclasses
import posixpath
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Literal

Kind = Literal["topic", "asset", "failed"]

from .md_common import strip_dendron_vault


def fold(s: str) -> str:
    """The matching key: NFC, case-folded, spaces as hyphens, no surrounding whitespace."""
    if s.isascii():  # most keys: NFC changes nothing and casefold is lower
        return s.strip().lower().replace(" ", "-")
    return unicodedata.normalize("NFC", s).strip().casefold().replace(" ", "-")


def _normpath(p: str) -> str:
    """posixpath.normpath, without its cost for the common path that has nothing to normalise."""
    if p and "." not in p and "//" not in p and p[0] != "/" and p[-1] != "/":
        return p
    return posixpath.normpath(p)


def _strip_md(s: str) -> str:
    return s[:-3] if s.lower().endswith(".md") else s


def _spaced(target: str) -> bool:
    return " " in target or "-" in target


def _as_written(path: str, target: str, suffix: bool = False) -> bool:
    """Whether a file's path (or, with `suffix`, its end) is `target` with spaces and hyphens as
    written: Obsidian tells 'Space Note.md' from 'space-note.md', where fold() does not."""
    if not path:
        return False
    p = unicodedata.normalize("NFC", _strip_md(path)).casefold()
    t = unicodedata.normalize("NFC", _strip_md(target.strip())).casefold()
    if p.endswith("/index"):
        p = p[:-6]
    return p == t or (suffix and p.endswith("/" + t))


@dataclass(frozen=True, slots=True)
class Candidate:
    kind: Kind
    value: str  # topic id, asset path, or the path of a file that failed to load
    path: str  # the file it comes from ("" for a topic without a file), for tie-breaks

    def order(self, folder: str) -> tuple:
        in_folder = posixpath.dirname(self.path) == folder if self.path else False
        return (not in_folder, len(self.path) if self.path else 1 << 30, self.path, self.value)


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a target resolved to. At most one of topic/asset/failed is set; none = unresolved."""

    topic: str | None = None
    asset: str | None = None
    failed: str | None = None  # map-relative path of a source that failed to load
    candidates: tuple[str, ...] = ()  # set when ambiguous: every candidate, the chosen one first
    step: str = ""  # "id", "path", "file-name", "name" (which rule matched), "" when unresolved
    heading: str | None = None  # a heading found in the label of a Dendron-style [[label|target#heading]]
    dendron_order: bool = False  # [[a|b]] resolved as Dendron's [[label|target]]: b is the target, a the text

    @property
    def resolved(self) -> bool:
        return bool(self.topic or self.asset or self.failed)

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


UNRESOLVED = Resolution()


class Resolver:
    """Indexes of one map's ids, paths, file names and names; `resolve` is a few dict lookups."""

    def __init__(
        self,
        topics: Iterable[tuple[str, str | None, Iterable[str]]] = (),
        assets: Iterable[str] = (),
        failed: Iterable[str] = (),
        failed_names: dict[str, list[str]] | None = None,
    ) -> None:
        """topics: (topic id, map-relative source path or None, names and aliases); failed: the
        paths of sources left out, with the names of those whose names are known (failed_names)."""
        self._ids: dict[str, Candidate] = {}
        self._paths: dict[str, list[Candidate]] = {}  # fold(path without .md) -> candidates
        self._folders: dict[str, list[Candidate]] = {}  # fold(folder) -> its index.md
        self._stems: dict[str, list[Candidate]] = {}  # fold(last segment without .md)
        self._names: dict[str, list[Candidate]] = {}
        self._cache: dict[tuple, Resolution] = {}  # types and tags are named over and over
        # Callers' results derived from resolutions (model_reader.ref), under 2-tuple keys (the
        # cache's own are 4-tuples): the same dict, so whatever clears the cache forgets them too.
        self.memo: dict[tuple, object] = self._cache
        for topic_id, path, names in topics:
            c = Candidate("topic", topic_id, path or "")
            self._ids.setdefault(topic_id, c)
            self._add(self._paths, topic_id, c)
            if path:
                self._add_file(c, path)
            for n in names:
                self._add(self._names, n, c)
        for path in assets:
            c = Candidate("asset", path, path)
            # assets keep their extension: `image.png` is matched whole
            self._add(self._paths, path, c)
            self._add(self._stems, posixpath.basename(path), c)
        for path in failed:
            c = Candidate("failed", path, path)
            self._add_file(c, path)
            for n in (failed_names or {}).get(path, ()):
                if fold(n) not in self._names:  # a topic in the map keeps its name
                    self._add(self._names, n, c)

    @staticmethod
    def _add(index: dict[str, list[Candidate]], key: str, c: Candidate) -> None:
        lst = index.setdefault(fold(key), [])
        if c not in lst:
            lst.append(c)

    def add_file(self, topic_id: str, path: str) -> None:
        """Let links to another file (a note file) reach a topic."""
        self._cache.clear()
        self._add_file(self._ids.get(topic_id) or Candidate("topic", topic_id, path), path)

    def _add_file(self, c: Candidate, path: str) -> None:
        bare = _strip_md(path)
        self._add(self._paths, bare, c)
        self._add(self._stems, posixpath.basename(bare), c)
        folder, stem = posixpath.split(bare)
        if stem.lower() == "index" and folder:
            self._add(self._folders, folder, c)

    # --- resolution --------------------------------------------------------------------
    def exact(self, topic_id: str) -> str | None:
        """`topic_id` when a declared topic has exactly that id (step 0 alone), else None."""
        c = self._ids.get(unicodedata.normalize("NFC", topic_id))
        return c.value if c is not None and c.kind == "topic" else None

    def resolve(self, target: str, from_path: str = "", *, label: str | None = None, markdown_link: bool = False) -> Resolution:
        """Resolve a link target (a front matter reference: no label) as seen from `from_path`."""
        # the result depends on from_path's folder only; the text up to its last '/' names that
        # folder as well as posixpath.dirname does, at a tenth of the cost (this runs per link)
        key = (target, from_path[:from_path.rfind("/") + 1], label, markdown_link)
        r = self._cache.get(key)
        if r is None:
            r = self._cache[key] = self._resolve_uncached(target, from_path, label, markdown_link)
        return r

    def _resolve_uncached(self, target: str, from_path: str, label: str | None, markdown_link: bool) -> Resolution:
        r = self._resolve(target, from_path, markdown_link, by_name=False)
        if r.resolved or markdown_link:
            return r
        if label:  # Dendron's [[label|target]]: the label as a path or file name beats names
            label_target, hash_, heading = label.partition("#")
            r = self._resolve(label_target, from_path, False, by_name=False)
            if r.resolved:
                return dataclasses.replace(r, heading=(heading.strip() or None) if hash_ else None, dendron_order=True)
        return self._by_name(target, from_path)

    def _resolve(self, target: str, from_path: str, markdown_link: bool, by_name: bool = True) -> Resolution:
        target = strip_dendron_vault(unicodedata.normalize("NFC", target.strip()))
        if not target:
            return UNRESOLVED
        exact = self._ids.get(target)
        if exact is not None:
            return self._one(exact, "id")
        folder = posixpath.dirname(from_path)
        bare = _strip_md(target).rstrip("/")
        explicit_relative = bare.startswith(("./", "../"))
        unrooted = bare.lstrip("/")
        rooted = _normpath(unrooted) if unrooted else ""
        # step 1: paths. Markdown links and ./ ../ are relative to the linking file first;
        # a Markdown link starting with / only from the map root (and no file-name step).
        if markdown_link and target.startswith("/"):
            order, explicit_relative = [rooted or "index"], True  # [home](/): the root's index.md
        elif markdown_link or explicit_relative:
            relative = posixpath.normpath(posixpath.join(folder, bare)) if folder else posixpath.normpath(bare)
            order = [relative, rooted]
        else:
            order = [rooted]
        folded: dict[str, str] = {}
        loose: list[Candidate] = []  # a path that matches only with spaces read as hyphens
        for p in order:
            if p and not p.startswith(".."):
                key = folded[p] = fold(p)
                found = self._paths.get(key) or self._folders.get(key)
                if found:
                    if explicit_relative or not _spaced(p) or any(_as_written(c.path, p) for c in found):
                        return self._pick(found, folder, "path")
                    loose = loose or found
        if explicit_relative:
            return UNRESOLVED
        # step 2: file name, or a path suffix (`folder/note` matching `a/folder/note.md`)
        key = folded.get(unrooted) or fold(unrooted)  # usually folded in step 1 already
        stem = key.rpartition("/")[2]
        found = self._stems.get(stem)
        if found and "/" in key:
            found = [c for c in found if fold(_strip_md(c.path)).endswith("/" + key) or fold(c.path).endswith("/" + key)]
        if found and (loose or len(found) > 1) and _spaced(unrooted):
            # [[Space Note]]: the file 'Space Note.md' beats the path or file 'space-note.md'
            written = [c for c in found if _as_written(c.path, unrooted, suffix=True)]
            if written or loose:
                found = written
        if found:
            return self._pick(found, folder, "file-name")
        if loose:
            return self._pick(loose, folder, "path")
        return self._by_name(target, from_path) if by_name else UNRESOLVED

    def _by_name(self, target: str, from_path: str) -> Resolution:
        """Step 3: names and aliases."""
        found = self._names.get(fold(target))
        if found:
            return self._pick(found, posixpath.dirname(from_path), "name")
        return UNRESOLVED

    @staticmethod
    def _one(c: Candidate, step: str) -> Resolution:
        if c.kind == "topic":
            return Resolution(topic=c.value, step=step)
        if c.kind == "asset":
            return Resolution(asset=c.value, step=step)
        return Resolution(failed=c.value, step=step)

    def _pick(self, found: list[Candidate], folder: str, step: str) -> Resolution:
        if len(found) == 1:
            return self._one(found[0], step)
        ranked = sorted(found, key=lambda c: c.order(folder))
        chosen = self._one(ranked[0], step)
        names = tuple(c.path or c.value for c in ranked)
        return Resolution(chosen.topic, chosen.asset, chosen.failed, names, step)
