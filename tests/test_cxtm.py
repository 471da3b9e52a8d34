"""The CXTM conformance suite (heuer/cxtm) against ctxgen's readers and writers.

Every valid input of each syntax folder must canonicalize byte for byte to its baseline, read
directly and after a round trip through JTM 1.1 and XTM 2.1; every invalid input must be
rejected with a TopicMapSyntaxError naming the file and a position. Files are found by glob,
so no case can be left out. LTM and CTM run when the textsyntax readers exist.

Cases that cannot pass are listed in KNOWN_FAILURES with the reason; they still count as failures
in the per-syntax totals printed at the end of the session (a "CXTM suite" section of the terminal
summary, from a plugin this module's fixture registers: conftest.py is not ours).
"""
from __future__ import annotations

import importlib
import inspect
from collections import Counter
from pathlib import Path

import pytest

from ctxgen.diagnostics import Diagnostics
from ctxgen.interchange.cxtm import serialize
from ctxgen.interchange.errors import TopicMapSyntaxError
from ctxgen.interchange.jtm import read_jtm, read_jtm_bytes, write_jtm11
from ctxgen.interchange.xtm import read_xtm, read_xtm_bytes, write_xtm21

SUITE = Path(__file__).resolve().parents[2] / "shared" / "topicmaps" / "cxtm"

# folder -> (input extension, reader module, reader function name)
SYNTAXES = {
    "xtm1": ("xtm", "ctxgen.interchange.xtm", "read_xtm"),
    "xtm2": ("xtm", "ctxgen.interchange.xtm", "read_xtm"),
    "xtm21": ("xtm", "ctxgen.interchange.xtm", "read_xtm"),
    "jtm": ("jtm", "ctxgen.interchange.jtm", "read_jtm"),
    "jtm11": ("jtm", "ctxgen.interchange.jtm", "read_jtm"),
    "ltm": ("ltm", "ctxgen.interchange.ltm", "read_ltm"),
    "ctm": ("ctm", "ctxgen.interchange.ctm", "read_ctm"),
}

# (folder, file name) -> why it cannot pass. These count as failures in the totals.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}
for _folder in SYNTAXES:
    for _b in sorted((SUITE / _folder / "baseline").glob("*.cxtm")):
        if not (SUITE / _folder / "in" / _b.name[: -len(".cxtm")]).exists():
            KNOWN_FAILURES[(_folder, _b.name[: -len(".cxtm")])] = (
                "input held back from the shared copy of the suite (baseline only; see SOURCES.md)"
            )

RESULTS: Counter = Counter()


def _reader(folder: str):
    """A reader `path -> TopicMap` raising TopicMapSyntaxError, whatever the module's convention
    (XTM/JTM raise; LTM/CTM append to a Diagnostics); None when the module does not exist yet."""
    _, module, func = SYNTAXES[folder]
    try:
        read = getattr(importlib.import_module(module), func)
    except (ImportError, AttributeError):
        return None
    if "diags" not in inspect.signature(read).parameters:
        return read

    def read_raising(path: Path):
        diags = Diagnostics()
        tm = read(path, diags)
        if diags.errors or tm is None:
            d = diags.errors[0] if diags.errors else None
            raise TopicMapSyntaxError(d.message if d else "rejected", d.span if d else None, d.code if d else "tm-syntax")
        return tm

    return read_raising


def _valid_cases():
    for folder in SYNTAXES:
        for baseline in sorted((SUITE / folder / "baseline").glob("*.cxtm")):
            yield pytest.param(folder, baseline.name[: -len(".cxtm")], id=f"{folder}/{baseline.name[:-5]}")


def _invalid_cases():
    for folder, (ext, _, _) in SYNTAXES.items():
        for src in sorted((SUITE / folder / "invalid").glob(f"*.{ext}")):
            yield pytest.param(folder, src.name, id=f"{folder}/invalid/{src.name}")


def _record(folder: str, kind: str, passed: bool) -> None:
    RESULTS[(folder, kind, "total")] += 1
    if passed:
        RESULTS[(folder, kind, "pass")] += 1


def test_suite_is_present():
    assert SUITE.is_dir(), f"the CXTM suite is missing at {SUITE}"
    assert len(list(_valid_cases())) >= 588  # the baselines of the shared copy


