"""The three real vaults in ../shared/corpora load with no error, and links resolve as in their tools.

For every wikilink, a small model of the tool the vault was written for says which file it
opens there (Quartz: "shortest path"; Foam: file name or relative path; Dendron: the dotted
file name after `|`, without `dendron://vault/`). Wherever that tool finds a file, ctxgen must
find the same one.
"""
from __future__ import annotations

import collections
import html
import posixpath
from pathlib import Path

import pytest

from ctxgen.api import load_map
from ctxgen.md_common import HOLE_RE

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"

# The warnings each vault is expected to give (why each is right: docs/diagnostics.md and the
# modeler's report). Anything else, and any error, fails the test. Other tools' own front matter
# keys (Quartz's `enabled`, `repository`, Dendron's `status`, ...) are properties, not warnings:
# only a mapping value (Dendron's `keybindings: {...}`) is still an `unknown-key`.
EXPECTED_CODES = {
    "quartz-docs": {"link-unresolved"},
    "foam-docs": {"link-unresolved", "asset-unsafe"},  # asset-unsafe: its Jekyll _layouts/*.html are not published
    # unknown-player: a template's `release_notes: '[[Ready to Ship|dendron://private/...]]'`, a
    # property link (an association) to a note of another vault, like its body links that are unresolved
    "dendron-vault": {"unknown-key", "link-unresolved", "link-ambiguous", "yaml-coerced", "link-to-draft", "unknown-player"},
}


@pytest.fixture(scope="module", params=sorted(EXPECTED_CODES))
def corpus(request):
    root = CORPORA / request.param
    if not root.is_dir():
        pytest.skip(f"{root} not present")
    return request.param, root, load_map(root)


def _quartz(target: str, from_path: str, files: dict[str, str], by_stem: dict[str, list[str]]) -> str | None:
    """Quartz's `shortest` strategy: a unique file name, else the path from the vault root."""
    t = target.strip().removesuffix(".md")
    hits = by_stem.get(posixpath.basename(t).casefold(), [])
    if "/" not in t and len(hits) == 1:
        return hits[0]
    return files.get(t.casefold())


def _foam(target: str, from_path: str, files: dict[str, str], by_stem: dict[str, list[str]]) -> str | None:
    """Foam: a relative path (./ ../), else a unique file name, else a path from the root."""
    t = target.strip().removesuffix(".md")
    if t.startswith(("./", "../")):
        return files.get(posixpath.normpath(posixpath.join(posixpath.dirname(from_path), t)).casefold())
    hits = by_stem.get(posixpath.basename(t).casefold(), [])
    return hits[0] if len(hits) == 1 and "/" not in t else files.get(t.casefold())


def _dendron(target: str, label: str | None, files: dict[str, str]) -> str | None:
    """Dendron: [[label|name]] or [[name]], name a whole dotted file name, maybe dendron://vault/name
    (the link's target here when the parser saw that prefix after the `|`)."""

    def find(name: str) -> str | None:
        name = name.partition("#")[0].strip()
        if name.startswith("dendron://"):
            name = name[len("dendron://"):].partition("/")[2]
        return files.get(name.casefold())

    return find(target) or (find(label) if label and label.strip() else None)


def test_corpus_loads_without_errors(corpus):
    name, root, result = corpus
    assert result.diagnostics.errors == [], [d.format() for d in result.diagnostics.errors][:10]
    codes = collections.Counter(d.code for d in result.diagnostics.sorted())
    assert set(codes) <= EXPECTED_CODES[name], codes
    assert len(result.topic_map.topics) > 50


def test_links_that_resolve_in_their_tool_resolve_here(corpus):
    name, root, result = corpus
    tm = result.topic_map
    topic_of_file = {t.source: t.id for t in tm.topics.values() if t.source}
    files = {s.path.removesuffix(".md").casefold(): s.path for s in result.sources}
    by_stem: dict[str, list[str]] = {}
    for s in result.sources:
        by_stem.setdefault(posixpath.basename(s.path.removesuffix(".md")).casefold(), []).append(s.path)
    checked = 0
    for t in tm.topics.values():
        if t.body is None or t.body.rendered is None:
            continue
        for link in t.body.rendered.links:
            if link.markdown_link or not link.target:
                continue
            if name == "dendron-vault":
                want = _dendron(link.target, link.label, files)
            elif name == "quartz-docs":
                want = _quartz(link.target, t.source, files, by_stem)
            else:
                want = _foam(link.target, t.source, files, by_stem)
            if want is None or want not in topic_of_file:
                continue  # broken in the tool too, or a draft/unpublished file
            got = t.body.targets[link.hole].topic
            assert got == topic_of_file[want], f"{link.span}: [[{link.target}]] should open {want}, got {got}"
            checked += 1
    assert checked > 20


def test_link_text_never_shows_a_dendron_vault_prefix(corpus):
    """`[[label|dendron://vault/note]]`, `[[dendron://vault/note]]`, `![[|dendron://vault/note]]`:
    the page shows the label or the note's name, never the vault prefix."""
    name, root, result = corpus
    shown = 0
    for s in result.sources:
        if s.rendered is None:
            continue
        for m in HOLE_RE.finditer(s.rendered.html):
            assert "dendron://" not in m.group(2), f"{s.path}: a link shows {m.group(2)!r}"
            shown += 1
    assert shown > 20


def test_dendron_label_first_links_show_their_label(corpus):
    """Dendron's [[label|target]] (label first) resolves to the target and shows the label."""
    name, root, result = corpus
    if name != "dendron-vault":
        pytest.skip("Dendron only")
    files = {s.path.removesuffix(".md").casefold() for s in result.sources}
    checked = 0
    for t in result.topic_map.topics.values():
        if t.body is None or t.body.rendered is None:
            continue
        holes = {int(m.group(1)): m.group(2) for m in HOLE_RE.finditer(t.body.rendered.html)}
        for link in t.body.rendered.links:
            target = t.body.targets.get(link.hole)
            if link.markdown_link or not link.label or target is None or target.topic is None:
                continue
            if link.target.startswith("dendron://"):
                continue  # the parser saw the target after the `|` and put it first
            if link.target.strip().casefold() in files or link.label.partition("#")[0].strip().casefold() not in files:
                continue  # Obsidian order resolves, or the label names no file either
            assert holes[link.hole] == html.escape(link.target + (f"#{link.heading}" if link.heading else "")), link.span
            checked += 1
    assert checked > 0
