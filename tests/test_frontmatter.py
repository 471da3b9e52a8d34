"""Front matter splitting and YAML with positions (ctxgen.frontmatter, ctxgen.yamlpos)."""
from __future__ import annotations

import datetime
import pickle

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ctxgen.diagnostics import Severity, Span
from ctxgen.frontmatter import find_front_matter, normalise_newlines, parse
from ctxgen.yamlpos import PosDict, PosList, load_yaml


def lines(diagnostics) -> list[str]:
    return "\n".join(d.format() for d in diagnostics).splitlines()


# -- splitting ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, yaml_text, body, body_line", [
    ("---\ntitle: A\n---\nBody\n", "title: A\n", "Body\n", 4),
    ("---\n---\n", "", "", 3),
    ("---\n---", "", "", 3),
    ("---\ntitle: A\n...\nBody", "title: A\n", "Body", 4),
    ("---  \ntitle: A\n--- \t\n\nBody", "title: A\n", "\nBody", 4),
    ("---\na: |\n  x\n  ---not a fence\n---\n", "a: |\n  x\n  ---not a fence\n", "", 6),
    ("---\na: 1\n----\nb: 2\n---\nrest", "a: 1\n----\nb: 2\n", "rest", 6),
])
def test_front_matter_is_found(text, yaml_text, body, body_line):
    assert find_front_matter(text) == (yaml_text, len(text) - len(body), body_line)


@pytest.mark.parametrize("text", ["", "Body", "\n---\na: 1\n---\n", "----\na: 1\n----\n", "--- a\n---\n", " ---\n---\n"])
def test_no_front_matter_unless_line_1_is_a_fence(text):
    assert find_front_matter(text) is None
    parsed = parse(text, "a.md")
    assert (parsed.front, parsed.body, parsed.body_line, parsed.diagnostics, parsed.failed) == (None, text, 1, [], False)


@pytest.mark.parametrize("text", ["---", "---\n", "---\ntitle: x\n", "---\ntitle: x\n-- -\n"])
def test_unclosed_front_matter(text):
    assert find_front_matter(text) is False
    parsed = parse(text, "a.md")
    assert parsed.failed and parsed.front is None
    assert lines(parsed.diagnostics) == [
        "a.md:1:1: error[frontmatter-unclosed]: front matter not closed",
        "  hint: add a line '---' after the front matter, or remove the '---' on line 1",
    ]


def test_newlines_are_normalised():
    assert normalise_newlines("a\r\nb\rc\nd\r\r\n") == "a\nb\nc\nd\n\n"
    assert normalise_newlines("plain\n") == "plain\n"


def test_empty_block_gives_an_empty_mapping():
    parsed = parse("---\n---\nText\n", "a.md")
    assert parsed.front == {} and isinstance(parsed.front, PosDict)
    assert (parsed.body, parsed.body_line, parsed.failed) == ("Text\n", 3, False)


def test_only_front_matter():
    parsed = parse("---\ntitle: T\n---\n", "a.md")
    assert parsed.front == {"title": "T"} and parsed.body == "" and not parsed.diagnostics


@pytest.mark.parametrize("text, what, where", [
    ("---\n- a\n---\n", "a list", "a.md:2:1"),
    ("---\n\n  # note\n  plain\n---\n", "a single value", "a.md:4:3"),
    ("---\n42\n---\n", "a single value", "a.md:2:1"),
])
def test_top_level_must_be_a_mapping(text, what, where):
    parsed = parse(text, "a.md")
    assert parsed.failed and parsed.front is None
    assert lines(parsed.diagnostics)[0] == f"{where}: error[frontmatter-not-mapping]: front matter must be a mapping, not {what}"


# -- YAML values and positions --------------------------------------------------------------

def test_values_get_the_safe_types():
    value, diags = load_yaml("s: text\ni: 3\nf: 1.5\nb: no\nn: ~\nd: 2024-01-02\n"
                             "t: 2024-01-02T03:04:05Z\nq: '3'\nl: [1, x]\nm: {k: v}\n", "a.md")
    assert diags == []
    assert value == {"s": "text", "i": 3, "f": 1.5, "b": False, "n": None, "d": datetime.date(2024, 1, 2),
                     "t": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
                     "q": "3", "l": [1, "x"], "m": {"k": "v"}}
    assert type(value["l"]) is PosList and type(value["m"]) is PosDict


