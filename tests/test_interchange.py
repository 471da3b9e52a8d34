"""convert / import_map / export_files (ctxgen.interchange.commands) and the locator resolver."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, strategies as st

from ctxgen.diagnostics import Diagnostics
from ctxgen.interchange import commands
from ctxgen.interchange.cxtm import serialize
from ctxgen.interchange.jtm import read_jtm_bytes
from ctxgen.interchange.locators import resolve
from ctxgen.interchange.xtm import read_xtm, read_xtm_bytes

SHARED = Path(__file__).resolve().parents[2] / "shared" / "topicmaps"
XTM2 = SHARED / "cxtm" / "xtm2"


def test_convert_to_cxtm_file_matches_the_baseline(tmp_path: Path):
    out = tmp_path / "out.cxtm"
    diags = Diagnostics()
    assert commands.convert(XTM2 / "in" / "association.xtm", out, None, None, diags) == 0
    assert not diags.items
    # CXTM locators are relative to the document read, so the bytes equal the suite's baseline
    assert out.read_bytes() == (XTM2 / "baseline" / "association.xtm.cxtm").read_bytes()


def test_convert_writes_stdout_when_no_output(capsysbinary):
    diags = Diagnostics()
    assert commands.convert(XTM2 / "in" / "name.xtm", None, "jtm", None, diags) == 0
    out = capsysbinary.readouterr().out
    tm = read_jtm_bytes(out, (XTM2 / "in" / "name.xtm").resolve().as_uri())
    assert serialize(tm) == (XTM2 / "baseline" / "name.xtm.cxtm").read_bytes()


def test_convert_bad_input_is_a_diagnostic_not_a_traceback(tmp_path: Path):
    bad = tmp_path / "bad.xtm"
    bad.write_text("<topicMap")
    diags = Diagnostics()
    assert commands.convert(bad, None, "cxtm", None, diags) == 1
    [d] = diags.items
    assert d.code == "xml-syntax" and d.span.path == str(bad) and d.span.line == 1


def test_convert_unknown_syntaxes(tmp_path: Path):
    diags = Diagnostics()
    assert commands.convert(tmp_path / "x.txt", None, None, None, diags) == 1
    assert commands.convert(XTM2 / "in" / "name.xtm", None, "rdf", None, diags) == 1
    assert [d.code for d in diags.items] == ["syntax-unknown", "syntax-unknown"]


def test_export_files_round_trip():
    tm = read_xtm(XTM2 / "in" / "variant-reifier.xtm")
    files = commands.export_files(tm)
    assert set(files) == {"map.xtm", "map.jtm"}
    expected = serialize(tm)
    assert serialize(read_xtm_bytes(files["map.xtm"], tm.base_locator)) == expected
    assert serialize(read_jtm_bytes(files["map.jtm"], tm.base_locator)) == expected


def test_import_map_writes_a_folder_the_modeler_reads(tmp_path: Path):
    from ctxgen.api import load_map

    diags = Diagnostics()
    target = tmp_path / "jill"
    assert commands.import_map(SHARED / "samples" / "ontopia" / "jill.xtm", target, diags) == 0, diags.items
    jill = yaml.safe_load((target / "jill.md").read_text().split("---\n")[1])
    assert jill["title"] == "Jill Hacker" and jill["types"] == ["developer"]
    # the reified employment association is one association file that is its reifier topic
    fm = yaml.safe_load((target / "associations" / "jill-ontopia-topic.md").read_text().split("---\n")[1])
    assert fm["association"] == "employment" and fm["roles"] == {"employee": "jill", "employer": "ontopia"}
    assert fm["title"] == "Jill's position with Ontopia"
    config = yaml.safe_load((target / "ctxgen.yaml").read_text())
    assert config["schema"]["association_types"]["employment"]["roles"] == ["employee", "employer"]
    result = load_map(target)
    assert not result.diagnostics.errors, [d.format() for d in result.diagnostics.errors]
    jill_topic = result.topic_map.get("jill")
    assert jill_topic is not None and jill_topic.name == "Jill Hacker"


def test_import_map_refuses_a_folder_with_markdown(tmp_path: Path):
    (tmp_path / "a.md").write_text("# A\n")
    diags = Diagnostics()
    assert commands.import_map(XTM2 / "in" / "name.xtm", tmp_path, diags) == 1
    assert diags.items[0].code == "import-target-not-empty"


# --- RFC 3986 resolution -------------------------------------------------------------------
@pytest.mark.parametrize(
    "ref,expected",
    [("g", "http://a/b/c/g"), ("../g", "http://a/b/g"), ("../../../g", "http://a/g"), ("?y", "http://a/b/c/d;p?y"),
     ("#s", "http://a/b/c/d;p?q#s"), ("//g", "http://g"), ("g;x=1/../y", "http://a/b/c/y"), ("", "http://a/b/c/d;p?q"),
     ("urn:x:y", "urn:x:y"), ("g#s/../x", "http://a/b/c/g#s/../x")],
)
def test_resolve_rfc3986_examples(ref: str, expected: str):
    assert resolve("http://a/b/c/d;p?q", ref) == expected


_seg = st.text(alphabet="abc.", min_size=0, max_size=4)


@given(st.lists(_seg, max_size=5))
def test_resolved_paths_have_no_dot_segments(segments: list[str]):
    out = resolve("http://h/x/y", "z/" + "/".join(segments))  # "z/" keeps it a relative-path reference
    path = out[len("http://h"):]
    assert all(s not in (".", "..") for s in path.split("/"))
    assert out.startswith("http://h/")


# --- drafts never leave in an export (checklist row 28) --------------------------------------

DRAFT_MAP = {
    "pub.md": "---\ntitle: Published\nassociations:\n  - type: likes\n    roles: {liker: pub, liked: secret}\n---\n"
              "See [[secret]].\n",
    "secret.md": "---\ntitle: Secret Draft\ndraft: true\naliases: [Hidden Alias]\noccurrences:\n  homepage: https://hidden.example/\n"
                 "associations:\n  - type: mentors\n    roles: {mentor: secret, pupil: pub}\n---\nHidden body.\n",
    "associations/collab.md": "---\nassociation: collaborates\ndraft: true\nroles: {a: pub, b: outsider}\n---\n",
    "note.md": "---\noccurrence: remark\ntopic: pub\ndraft: true\n---\nHidden note.\n",
}
DRAFT_CONTENT = ("Secret Draft", "Hidden Alias", "hidden.example", "Hidden body", "Hidden note")  # what drafts say
# (bodies are not exported at all; the others are, with --drafts)
DRAFT_TRACES = ("secret", "mentors", "collaborates", "outsider")  # what only a draft brings into the map


def _draft_map(tmp_path: Path) -> Path:
    root = tmp_path / "m"
    for rel, text in DRAFT_MAP.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _exports(tmp_path: Path, drafts: bool) -> dict[str, str]:
    """map.xtm and map.jtm of a real build, and every `convert` of the folder."""
    from ctxgen.build import BuildOptions, build

    root = _draft_map(tmp_path)
    out = tmp_path / ("site-drafts" if drafts else "site")
    result = build(BuildOptions(map_dir=root, out_dir=out, drafts=drafts, jobs=1, use_cache=False))
    assert result.written, [d.format() for d in result.diagnostics.errors]
    files = {name: (out / name).read_text() for name in ("map.xtm", "map.jtm")}
    for to in ("xtm", "jtm", "cxtm"):
        target = tmp_path / f"convert-{drafts}.{to}"
        diags = Diagnostics()
        assert commands.convert(root, target, to, None, diags, drafts=drafts) == 0, [d.format() for d in diags.items]
        files[f"convert.{to}"] = target.read_text()
    return files


def test_a_draft_says_nothing_in_any_export(tmp_path: Path):
    for name, text in _exports(tmp_path, drafts=False).items():
        assert [s for s in DRAFT_CONTENT if s in text] == [], name


def test_a_draft_leaves_no_trace_in_any_export(tmp_path: Path):
    """Not its id either: the associations it plays in, hosts or reifies are left out with it."""
    for name, text in _exports(tmp_path, drafts=False).items():
        assert [s for s in DRAFT_TRACES if s in text] == [], name


def test_with_drafts_the_exports_have_them(tmp_path: Path):
    for name, text in _exports(tmp_path, drafts=True).items():
        if name != "convert.cxtm":  # CXTM numbers topics and has no item identifiers of ours
            assert [s for s in DRAFT_CONTENT + DRAFT_TRACES if s not in text and s != "Hidden body"] == [], name


def test_convert_of_a_map_with_errors_fails(tmp_path: Path):
    root = tmp_path / "m"
    root.mkdir()
    (root / "a.md").write_text("---\ntitle: [open\n---\n")
    diags = Diagnostics()
    assert commands.convert(root, tmp_path / "out.xtm", None, None, diags) == 1
    assert [d.code for d in diags.errors] == ["yaml-syntax"] and not (tmp_path / "out.xtm").exists()
