"""Link and reference resolution (docs/authoring.md, "Links in bodies")."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ctxgen.ids import topic_id_for_path
from ctxgen.links import Resolver


def resolver(paths, names=None, assets=(), failed=()):
    names = names or {}
    return Resolver(
        [(topic_id_for_path(p), p, names.get(p, [])) for p in paths],
        assets,
        failed,
    )


FILES = ["index.md", "people/Ada Lovelace.md", "people/charles.md", "places/charles.md", "a/b/note.md", "folder/index.md"]


def test_exact_id_then_paths():
    r = resolver(FILES)
    assert r.resolve("people/ada-lovelace").topic == "people/ada-lovelace"
    assert r.resolve("people/ada-lovelace").step == "id"
    assert r.resolve("People/Ada Lovelace.md").topic == "people/ada-lovelace"
    assert r.resolve("people/ada lovelace").step == "path"


def test_relative_paths_for_markdown_links_and_dot_prefixes():
    r = resolver(FILES)
    assert r.resolve("charles.md", "places/london.md", markdown_link=True).topic == "places/charles"
    assert r.resolve("../people/charles.md", "places/london.md", markdown_link=True).topic == "people/charles"
    assert r.resolve("./charles", "people/x.md").topic == "people/charles"
    assert not r.resolve("./nothing", "people/x.md").resolved


def test_file_name_and_path_suffix():
    r = resolver(FILES)
    assert r.resolve("note").topic == "a/b/note"
    assert r.resolve("b/note").topic == "a/b/note"
    assert not r.resolve("c/note").resolved
    assert r.resolve("Ada Lovelace").step == "file-name"


def test_a_file_name_as_written_beats_a_path_that_matches_only_with_spaces_as_hyphens():
    """Obsidian: [[Space Note]] is 'folderX/Space Note.md', not 'space-note.md'; with no file of
    that name, spaces still read as hyphens (Quartz's slugs)."""
    r = resolver(["space-note.md", "folderX/Space Note.md", "other-note.md", "a/Some-Thing.md"])
    assert (r.resolve("Space Note").topic, r.resolve("Space Note").step) == ("folderx/space-note", "file-name")
    assert r.resolve("space-note").topic == "space-note"
    assert r.resolve("Space-Note").topic == "space-note"
    assert (r.resolve("Other Note").topic, r.resolve("Other Note").step) == ("other-note", "path")
    assert r.resolve("Some Thing").topic == "a/some-thing"
    two = resolver(["notes/Space Note.md", "other/space-note.md"])  # two file names: not ambiguous
    assert (two.resolve("Space Note").topic, two.resolve("Space Note").ambiguous) == ("notes/space-note", False)
    assert two.resolve("space-note").topic == "other/space-note"
    assert resolver(["a/x y.md", "b/x y.md"]).resolve("x y").ambiguous  # both as written: still ambiguous


def test_folder_names_its_index():
    r = resolver(FILES)
    assert r.resolve("folder").topic == "folder"
    assert r.resolve("folder/").topic == "folder"


def test_ambiguous_prefers_own_folder_then_shortest_path():
    r = resolver(FILES)
    res = r.resolve("charles", "places/paris.md")
    assert res.topic == "places/charles"
    assert res.candidates == ("places/charles.md", "people/charles.md")
    # from elsewhere: equal length, so alphabetical
    assert r.resolve("charles", "x.md").topic == "people/charles"


def test_names_and_aliases_last():
    r = resolver(FILES, names={"people/charles.md": ["Charles Babbage"], "a/b/note.md": ["charles"]})
    assert r.resolve("charles babbage").topic == "people/charles"
    assert r.resolve("charles babbage").step == "name"
    # a file name beats a name
    assert r.resolve("charles", "people/x.md").topic == "people/charles"


def test_dendron_label_first_and_cross_vault_prefix():
    r = resolver(["dendron.topic.lookup.md"])
    lookup = topic_id_for_path("dendron.topic.lookup.md")
    assert r.resolve("Lookup", label="dendron.topic.lookup").topic == lookup
    assert r.resolve("dendron://vault.name/dendron.topic.lookup").topic == lookup
    # a target that resolves is never second-guessed by its label
    r2 = resolver(["a.md", "b.md"])
    assert r2.resolve("a", label="b").topic == "a"


def test_assets_and_failed_files():
    r = resolver(FILES, assets=["images/ada.png", "docs/paper.pdf"], failed=["broken.md"])
    assert r.resolve("ada.png").asset == "images/ada.png"
    assert r.resolve("../images/ada.png", "people/x.md", markdown_link=True).asset == "images/ada.png"
    assert r.resolve("broken").failed == "broken.md"
    assert not r.resolve("ada").resolved  # an image is matched with its extension only


def test_unicode_forms_and_case_match():
    nfd = "U\u0308bersicht.md"
    r = resolver([nfd])
    assert r.resolve("übersicht").resolved
    assert r.resolve("ÜBERSICHT").resolved


# --- properties ---------------------------------------------------------------------------------
segment = st.sampled_from(["a", "b", "note", "Note", "x y", "ü", "index", "c-d"])
paths = st.lists(st.lists(segment, min_size=1, max_size=3).map(lambda s: "/".join(s) + ".md"), min_size=1, max_size=12, unique=True)
targets = st.lists(segment, min_size=1, max_size=3).map("/".join)


@settings(max_examples=150, deadline=None)
@given(paths, st.lists(targets, min_size=1, max_size=6), st.randoms())
def test_resolution_is_independent_of_file_order(files, links, rnd):
    shuffled = list(files)
    rnd.shuffle(shuffled)
    a, b = resolver(files), resolver(shuffled)
    for t in links:
        for origin in ("", files[0], "a/x.md"):
            assert a.resolve(t, origin) == b.resolve(t, origin)
            assert a.resolve(t, origin) == a.resolve(t, origin)


@settings(max_examples=150, deadline=None)
@given(paths, st.data())
def test_an_exact_id_always_wins(files, data):
    topics = [(topic_id_for_path(p), p, []) for p in files]
    chosen = data.draw(st.sampled_from(topics))[0]
    # other topics named after the id must not take it over
    r = Resolver(topics + [("zz-other", "zz/other.md", [chosen])])
    origin = data.draw(st.sampled_from(files))
    assert r.resolve(chosen, origin).topic == chosen


def test_resolver_builds_fast_for_10k_topics():
    import time

    files = [f"f{i // 100}/note {i}.md" for i in range(10_000)]
    t0 = time.perf_counter()
    r = resolver(files, names={p: [f"Name {i}"] for i, p in enumerate(files)})
    for i in range(0, 10_000, 7):
        assert r.resolve(f"note {i}").topic == topic_id_for_path(files[i])
    assert time.perf_counter() - t0 < 2.0


def test_root_relative_markdown_links_use_the_map_root_only():
    r = resolver(FILES + ["people/index.md"])
    assert r.resolve("/people/charles.md", "places/london.md", markdown_link=True).topic == "people/charles"
    assert r.resolve("/", "places/london.md", markdown_link=True).topic == "index"
    assert r.resolve("/people/", "places/london.md", markdown_link=True).topic == "people"
    # no file-name step and no relative step: /charles.md is not places/charles.md
    assert not r.resolve("/charles.md", "places/london.md", markdown_link=True).resolved
    assert not r.resolve("/note", "a/x.md", markdown_link=True).resolved


def test_dendron_order_is_reported():
    r = resolver(FILES)
    res = r.resolve("Read me", "x.md", label="a/b/note#Part")
    assert (res.topic, res.dendron_order, res.heading) == ("a/b/note", True, "Part")
    assert not r.resolve("note", "x.md", label="charles").dendron_order  # Obsidian order resolves
    assert r.resolve("dendron://vault/a/b/note").topic == "a/b/note"
