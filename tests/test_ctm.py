"""CTM 1.0 reader: error positions, real maps and language corners.

The suite's valid and invalid inputs run in tests/test_cxtm.py with every other syntax;
this file holds the reader-specific checks: exact error positions, real maps, language corners.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from ctxgen.diagnostics import Diagnostics
from ctxgen.interchange import locators
from ctxgen.interchange.cxtm import serialize
from ctxgen.interchange.ctm import read_ctm, read_ctm_text

SHARED = Path(__file__).resolve().parents[2] / "shared" / "topicmaps"
_SAMPLES = sorted((SHARED / "samples" / "tinytim").glob("*.ctm")) + sorted((SHARED / "samples" / "heuer-topicmaps").glob("*/*.ctm"))
# Real maps that are not valid CTM as written (the reason is asserted, so a regression still fails).
BROKEN_SAMPLES = {
    "schema.ctm": "only local files can be included",  # %include of the TMCL templates over HTTP
    "stations.ctm": "prefix 'onto' is not declared",  # the file uses onto: without declaring it
    "python.ctm": "template 'ndh' with 3 argument(s) is not defined",  # a typo of nhd in the source
}


@pytest.mark.parametrize("path", _SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_maps_read(path: Path) -> None:
    diags = Diagnostics()
    tm = read_ctm(path, diags)
    if path.name in BROKEN_SAMPLES:
        assert tm is None and BROKEN_SAMPLES[path.name] in diags.errors[0].message
        return
    assert tm is not None and not diags.items, [d.format() for d in diags.items]
    assert tm.topics


@pytest.mark.parametrize(
    "text, line, col, words",
    [
        ('a - "x".\nb - "unterminated.\n', 2, 5, "unterminated string"),
        ("a(r: p\n", 2, 1, "')'"),
        ("%bogus\n", 1, 1, "unknown directive"),
        ("t\n  o: INF.", 2, 6, "occurrence value"),
        ("x:y.", 1, 1, "not declared"),
        ("#( never closed", 1, 1, "comment"),
        ("def t()\n  a.\n", 1, 1, "no 'end'"),
    ],
)
def test_syntax_errors_have_positions(text: str, line: int, col: int, words: str) -> None:
    diags = Diagnostics()
    assert read_ctm_text(text, "t.ctm", "file:///tmp/t.ctm", diags) is None
    (err,) = diags.errors
    assert (err.span.path, err.span.line, err.span.col) == ("t.ctm", line, col), err.format()
    assert words in err.message


def test_template_invocation_binds_parameters() -> None:
    text = "def born($p, $d)\n  $p born: $d; isa person.\nend\nborn(puccini, 1858-12-22)\n"
    tm = read_ctm_text(text, "t.ctm", "file:///m/t.ctm", Diagnostics())
    assert tm is not None
    (p,) = [t for t in tm.topics.values() if t.item_identifiers == ["file:///m/t.ctm#puccini"]]
    (occ,) = p.occurrences
    assert (occ.value, occ.datatype) == ("1858-12-22", "http://www.w3.org/2001/XMLSchema#date")
    assert [tm[x].item_identifiers for x in tm.types_of(p.id)] == [["file:///m/t.ctm#person"]]


def test_recursive_template_is_an_error_not_a_crash() -> None:
    diags = Diagnostics()
    assert read_ctm_text("def t($x)\n  t($x)\nend\nt(a)\n", "t.ctm", "file:///tmp/t.ctm", diags) is None
    assert "nests too deeply" in diags.errors[0].message


def test_huge_garbage_gives_one_diagnostic() -> None:
    diags = Diagnostics()
    assert read_ctm_text("a - " + "[" * 200_000, "t.ctm", "file:///tmp/t.ctm", diags) is None
    assert len(diags.errors) == 1