def test_spans_are_one_based_and_shifted_by_the_offset():
    text = "title: Ada\ntags:\n  - a\n  - b\nnested: {k: v}\n"
    value, _ = load_yaml(text, "p/a.md", line_offset=1)
    assert value.span == Span("p/a.md", 2, 1)
    assert value.key_span("title") == Span("p/a.md", 2, 1)
    assert value.value_span("title") == Span("p/a.md", 2, 8)
    assert value.key_span("tags") == Span("p/a.md", 3, 1)
    assert value["tags"].item_span(0) == Span("p/a.md", 4, 5)
    assert value["tags"].item_span(1) == Span("p/a.md", 5, 5)
    assert value["nested"].key_span("k") == Span("p/a.md", 6, 10)
    assert value["nested"].value_span("k") == Span("p/a.md", 6, 13)
    assert value.key_span("missing") == value.span  # falls back to the container
    assert value["tags"].item_span(9) == value["tags"].span


def test_columns_count_characters_not_bytes():
    value, _ = load_yaml("ünïcødé: ♪ x\nb: 1\n", "a.md")
    assert value.value_span("ünïcødé") == Span("a.md", 1, 10)


def test_pickling_keeps_values_and_spans():
    value, _ = load_yaml("a: [1, {b: 2}]\nc: x\n", "a.md", 1)
    copy = pickle.loads(pickle.dumps(value))
    assert copy == value and type(copy) is PosDict and type(copy["a"]) is PosList
    assert copy.value_span("c") == Span("a.md", 3, 4)
    assert copy["a"].item_span(1) == Span("a.md", 2, 8)
    assert copy["a"][1].key_span("b") == Span("a.md", 2, 9)


def test_duplicate_keys_warn_at_the_second_and_keep_the_last():
    value, diags = load_yaml("title: A\ntags: []\ntitle: B\n", "a.md", 1)
    assert value["title"] == "B" and value.key_span("title") == Span("a.md", 4, 1)
    assert lines(diags) == ["a.md:4:1: warning[duplicate-key]: duplicate key 'title' (first on line 2); the last one is used",
                            "  hint: remove one of them"]


@pytest.mark.parametrize("text, code, message", [
    ("x: !!python/object/apply:os.system [ls]\n", "yaml-unsafe-tag",
     "unsafe YAML tag '!!python/object/apply:os.system' rejected"),
    ("x: !!python/name:os.system\n", "yaml-unsafe-tag", "unsafe YAML tag '!!python/name:os.system' rejected"),
    ("x: !local v\n", "yaml-unknown-tag", "unsupported YAML tag '!local'"),
    ("x: !<tag:example.org,2024:t> v\n", "yaml-unknown-tag", "unsupported YAML tag 'tag:example.org,2024:t'"),
])
def test_unsafe_and_unknown_tags_are_errors(text, code, message):
    _, diags = load_yaml(text, "a.md", 1)
    assert [(d.severity, d.code, d.message, d.span) for d in diags] == [(Severity.ERROR, code, message, Span("a.md", 2, 4))]


def test_standard_explicit_tags_are_fine():
    value, diags = load_yaml("a: !!str 12\nb: !!int '7'\nc: !!set {x, y}\nd: !!binary aGk=\n", "a.md")
    assert diags == [] and value == {"a": "12", "b": 7, "c": {"x": None, "y": None}, "d": b"hi"}


def test_a_value_that_cannot_be_constructed_stays_text():
    value, diags = load_yaml("born: 2024-13-45\nn: !!int abc\nok: !!bool maybe\n", "a.md")
    assert value == {"born": "2024-13-45", "n": "abc", "ok": "maybe"}
    assert [d.format().splitlines()[0] for d in diags] == [
        "a.md:1:7: warning[yaml-value]: could not read '2024-13-45' as a date; kept as text",
        "a.md:2:4: warning[yaml-value]: could not read 'abc' as an integer; kept as text",
        "a.md:3:5: warning[yaml-value]: could not read 'maybe' as a boolean; kept as text",
    ]


def test_a_value_too_long_to_quote_is_cut_in_the_message():
    value, diags = load_yaml("n: " + "9" * 5000 + "\n", "a.md")  # more digits than Python reads as an int
    assert value == {"n": "9" * 5000}
    assert [d.format().splitlines()[0] for d in diags] == [
        "a.md:1:4: warning[yaml-value]: could not read '" + "9" * 60 + "…' as an integer; kept as text"]


def test_aliases_share_and_merge_keys_merge():
    value, diags = load_yaml("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\nd: *b\n", "a.md")
    assert diags == []
    assert value["c"] == {"x": 1, "y": 3} and value["d"] is value["base"]
    assert value["c"].key_span("x") == Span("a.md", 1, 11)  # where the merged key was written


def test_billion_laughs_is_linear():
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    value, diags = load_yaml(text, "a.md")
    assert diags == [] and value["i"][0] is value["h"]