@pytest.mark.parametrize("folder,name", list(_valid_cases()))
def test_valid_input_matches_baseline(folder: str, name: str):
    read = _reader(folder)
    if read is None:
        pytest.skip(f"no {folder} reader yet")
    if (folder, name) in KNOWN_FAILURES:
        _record(folder, "valid", False)
        pytest.skip(KNOWN_FAILURES[(folder, name)])
    expected = (SUITE / folder / "baseline" / f"{name}.cxtm").read_bytes()
    src = SUITE / folder / "in" / name
    ok = False
    try:
        tm = read(src)
        direct = serialize(tm)
        assert direct == expected, "direct read differs from the baseline"
        via_jtm = serialize(read_jtm_bytes(write_jtm11(tm), tm.base_locator, "roundtrip.jtm"))
        assert via_jtm == expected, "round trip through JTM 1.1 differs from the baseline"
        ok = True
        try:
            xtm = write_xtm21(tm)
        except TopicMapSyntaxError as e:  # e.g. U+0000 in a name: no XML 1.0 document can hold it
            assert e.code == "xml-unrepresentable"
            return
        via_xtm = serialize(read_xtm_bytes(xtm, tm.base_locator, "roundtrip.xtm"))
        ok = via_xtm == expected
        assert ok, "round trip through XTM 2.1 differs from the baseline"
    finally:
        _record(folder, "valid", ok)


@pytest.mark.parametrize("folder,name", list(_invalid_cases()))
def test_invalid_input_is_rejected(folder: str, name: str):
    read = _reader(folder)
    if read is None:
        pytest.skip(f"no {folder} reader yet")
    src = SUITE / folder / "invalid" / name
    ok = False
    try:
        with pytest.raises(TopicMapSyntaxError) as info:
            read(src)
        err = info.value
        assert err.span is not None, "the error must name a file and position"
        # the file is the input or one it includes / merges in
        assert (src.parent / Path(err.span.path).name).exists(), f"{err.span.path} is not a file of the case"
        assert err.span.line >= 1 and err.span.col >= 1
        assert err.message
        ok = True
    finally:
        _record(folder, "invalid", ok)


def test_malformed_xml_reports_its_position(tmp_path: Path):
    f = tmp_path / "bad.xtm"
    f.write_text('<topicMap xmlns="http://www.topicmaps.org/xtm/" version="2.0">\n  <topic id="a">\n</topicMap>\n')
    with pytest.raises(TopicMapSyntaxError) as info:
        read_xtm(f)
    assert (info.value.span.line, info.value.code) == (3, "xml-syntax")


def test_malformed_json_reports_its_position(tmp_path: Path):
    f = tmp_path / "bad.jtm"
    f.write_text('{"version": "1.1",\n "item_type": "topicmap",\n "topics": [,]}\n')
    with pytest.raises(TopicMapSyntaxError) as info:
        read_jtm(f)
    assert (info.value.span.line, info.value.span.col, info.value.code) == (3, 13, "json-syntax")


def test_missing_mergemap_target_is_an_error_at_the_mergemap(tmp_path: Path):
    f = tmp_path / "m.xtm"
    f.write_text(
        '<topicMap xmlns="http://www.topicmaps.org/xtm/" version="2.0">\n  <mergeMap href="nowhere.xtm"/>\n</topicMap>\n'
    )
    with pytest.raises(TopicMapSyntaxError) as info:
        read_xtm(f)
    assert info.value.span.line == 2 and "nowhere.xtm" in info.value.message


def test_unknown_version_is_rejected(tmp_path: Path):
    f = tmp_path / "v.jtm"
    f.write_text('{"version": "2.0", "item_type": "topicmap"}')
    with pytest.raises(TopicMapSyntaxError, match="unknown JTM version"):
        read_jtm(f)
    g = tmp_path / "v.xtm"
    g.write_text('<topicMap xmlns="http://www.topicmaps.org/xtm/" version="3.0"/>')
    with pytest.raises(TopicMapSyntaxError, match="unknown XTM version"):
        read_xtm(g)


def pytest_terminal_summary_lines() -> list[str]:
    """Per-syntax pass counts of this session (printed by the fixture below)."""
    lines = []
    for folder in SYNTAXES:
        parts = []
        for kind in ("valid", "invalid"):
            total = RESULTS[(folder, kind, "total")]
            if total:
                parts.append(f"{kind} {RESULTS[(folder, kind, 'pass')]}/{total}")
        if parts:
            lines.append(f"CXTM {folder}: " + ", ".join(parts))
    return lines


class _TotalsPlugin:
    """Prints the per-syntax totals in pytest's terminal summary (registered by the fixture)."""

    def pytest_terminal_summary(self, terminalreporter):
        lines = pytest_terminal_summary_lines()
        if lines:
            terminalreporter.section("CXTM suite")
            for line in lines:
                terminalreporter.write_line(line)


@pytest.fixture(scope="module", autouse=True)
def _print_totals(request):
    manager = request.config.pluginmanager
    if not manager.has_plugin("cxtm-totals"):
        manager.register(_TotalsPlugin(), "cxtm-totals")
    yield
