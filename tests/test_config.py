"""Reading ctxgen.yaml (ctxgen.configload)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ctxgen.config import AssociationType, Config, OccurrenceType, RoleType, Schema, TopicType
from ctxgen.configload import load_config
from ctxgen.diagnostics import Diagnostics
from ctxgen.model import DATATYPES

AUTHORING = Path(__file__).resolve().parents[1] / "docs" / "authoring.md"
REPO_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "invalid"


def load(tmp_path: Path, text: str | bytes) -> tuple[Config, list[str]]:
    data = text.encode() if isinstance(text, str) else text
    (tmp_path / "ctxgen.yaml").write_bytes(data)
    diags = Diagnostics()
    config = load_config(tmp_path, diags)
    return config, "\n".join(d.format() for d in diags.sorted()).splitlines()


def test_missing_file_gives_defaults(tmp_path):
    diags = Diagnostics()
    assert load_config(tmp_path, diags) == Config() and len(diags) == 0


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n", "~\n"])
def test_empty_file_gives_defaults(tmp_path, text):
    assert load(tmp_path, text) == (Config(), [])


def test_the_documented_example_loads(tmp_path):
    example = re.search(r"## ctxgen.yaml\n\n```yaml\n(.*?)```", AUTHORING.read_text(), re.S).group(1)
    config, problems = load(tmp_path, example)
    assert problems == []
    assert config.title == "Computing pioneers"
    assert config.base_url == "https://user.github.io/repo/"
    assert config.exclude == ["drafts/**"] and config.allow_html is False
    schema = config.schema
    assert schema.topic_types["person"] == TopicType("person", "Person", "#e4572e")
    assert schema.association_types["wrote"] == AssociationType(
        "wrote", "wrote", ["author", "work"], {"author": "wrote", "work": "written by"})
    assert schema.association_types["collaborated-with"].roles == ["collaborator", "collaborator"]
    assert schema.role_types["author"] == RoleType("author", "Author")
    assert schema.occurrence_types["born"] == OccurrenceType("born", "Born", DATATYPES["date"])


def test_every_setting(tmp_path, monkeypatch):
    import ctxgen.site_templates

    monkeypatch.setattr(ctxgen.site_templates, "find_theme", lambda name: tmp_path if name == "dark" else None)
    config, problems = load(tmp_path, (
        "title: T\ndescription: D\nbase_url: http://example.org/x\nlanguage: de\ntheme: dark\n"
        "allow_html: true\nexclude: ['a/**', '*.tmp']\nmax_file_bytes: 5000\nextra: {github: me, n: [1]}\n"
        "schema:\n  topic_types:\n    plain:\n  occurrence_types:\n    iri: {datatype: 'http://example.org/dt'}\n"))
    assert problems == []
    assert config == Config(
        title="T", description="D", base_url="http://example.org/x/", language="de", theme="dark",
        allow_html=True, exclude=["a/**", "*.tmp"], max_file_bytes=5000, extra={"github": "me", "n": [1]},
        schema=Schema(topic_types={"plain": TopicType("plain")},
                      occurrence_types={"iri": OccurrenceType("iri", datatype="http://example.org/dt")}))


def test_base_url_gets_its_trailing_slash_and_needs_a_scheme(tmp_path):
    assert load(tmp_path, "base_url: https://a.example/repo\n")[0].base_url == "https://a.example/repo/"
    assert load(tmp_path, "base_url: https://a.example/\n")[0].base_url == "https://a.example/"
    config, problems = load(tmp_path, "title: x\nbase_url: a.example/repo\n")
    assert config.base_url == "" and config.title == "x"
    assert problems == [
        "ctxgen.yaml:2:11: error[config-value]: Config value 'base_url': 'a.example/repo' is not an absolute URL",
        "  hint: write it with its scheme, e.g. https://user.github.io/repo/",
    ]


@pytest.mark.parametrize("text, line", [
    ("title: [a]\n", "ctxgen.yaml:1:8: error[config-type]: Config value 'title': expected a string"),
    ("title: 2024\n", "ctxgen.yaml:1:8: error[config-type]: Config value 'title': expected a string"),
    ("exclude: drafts\n", "ctxgen.yaml:1:10: error[config-type]: Config value 'exclude': expected a list of strings"),
    ("exclude: [a, 1]\n", "ctxgen.yaml:1:10: error[config-type]: Config value 'exclude': expected a list of strings"),
    ("allow_html: 'yes'\n", "ctxgen.yaml:1:13: error[config-type]: Config value 'allow_html': expected true or false"),
    ("max_file_bytes: true\n",
     "ctxgen.yaml:1:17: error[config-type]: Config value 'max_file_bytes': expected a positive whole number of bytes"),
    ("extra: [1]\n", "ctxgen.yaml:1:8: error[config-type]: Config value 'extra': expected a mapping"),
    ("schema:\n  topic_types: [person]\n",
     "ctxgen.yaml:2:16: error[config-type]: Config value 'schema.topic_types': expected a mapping"),
    ("schema:\n  role_types:\n    author: Author\n",
     "ctxgen.yaml:3:13: error[config-type]: Config value 'schema.role_types.author': expected a mapping"),
])
def test_wrong_types_name_the_key(tmp_path, text, line):
    config, problems = load(tmp_path, text)
    assert problems[0] == line
    assert config == Config()  # the bad key keeps its default


def test_association_type_checks(tmp_path):
    config, problems = load(tmp_path, "schema:\n  association_types:\n    w: {roles: []}\n"
                                      "    r: {roles: [a, b], reading: {a: x, c: y, b: [z]}}\n")
    assert problems == [
        "ctxgen.yaml:3:16: error[config-type]: Config value 'schema.association_types.w.roles': "
        "expected a non-empty list of role types",
        "ctxgen.yaml:4:40: error[config-value]: Config value 'schema.association_types.r.reading.c': "
        "'c' is not one of the roles (a, b)",
        "ctxgen.yaml:4:49: error[config-type]: Config value 'schema.association_types.r.reading.b': expected a string",
    ]
    assert config.schema.association_types == {
        "w": AssociationType("w"), "r": AssociationType("r", roles=["a", "b"], reading={"a": "x"})}


def test_unknown_keys_warn_with_a_suggestion(tmp_path):
    config, problems = load(tmp_path, "titel: x\nzzz: 1\nschema:\n  topic_type: {}\n")
    assert problems == [
        "ctxgen.yaml:1:1: warning[config-unknown-key]: Config value 'titel': unknown key, did you mean 'title'?",
        "ctxgen.yaml:2:1: warning[config-unknown-key]: Config value 'zzz': unknown key",
        "  hint: put your own settings under 'extra:'",
        "ctxgen.yaml:4:3: warning[config-unknown-key]: Config value 'schema.topic_type': unknown key, "
        "did you mean 'topic_types'?",
    ]
    assert config == Config()


def test_yaml_errors_are_reported_and_defaults_used(tmp_path):
    config, problems = load(tmp_path, "title: a\n  bad: indent\n")
    assert config == Config()
    assert problems[0].startswith("ctxgen.yaml:2:6: error[yaml-syntax]: YAML syntax error: mapping values are not allowed here")


def test_top_level_must_be_a_mapping(tmp_path):
    assert load(tmp_path, "- a\n- b\n")[1] == [
        "ctxgen.yaml:1:1: error[config-not-mapping]: ctxgen.yaml must be a mapping of settings (key: value lines)"]


def test_bom_crlf_and_bad_encoding(tmp_path):
    assert load(tmp_path, b"\xef\xbb\xbftitle: T\r\nlanguage: fr\r\n")[0].language == "fr"
    config, problems = load(tmp_path, b"title: Caf\xe9\n")
    assert config == Config()
    assert problems[0] == "ctxgen.yaml:1:11: error[encoding]: not valid UTF-8: byte 0xE9 cannot be read"


def test_an_unknown_theme_points_at_the_theme_value(tmp_path):
    (tmp_path / "ctxgen.yaml").write_text("title: T\n\ntheme:   fancy  # mine\n")
    diags = Diagnostics()
    config = load_config(tmp_path, diags)
    assert [d.format() for d in diags.items] == [
        "ctxgen.yaml:3:10: error[theme-unknown]: Config value 'theme': unknown theme 'fancy'; available: default\n"
        "  hint: remove the key to use the default theme"]
    assert config.theme == "default"  # reported once here; the renderer has nothing to add
    assert config.span_of("theme").line == 3 and config.span_of("title").line == 1
    assert str(config.span_of("no-such-key")) == "ctxgen.yaml:1:1"


def test_an_installed_theme_is_accepted_and_spans_cover_list_items(tmp_path):
    (tmp_path / "ctxgen.yaml").write_text("theme: default\nexclude:\n  - a/**\n  - '[z-a]'\n")
    diags = Diagnostics()
    config = load_config(tmp_path, diags)
    assert diags.items == [] and config.theme == "default"
    assert [str(config.span_of(k)) for k in ("exclude", "exclude[0]", "exclude[1]", "exclude[9]")] == [
        "ctxgen.yaml:3:3", "ctxgen.yaml:3:5", "ctxgen.yaml:4:5", "ctxgen.yaml:3:3"]


def test_every_config_diagnostic_names_its_key_and_points_at_it(tmp_path):
    """Checklist row 47: one line per key, "Config value 'x': ...", at that key or its value."""
    text = (REPO_FIXTURES / "config-bad-values" / "map" / "ctxgen.yaml").read_text() + "theme: fancy\nmap: {tiles: x, max_zoom: 99}\n"
    (tmp_path / "ctxgen.yaml").write_text(text)
    diags = Diagnostics()
    load_config(tmp_path, diags)
    lines = text.split("\n")
    assert len(diags.items) == 12
    for d in diags.items:
        key = re.match(r"Config value '([^']+)': ", d.message).group(1)
        last = key.rsplit(".", 1)[-1]
        line = lines[d.span.line - 1]
        at_key = line.startswith(last, d.span.col - 1)
        at_value = re.search(rf"(^|[{{ ,]){re.escape(last)}: *$", line[:d.span.col - 1]) is not None
        assert at_key or at_value, d.format()


def test_a_topic_types_colour_and_shape_are_checked_at_their_value(tmp_path):
    config, problems = load(tmp_path, "schema:\n  topic_types:\n"
                            "    a: {color: '#12345', shape: circle}\n"
                            "    b: {color: notacolour}\n"
                            "    c: {color: 'red;}</style>'}\n"
                            "    d: {color: '#AbC', shape: triangleDown}\n"
                            "    e: {color: Teal}\n"
                            "    f: {color: ' #a0b1c2 ', shape: star}\n")
    hint = "  hint: write #rrggbb, #rgb or a CSS colour name such as teal"
    assert problems == [
        "ctxgen.yaml:3:16: error[config-value]: Config value 'schema.topic_types.a.color': '#12345' is not a colour", hint,
        "ctxgen.yaml:3:33: error[config-value]: Config value 'schema.topic_types.a.shape': unknown shape 'circle'",
        "  hint: use one of diamond, dot, hexagon, square, star, triangle, triangleDown",
        "ctxgen.yaml:4:16: error[config-value]: Config value 'schema.topic_types.b.color': 'notacolour' is not a colour", hint,
        "ctxgen.yaml:5:16: error[config-value]: Config value 'schema.topic_types.c.color': 'red;}</style>' is not a colour", hint,
    ]
    types = config.schema.topic_types
    assert (types["a"].color, types["a"].shape, types["b"].color, types["c"].color) == (None, None, None, None)
    assert (types["d"].color, types["d"].shape, types["e"].color, types["f"].shape) == ("#AbC", "triangleDown", "Teal", "star")