def test_recursive_alias_is_an_error_not_a_hang():
    value, diags = load_yaml("a: &x [1, *x]\n", "a.md")
    assert [d.code for d in diags] == ["yaml-recursive"]


def test_non_scalar_key_is_an_error():
    _, diags = load_yaml("? [a, b]\n: v\n", "a.md")
    assert [(d.code, d.span) for d in diags] == [("yaml-key", Span("a.md", 1, 3))]


def test_deep_nesting_is_an_error_not_a_crash():
    _, diags = load_yaml("[" * 2000 + "]" * 2000, "a.md")  # libyaml's own limit, at its bracket
    assert [d.format().split("\n")[0] for d in diags] == [
        "a.md:1:1001: error[yaml-too-deep]: YAML nested more than 100 levels deep"]
    _, diags = load_yaml("a:\n" + "".join("  " * i + "- \n" for i in range(1, 900)), "a.md")
    assert all(d.severity is Severity.ERROR for d in diags)


def nested(levels: int) -> str:
    """Front matter whose mappings nest `levels` deep, the top one included."""
    return "title: d\nextra:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(levels - 2)) + "  " * (levels - 1) + "x: 1\n"


def test_nesting_deeper_than_100_levels_is_one_error_at_the_101st():
    """250 levels read fine but crashed pickling the file (RecursionError): the limit is 100, the
    error at the mapping that starts level 101, in block and flow style, with any line breaks."""
    value, diags = load_yaml(nested(100), "a.md", line_offset=1)
    assert diags == [] and pickle.loads(pickle.dumps(value)) == value
    for text in (nested(101), nested(250)):
        value, diags = load_yaml(text, "a.md", line_offset=1)
        assert [d.format().split("\n")[0] for d in diags] == [
            "a.md:103:201: error[yaml-too-deep]: YAML nested more than 100 levels deep"]
    _, diags = load_yaml("extra: " + "[" * 250 + "]" * 250 + "\n", "a.md")
    assert [(d.code, d.span.line, d.span.col) for d in diags] == [("yaml-too-deep", 1, 107)]
    _, diags = load_yaml("a: \u2028\n" + nested(250), "a.md")  # the Python composer
    assert [(d.code, d.span.line) for d in diags] == [("yaml-too-deep", 103)]
    parsed = parse("---\n" + nested(250) + "---\nbody\n", "a.md")
    assert parsed.failed and parsed.front is None


@pytest.mark.parametrize("text, where, message, snippet", [
    ("title: a: b\n", "a.md:2:9", "mapping values are not allowed here", ["    title: a: b", "            ^"]),
    ("a: 1\n\tb: 2\n", "a.md:3:1",
     "while scanning for the next token, found character '\\t' that cannot start any token", ["     b: 2", "    ^"]),
    ("tags:\n  - a\n - b\n", "a.md:4:2",
     "while parsing a block mapping, expected <block end>, but found '<block sequence start>'", ["     - b", "     ^"]),
    ('title: "open\n', "a.md:2:8", "while scanning a quoted scalar, found unexpected end of stream",
     ['    title: "open', "           ^"]),
])
def test_syntax_errors_point_at_the_file_position_with_a_caret(text, where, message, snippet):
    value, diags = load_yaml(text, "a.md", line_offset=1)
    assert value is None
    out = lines(diags)
    assert out[0] == f"{where}: error[yaml-syntax]: YAML syntax error: {message}"
    assert out[2:] == snippet


# Flow collections: PyYAML's problem mark is where it gave up (often the next key's ':'),
# its context mark is the '[' or '{' that was never closed; the diagnostic points at the latter.
@pytest.mark.parametrize("text, where, message, advice", [
    ("title: A\ntags: [a, b\nname: x\n", "a.md:3:7",
     "while parsing a flow sequence, expected ',' or ']', but got ':' (on line 4)", "this '[' is never closed"),
    ("title: A\ntags: [a, b\n", "a.md:3:7",
     "while parsing a flow sequence, expected ',' or ']', but got '<stream end>'", "this '[' is never closed"),
    ("title: A\ntags: [a,\n  b,\n  c\nname: x\n", "a.md:3:7",
     "while parsing a flow sequence, expected ',' or ']', but got ':' (on line 6)", "this '[' is never closed"),
    ("x: 1\nextra: {a: 1, b: 2\nname: x\n", "a.md:3:8",
     "while parsing a flow mapping, expected ',' or '}', but got ':' (on line 4)", "this '{' is never closed"),
    ("x: 1\nextra: {a: 1\n", "a.md:3:8",
     "while parsing a flow mapping, expected ',' or '}', but got '<stream end>'", "this '{' is never closed"),
    ("title: A\naliases: [x, y]]\nname: z\n", "a.md:3:16",
     "while parsing a block mapping, expected <block end>, but found ']'", "an extra ']' here"),
    ("title: A\nextra: {a: 1}}\n", "a.md:3:14",
     "while parsing a block mapping, expected <block end>, but found '}'", "an extra '}' here"),
    ("title: A\ntags: [a, {b: 1]\nx: 1\n", "a.md:3:16",
     "while parsing a flow mapping, expected ',' or '}', but got ']'", "check the YAML near here"),
])
def test_flow_collection_errors_point_at_the_culprit(text, where, message, advice):
    _, diags = load_yaml(text, "a.md", line_offset=1)
    out = lines(diags)
    assert out[0] == f"{where}: error[yaml-syntax]: YAML syntax error: {message}"
    assert out[1].startswith(f"  hint: {advice}")
    line, col = map(int, where.split(":")[1:])
    assert out[2:] == ["    " + text.split("\n")[line - 2], " " * (4 + col - 1) + "^"]


