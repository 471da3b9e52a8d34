"""The front matter keys the model stage reads, maps from other tools, or ignores on purpose
(docs/authoring.md lists them); anything else is an `unknown-key` warning with a did-you-mean."""
from __future__ import annotations

import functools

TOPIC_KEYS = {
    "id", "title", "name", "aliases", "alias", "names", "type", "types", "supertypes", "subject",
    "subject_identifier", "subject_identifiers", "subject_locator", "subject_locators",
    "item_identifier", "item_identifiers", "tags", "tag", "draft", "occurrences", "associations", "extra",
    "reifies",
}
ASSOCIATION_FILE_KEYS = {"association", "roles", "scope"}
NOTE_FILE_KEYS = {"occurrence", "topic", "scope", "id", "title", "name", "tags", "draft", "extra"}

# Keys other tools write that ctxgen maps onto the model: key -> (occurrence type, kind of value).
MAPPED_KEYS = {
    "description": ("description", "text"),  # Quartz, Hugo, Jekyll
    "desc": ("description", "text"),  # Dendron
    "summary": ("description", "text"),
    "created": ("created", "date"),  # Dendron (Unix ms), Foam, many
    "date": ("date", "date"),  # Quartz, Hugo, Jekyll: the publication date
    "updated": ("updated", "date"),  # Dendron (Unix ms)
    "modified": ("updated", "date"),
    "lastmod": ("updated", "date"),  # Quartz, Hugo
    "last_modified": ("updated", "date"),
}
# Keys of other tools that ctxgen deliberately ignores (they configure those tools' sites or editors).
IGNORED_KEYS = {
    # Obsidian / Quartz
    "cssclasses", "cssclass", "enableToc", "comments", "permalink", "socialDescription",
    "socialImage", "image", "lang", "unlisted", "password", "banner", "noindex",
    # Dendron
    "nav_order", "nav_exclude", "nav_exclude_children", "stub", "pods", "config", "sort_order",
    "sort_by", "has_collection", "skipLevels", "toc", "color", "canonicalUrl", "excerpt",
    "templateId", "traitIds", "schema",
    # Foam / Jekyll / Hugo
    "layout", "redirect_from", "weight", "slug",
}
# publication switches of other tools: key -> the value that makes the file a draft
DRAFT_SWITCHES = {"draft": True, "publish": False, "published": False}

# the keys of one entry in a list (a full name, occurrence, association, role or variant entry)
NAME_ENTRY_KEYS = frozenset({"value", "type", "scope", "variants", "item_identifiers", "reifier"})
VARIANT_ENTRY_KEYS = frozenset({"value", "scope", "datatype", "item_identifiers", "reifier"})
OCCURRENCE_ENTRY_KEYS = frozenset({"type", "value", "url", "file", "datatype", "scope", "item_identifiers", "reifier"})
ASSOCIATION_ENTRY_KEYS = frozenset({"type", "roles", "scope", "role", "player", "item_identifiers", "reifier"})
ROLE_ENTRY_KEYS = frozenset({"type", "player", "item_identifiers", "reifier"})

# what each kind of file may carry at the top level
_OTHER_TOOLS = frozenset(MAPPED_KEYS) | IGNORED_KEYS | frozenset(DRAFT_SWITCHES)
TOPIC_ALLOWED = frozenset(TOPIC_KEYS) | _OTHER_TOOLS
ASSOCIATION_FILE_ALLOWED = TOPIC_ALLOWED | ASSOCIATION_FILE_KEYS
NOTE_FILE_ALLOWED = frozenset(NOTE_FILE_KEYS) | _OTHER_TOOLS

_KNOWN_FOR_SUGGESTIONS = frozenset(TOPIC_KEYS | ASSOCIATION_FILE_KEYS | NOTE_FILE_KEYS | set(MAPPED_KEYS) | {"publish"})


@functools.lru_cache(maxsize=4096)
def did_you_mean_key(key: str, allowed: frozenset[str]) -> str | None:
    """The allowed key (ctxgen's own keys first) that `key` is a misspelling of, or None.

    A misspelt key's value is not read, so only near-certain typos count: one letter added,
    dropped, changed or swapped (two for long keys). A looser likeness would take ordinary
    properties for typos (`related` for `created`) and drop them."""
    candidates = sorted(allowed & _KNOWN_FOR_SUGGESTIONS) or sorted(allowed)
    lowered = key.lower()
    best = min(candidates, key=lambda k: (_edits(lowered, k, 3), k), default=None)
    if best is None:
        return None
    return best if _edits(lowered, best, 3) <= (2 if min(len(key), len(best)) >= 8 else 1) else None


def _edits(a: str, b: str, limit: int) -> int:
    """Edit distance with adjacent swaps (optimal string alignment), cut off at `limit`."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    before, row = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            d = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                d = min(d, before[j - 2] + 1)
            current.append(d)
        before, row = row, current
    return min(row[-1], limit)
