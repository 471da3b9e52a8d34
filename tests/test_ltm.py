"""LTM 1.3 reader: error positions, real maps and language corners.

The suite's valid and invalid inputs run in tests/test_cxtm.py with every other syntax;
this file holds the reader-specific checks: exact error positions, real maps, language corners.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from ctxgen.diagnostics import Diagnostics
from ctxgen.interchange import locators
from ctxgen.interchange.cxtm import serialize
from ctxgen.interchange.ltm import read_ltm, read_ltm_text

SHARED = Path(__file__).resolve().parents[2] / "shared" / "topicmaps"
@pytest.mark.parametrize("name", ["pokemon.ltm", "ItalianOpera.ltm", "dc.ltmm"])
def test_real_maps_read(name: str) -> None:
    diags = Diagnostics()
    tm = read_ltm(SHARED / "samples" / "ontopia" / name, diags)  # converted in memory only
    assert tm is not None and not diags.items, [d.format() for d in diags.items]
    assert len(tm.topics) > 20


def test_opera_has_its_composers() -> None:
    tm = read_ltm(SHARED / "samples" / "ontopia" / "ItalianOpera.ltm", Diagnostics())
    assert tm is not None
    assert tm.by_name("Giacomo Puccini")


@pytest.mark.parametrize(
    "text, line, col, words",
    [
        ('[a = "x"]\n[b = "unterminated]\n', 2, 6, "unterminated string"),
        ("[a]\n  foo(a : r\n", 3, 1, "')'"),
        ("#BOGUS\n", 1, 1, "unknown directive"),
        ("[x : ]\n[y = ]", 2, 6, "name string"),
        ("{a, b, 12}", 1, 8, "locator"),
        ("/* never closed", 1, 1, "comment"),
    ],
)
def test_syntax_errors_have_positions(text: str, line: int, col: int, words: str) -> None:
    diags = Diagnostics()
    assert read_ltm_text(text, "t.ltm", "file:///tmp/t.ltm", diags) is None
    (err,) = diags.errors
    assert (err.span.path, err.span.line, err.span.col) == ("t.ltm", line, col), err.format()
    assert words in err.message


def test_default_role_type_is_the_players_single_type() -> None:
    tm = read_ltm_text('[lmg : person]\n[ontopia : company]\nworks-for(lmg, ontopia)', "t.ltm", "file:///m/t.ltm", Diagnostics())
    assert tm is not None
    (assoc,) = [a for a in tm.associations if tm[a.type].item_identifiers == ["file:///m/t.ltm#works-for"]]
    assert sorted(tm[r.type].item_identifiers[0] for r in assoc.roles) == ["file:///m/t.ltm#company", "file:///m/t.ltm#person"]


def test_huge_garbage_gives_one_diagnostic() -> None:
    diags = Diagnostics()
    assert read_ltm_text("[" * 200_000, "t.ltm", "file:///tmp/t.ltm", diags) is None
    assert len(diags.errors) == 1
