"""What a left-out draft takes with it: its associations, and the implicit topics only they named."""
from __future__ import annotations

from ctxgen.api import load_map

from support import write_files as write

FILES = {
    "a.md": "---\nassociations:\n  translated: {roles: {translator: a, work: d}}\n  knows: b\n---\n# A\n",
    "b.md": "---\noccurrences:\n  translator: yes\n---\n# B\n",  # `translator` is also an occurrence type here
    "d.md": "---\ndraft: true\n---\n# D\n",
}


def test_types_and_roles_of_left_out_associations_are_not_published(tmp_path):
    write(tmp_path, FILES)
    tm = load_map(tmp_path).topic_map
    assert sorted(tm.topics) == ["a", "b", "knows", "object", "subject", "tm:topic-name", "translator"]
    assert [a.type for a in tm.associations] == ["knows"]


def test_with_drafts_they_are(tmp_path):
    write(tmp_path, FILES)
    tm = load_map(tmp_path, drafts=True).topic_map
    assert {"d", "translated", "translator", "work"} <= set(tm.topics)
