"""The search index: a compact document list the theme's JavaScript feeds to MiniSearch.

One document per user topic: {id, name, aliases, types, url, text}. The JS fetches the index
lazily (first focus of the search box) and indexes it in the browser. The format is documented
in docs/graph-json.md next to the graph files.

Designed to be split later for very large maps: the index file is a manifest whose
`documents` may be replaced by `chunks` (site paths of files holding `{"documents": [...]}`);
the JS already accepts both.
"""
from __future__ import annotations

import json
from typing import Callable

from .config import Config
from .graphdata import topic_url
from .model import INSTANCE, STANDARD_TOPICS, TYPE, TYPE_INSTANCE, TopicMap

FORMAT_VERSION = 1
SEARCH_INDEX_PATH = "search/index.json"
EXCERPT_CHARS = 240


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of a text, whitespace collapsed, cut at a word boundary with an ellipsis."""
    head = " ".join(text[: limit * 4 + 16].split())  # enough unless the text is mostly whitespace
    text = head if len(head) > limit else " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit + 1)
    return text[: cut if cut > limit // 2 else limit].rstrip() + "…"


def search_documents(tm: TopicMap, config: Config, url_for: Callable[[str], str] = topic_url,
                     excerpt_chars: int = EXCERPT_CHARS) -> list[dict]:
    """One document per user topic, sorted by id. Empty `aliases`/`types`/`text` are left out."""
    types_of: dict[str, list[str]] = {}
    for a in tm.associations:  # one pass, not TopicMap.types_of per topic
        if a.type == TYPE_INSTANCE and not a.scope:
            roles = {r.type: r.player for r in a.roles}
            if INSTANCE in roles and TYPE in roles:
                lst = types_of.setdefault(roles[INSTANCE], [])
                if roles[TYPE] not in lst:
                    lst.append(roles[TYPE])

    def type_label(type_id: str) -> str:
        st = config.schema.topic_types.get(type_id)
        if st and st.label:
            return st.label
        t = tm.get(type_id)
        return t.name if t is not None else type_id

    docs = []
    for t in sorted(tm.topics.values(), key=lambda t: t.id):
        if t.id in STANDARD_TOPICS:
            continue
        name = t.name
        aliases: list[str] = []
        for n in t.names:
            for value in [n.value] + [v.value for v in n.variants]:
                if value != name and value not in aliases:
                    aliases.append(value)
        doc: dict = {"id": t.id, "name": name, "url": url_for(t.id)}
        if aliases:
            doc["aliases"] = aliases
        types = [type_label(x) for x in types_of.get(t.id, [])]
        if types:
            doc["types"] = types
        text = t.body.rendered.text if t.body is not None and t.body.rendered is not None else ""
        if text:
            doc["text"] = excerpt(text, excerpt_chars)
        docs.append(doc)
    return docs


def search_files(tm: TopicMap, config: Config, url_for: Callable[[str], str] = topic_url,
                 excerpt_chars: int = EXCERPT_CHARS) -> dict[str, bytes]:
    """Site path -> bytes: SEARCH_INDEX_PATH with every topic's search document."""
    index = {"version": FORMAT_VERSION, "documents": search_documents(tm, config, url_for, excerpt_chars)}
    data = json.dumps(index, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return {SEARCH_INDEX_PATH: data.encode("utf-8")}
