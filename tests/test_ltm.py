"""LTM 1.3 reader against the CXTM test suite (../shared/topicmaps/cxtm/ltm) and real maps.

Pass = byte-identical CXTM for each valid input, rejection (with a position) of each invalid one.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from ctxgen.diagnostics import Diagnostics
from ctxgen.interchange import locators
from ctxgen.interchange.cxtm import serialize
from ctxgen.interchange.ltm import read_ltm, read_ltm_text

SHARED = Path(__file__).resolve().parents[2] / "shared" / "topicmaps"
SUITE = SHARED / "cxtm" / "ltm"
VALID = sorted((SUITE / "in").glob("*.ltm"))
INVALID = sorted((SUITE / "invalid").glob("*.ltm"))
# Inputs that cannot pass, with the reason; they count as failures in the totals.
KNOWN_FAILURES: dict[str, str] = {}

_results: dict[str, list[bool]] = {"valid": [], "invalid": []}


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_matches_baseline(path: Path) -> None:
    diags = Diagnostics()
    tm = read_ltm(path, diags)
    ok = tm is not None and not diags.items
    if ok:
        got = serialize(tm, locators.file_iri(path))
        ok = got == (SUITE / "baseline" / (path.name + ".cxtm")).read_bytes()
    _results["valid"].append(ok)
    if path.name in KNOWN_FAILURES:
        pytest.xfail(KNOWN_FAILURES[path.name])
    assert tm is not None, [d.format() for d in diags.items]
    assert ok, f"CXTM of {path.name} differs from the baseline"


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_is_rejected_with_position(path: Path) -> None:
    diags = Diagnostics()
    tm = read_ltm(path, diags)
    ok = tm is None and bool(diags.errors) and diags.errors[0].span is not None
    _results["invalid"].append(ok)
    assert tm is None
    err = diags.errors[0]
    assert err.code.startswith(("ltm-", "tm-")) and err.span and err.span.line >= 1 and err.span.col >= 1


def test_suite_is_present() -> None:
    assert len(VALID) >= 60 and len(INVALID) >= 20


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


def test_zz_totals() -> None:
    """Per-folder pass counts (known failures count as failures)."""
    v, i = _results["valid"], _results["invalid"]
    print(f"\nLTM suite: valid {sum(v)}/{len(VALID)}, invalid {sum(i)}/{len(INVALID)}")
    assert len(v) in (0, len(VALID)) and len(i) in (0, len(INVALID))