def test_syntax_error_snippet_is_a_window_on_long_lines():
    text = "title: " + "x" * 200 + ": y\n"
    _, diags = load_yaml(text, "a.md")
    caret_line = diags[0].hint.split("\n")[-1]
    shown = diags[0].hint.split("\n")[-2]
    assert len(shown) <= 84 and shown[len(caret_line) - 1] == ":"


# Property: for any plain data, load_yaml agrees with PyYAML's safe_load and each key's span
# points at that key's text.
_keys = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=8)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12),
                     st.floats(allow_nan=False, allow_infinity=False))
_data = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
                     max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_keys, _data, min_size=1, max_size=5), st.booleans())
def test_agrees_with_safe_load_and_key_spans_point_at_keys(data, flow):
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True, width=10_000)
    value, diags = load_yaml(text, "a.md")
    assert diags == []
    assert value == yaml.safe_load(text)
    text_lines = text.split("\n")
    for key in value:
        span = value.key_span(key)
        rest = text_lines[span.line - 1][span.col - 1:]
        assert rest.startswith((yaml.safe_dump(key, allow_unicode=True, width=10_000).split("\n")[0],
                                key[:1], "'", '"', "?"))


def test_source_text_keeps_what_was_written_for_non_text_scalars():
    value, _ = load_yaml("title: no\nn: 1.50\nd: 2024-01-02\ne:\nz: ~\ns: text\nq: 'no'\nl: [yes, x, 010]\n", "a.md")
    value = pickle.loads(pickle.dumps(value))
    assert {k: value.source_text(k) for k in value} == {
        "title": "no", "n": "1.50", "d": "2024-01-02", "e": None, "z": "~", "s": None, "q": None, "l": None}
    assert [value["l"].source_text(i) for i in range(3)] == ["yes", None, "010"]
    assert value["l"][2] == 8  # YAML 1.1 octal: exactly why the written text matters


@pytest.mark.parametrize("front, where", [
    ("title: Notes #draft", [("a.md:2:14", "title", "Notes")]),
    ("title: Notes\t#draft", [("a.md:2:14", "title", "Notes")]),
    ("name: C# #lang", [("a.md:2:10", "name", "C#")]),
    ("x: 1\naliases:\n  - C# #lang\n  - 'ok #1'\n  - b  # c", [("a.md:4:8", "aliases[0]", "C#"),
                                                           ("a.md:6:8", "aliases[2]", "b")]),
    ("aliases: one #two", [("a.md:2:14", "aliases", "one")]),
    ("title: 'Notes' #draft", []),  # quoted: the author chose where the value ends
    ('title: "Notes #draft"', []),
    ("title: Notes#draft", []),  # no space before '#': part of the value, nothing is cut
    ("title: >\n  Notes #draft", []),  # block scalar: '#' is text
    ("aliases: [a, b] # c", []),  # the comment follows the list, not a value
    ("type: person # c\ndraft: true # c\nborn: 1815 # c\ntags: [x] # c", []),  # not text fields
])
def test_a_comment_that_cuts_a_text_value_warns_at_the_hash(front, where):
    parsed = parse(f"---\n{front}\n---\n", "a.md")
    got = [d for d in parsed.diagnostics if d.code == "yaml-comment-in-value"]
    assert [(str(d.span), d.severity) for d in got] == [(w, Severity.WARNING) for w, _, _ in where]
    for d, (_, key, value) in zip(got, where):
        assert d.message.startswith(f"{key}: YAML read '#")
        assert d.message.endswith(f"so the value is cut to {value!r}")
        assert "quote the value" in d.hint
    assert parsed.diagnostics == got  # nothing else to say about these
