"""Real topic maps: every sample of ../shared/topicmaps/samples is imported into a ctxgen map
folder and built into a site with no error (the Opera map is converted on the fly, never kept).

Each imported folder must also give back the input's topic map exactly (same CXTM), and the
only warnings allowed are the ones listed, with the reason they are right.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from ctxgen.api import load_map
from ctxgen.build import BuildOptions, build
from ctxgen.diagnostics import Diagnostics
from ctxgen.interchange.commands import detect_syntax, import_map, read_map
from ctxgen.interchange.cxtm import serialize

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "topicmaps" / "samples"
MAPS = sorted(p for p in SAMPLES.rglob("*") if p.is_file() and detect_syntax(p) is not None)

# inputs no reader can take as they are: (error code) and why that is right
UNREADABLE = {
    "heuer-topicmaps/cablegate/schema.ctm": ("ctm-include", "includes TMCL templates from the web; only local files are read"),
    "heuer-topicmaps/cablegate/stations.ctm": ("ctm-prefix-undeclared", "uses prefix onto: without declaring it (a fragment of a larger map)"),
    "heuer-topicmaps/python/python.ctm": ("ctm-template-undefined", "calls ndh(...) where the map defines nhd: a typo in the source"),
}
# warnings a sample gives, by code and count, and why they are right
EXPECTED_WARNINGS = {
    "ontopia/ItalianOpera.ltm": (Counter({"self-association": 3}),
                                 "three characters are recorded as killed by themselves (killed-by with one player)"),
}


def rel(p: Path) -> str:
    return p.relative_to(SAMPLES).as_posix()


def test_samples_are_present():
    names = {rel(p) for p in MAPS}
    assert {"ontopia/ItalianOpera.ltm", "ontopia/pokemon.ltm", "ontopia/jill.xtm", "ontopia/tm-standards.xtm",
            "ontopia/xmltools-tm.xtm", "tinytim/pokemon.ctm"} <= names
    assert set(UNREADABLE) <= names


@pytest.mark.parametrize("src", MAPS, ids=rel)
def test_sample_imports_and_builds(src: Path, tmp_path: Path):
    name = rel(src)
    diags = Diagnostics()
    map_dir = tmp_path / "map"
    rc = import_map(src, map_dir, diags)
    if name in UNREADABLE:
        assert rc == 1 and [d.code for d in diags.errors] == [UNREADABLE[name][0]]
        return
    assert rc == 0 and not diags.errors, [d.format() for d in diags.errors]

    result = build(BuildOptions(map_dir, out_dir=tmp_path / "site", jobs=1, use_cache=False))
    errors = [d.format() for d in result.diagnostics.errors]
    assert errors == []
    warnings = Counter(d.code for d in result.diagnostics.warnings)
    assert warnings == EXPECTED_WARNINGS.get(name, (Counter(), ""))[0]
    assert result.written and (tmp_path / "site" / "index.html").is_file()
    if name == "ontopia/ItalianOpera.ltm":
        check_opera_site(result, tmp_path / "site")

    # the folder holds the input's topic map, nothing more, nothing less
    direct = read_map(src, detect_syntax(src), Diagnostics())
    assert serialize(load_map(map_dir).topic_map) == serialize(direct)


def _text(html: str) -> str:
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def check_opera_site(result, site: Path) -> None:
    """Composers, operas, librettists, places, premieres, arias: typed topics with real names."""
    tm = result.topic_map
    for type_id in ("composer", "opera", "librettist", "city", "aria"):
        instances = tm.instances_of(type_id)
        assert len(instances) >= 5, type_id
        assert all(tm[i].name != i for i in instances), type_id
    assert sum(a.type == "premiere" for a in tm.associations) >= 50
    page = _text((site / "puccini" / "index.html").read_text(encoding="utf-8"))
    for text in ("Puccini, Giacomo", "Composer", "Tosca", "Lucca"):
        assert text in page
    # [born-in = "Born in" = "Birthplace of" / place]: the role-scoped name is the place's reading
    assert "Relations Born in Lucca" in page
    assert "Relations Birthplace of Catalani, Alfredo Puccini, Giacomo" in _text((site / "lucca" / "index.html").read_text(encoding="utf-8"))
