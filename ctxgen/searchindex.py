"""The search index: a prebuilt, chunked inverted index the theme's search.js queries.

A query downloads only what it needs (format in docs/search.md):

- `search/index.json`, the manifest: type labels, each document's types (for the type filter),
  and the keys of the term and name shards that exist;
- the term shards of the query's words (`search/t/<hex>.json`: term -> [doc, score, ...]),
  scores precomputed (BM25 over names ×3, aliases ×2, text occurrences and body ×1);
- the name shards of the first word, for topic-name autocomplete (`search/n/<hex>.json`);
- the document chunks of the results shown (`search/d/<n>.json`: name, URL, types, aliases and
  the start of the text, from which the JS cuts the matching passage).

Shards are keyed by term prefix: two characters, split one character deeper while a shard is
larger than SHARD_BYTES. `<hex>` is the key's UTF-8 in hex, so any script gives a safe file name.
A term found in more than MAX_POSTINGS documents keeps its MAX_POSTINGS best-scoring ones.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from typing import Callable

from .config import Config
from .graphdata import topic_urls
from .model import GEO, INSTANCE, STANDARD_TOPICS, TYPE, TYPE_INSTANCE, XSD_ANYURI, TopicMap

FORMAT_VERSION = 2
SEARCH_INDEX_PATH = "search/index.json"
EXCERPT_CHARS = 240
TEXT_CHARS = 1200  # of each body, kept for passages; later words are indexed but not quoted
DOCS_PER_CHUNK = 8
SHARD_BYTES = 24_000
MAX_POSTINGS = 600
MAX_KEY = 6  # characters of a shard key at most
BOOST = {"name": 3.0, "alias": 2.0}
K1, B = 1.2, 0.75

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without diacritics; search.js folds queries the same way."""
    text = text.lower()
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if unicodedata.category(c) != "Mn")


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def shard_file(kind: str, key: str) -> str:
    return f"search/{kind}/{key.encode('utf-8').hex()}.json"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of a text, whitespace collapsed, cut at a word boundary with an ellipsis."""
    head = " ".join(text[: limit * 4 + 16].split())  # enough unless the text is mostly whitespace
    text = head if len(head) > limit else " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit + 1)
    return text[: cut if cut > limit // 2 else limit].rstrip() + "…"


def _types_of(tm: TopicMap) -> dict[str, list[str]]:
    types_of: dict[str, list[str]] = {}
    for a in tm.associations:  # one pass, not TopicMap.types_of per topic
        if a.type == TYPE_INSTANCE and not a.scope:
            roles = {r.type: r.player for r in a.roles}
            if INSTANCE in roles and TYPE in roles:
                lst = types_of.setdefault(roles[INSTANCE], [])
                if roles[TYPE] not in lst:
                    lst.append(roles[TYPE])
    return types_of


def search_documents(tm: TopicMap, config: Config, url_for: Callable[[str], str] | None = None,
                     excerpt_chars: int = EXCERPT_CHARS) -> list[dict]:
    """One document per user topic, sorted by id: {id, name, url, aliases?, types?, text?, occurrences?}.

    `text` is the body's plain text cut at `excerpt_chars`; `occurrences` are the topic's text
    occurrence values (not URLs, geo points or files). Empty keys are left out.
    """
    types_of = _types_of(tm)
    url_for = url_for or topic_urls(tm)

    def type_label(type_id: str) -> str:
        st = config.schema.topic_types.get(type_id)
        if st and st.label:
            return st.label
        return tm.label(type_id)

    docs = []
    for t in sorted(tm.topics.values(), key=lambda t: t.id):
        if t.id in STANDARD_TOPICS or t.draft:
            continue
        name = t.name if t.names else tm.label(t.id)
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
        occs = [o.value for o in t.occurrences if o.datatype not in (XSD_ANYURI, GEO) and o.note is None]
        if occs:
            doc["occurrences"] = occs
        docs.append(doc)
    return docs


def _ascii_table() -> bytes:
    table = bytearray(range(256))
    for c in range(128):
        table[c] = ord(chr(c).lower()) if chr(c).isalnum() else 32
    return bytes(table)


_ASCII = _ascii_table()  # ASCII letters and digits lower-cased, other ASCII to space, UTF-8 kept


def _token_counts(text: str) -> Counter:
    """Word -> count in a text, as `words` splits it; the fast path tokenizes UTF-8 bytes."""
    return Counter(text.encode("utf-8").translate(_ASCII).split())


def _postings(docs: list[dict], full_texts: list[str]) -> dict[str, list[int]]:
    """term -> [doc number, score, doc number, score, ...] by doc number: BM25 with the field
    boosts added to the term frequency. Body words are counted as bytes (a C-speed split) and
    each distinct byte token is decoded and folded once, so the per-word cost stays small."""
    by_token: dict[bytes, list] = {}
    lengths: list[int] = []
    for i, (doc, text) in enumerate(zip(docs, full_texts)):
        counts = _token_counts(text)
        for value in doc.get("occurrences", ()):
            counts.update(_token_counts(value))
        lengths.append(sum(counts.values()) + 3)
        boosts = Counter()
        for field, values in (("name", [doc["name"]]), ("alias", doc.get("aliases", ()))):
            for value in values:
                for w in _token_counts(value):
                    boosts[w] += BOOST[field]
        if boosts:
            for w, f in boosts.items():
                counts[w] += f
        for w, f in counts.items():
            lst = by_token.get(w)
            if lst is None:
                by_token[w] = lst = []
            lst.append(i)
            lst.append(f)
    # a byte token is a word unless it holds non-ASCII: then fold it and split it as `words` does
    merged: dict[str, list] = {}
    for token, lst in by_token.items():
        ws = [token.decode("ascii")] if token.isascii() else words(token.decode("utf-8", "replace"))
        for w in ws:
            have = merged.get(w)
            if have is None:
                merged[w] = lst if len(ws) == 1 else list(lst)
            else:
                acc = dict(zip(have[::2], have[1::2]))
                for d, f in zip(lst[::2], lst[1::2]):
                    acc[d] = acc.get(d, 0) + f
                merged[w] = [x for d in sorted(acc) for x in (d, acc[d])]
    n = len(docs)
    avg = (sum(lengths) / n) if n else 1.0
    norm = [K1 * (1 - B + B * length / avg) for length in lengths]
    out: dict[str, list[int]] = {}
    for w, lst in merged.items():
        ds, fs = lst[::2], lst[1::2]
        df = len(ds)
        scale = 100 * (K1 + 1) * math.log(1 + (n - df + 0.5) / (df + 0.5))
        scores = [int(scale * f / (f + norm[d])) + 1 for d, f in zip(ds, fs)]
        if df > MAX_POSTINGS:  # keep the best: scores at or above the MAX_POSTINGS-th highest
            least = sorted(scores)[-MAX_POSTINGS]
            out[w] = [x for d, s in zip(ds, scores) if s >= least for x in (d, s)]
        else:
            out[w] = [x for p in zip(ds, scores) for x in p]
    return out


def _dump(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def shard(entries: dict[str, object], sizes: dict[str, int], depth: int = 2) -> dict[str, dict[str, object]]:
    """Group entries (keyed by term) into shards by term prefix: key -> {term: entry}.

    A term lives in the shard of the longest key that is a prefix of it. A shard above
    SHARD_BYTES (by `sizes`, the encoded size of each entry) splits one character deeper.
    """
    out: dict[str, dict[str, object]] = {}
    groups: dict[str, list[str]] = {}
    for term in entries:
        groups.setdefault(term[:depth], []).append(term)
    for key, terms in groups.items():
        if depth < MAX_KEY and sum(sizes[t] for t in terms) > SHARD_BYTES and any(len(t) > depth for t in terms):
            deeper = [t for t in terms if len(t) > depth]
            for k, sub in shard({t: entries[t] for t in deeper}, sizes, depth + 1).items():
                out[k] = sub
            here = {t: entries[t] for t in terms if len(t) <= depth}
            if here:
                out[key] = here
        else:
            out[key] = {t: entries[t] for t in terms}
    return out


def _name_entries(docs: list[dict]) -> dict[str, list]:
    """word -> [[label, doc number, url], ...] for every word of every name and alias (autocomplete);
    an alias's entry adds the topic's name: [alias, doc number, url, name]."""
    entries: dict[str, list] = {}
    for i, doc in enumerate(docs):
        for label in [doc["name"]] + doc.get("aliases", []):
            for w in dict.fromkeys(words(label)):
                entry = [label, i, doc["url"]]
                if label != doc["name"]:
                    entry.append(doc["name"])
                entries.setdefault(w, []).append(entry)
    return entries


def search_files(tm: TopicMap, config: Config, url_for: Callable[[str], str] | None = None,
                 excerpt_chars: int = TEXT_CHARS) -> dict[str, bytes]:
    """Site path -> bytes: the manifest SEARCH_INDEX_PATH, its term and name shards and document chunks."""
    docs = search_documents(tm, config, url_for, excerpt_chars)
    full = []
    for doc in docs:
        t = tm.topics[doc["id"]]
        full.append(t.body.rendered.text if t.body is not None and t.body.rendered is not None else "")
    files: dict[str, bytes] = {}

    flat = _postings(docs, full)
    term_shards = shard(flat, {w: len(w) + 8 * len(v) // 2 + 6 for w, v in flat.items()})
    for key, part in term_shards.items():
        files[shard_file("t", key)] = _dump(part)

    names = _name_entries(docs)
    name_shards = shard(names, {w: len(w) + sum(len(e[0]) + 10 for e in v) for w, v in names.items()})
    for key, part in name_shards.items():
        files[shard_file("n", key)] = _dump(part)

    for start in range(0, len(docs), DOCS_PER_CHUNK):
        chunk = [{k: v for k, v in d.items() if k != "occurrences"} for d in docs[start:start + DOCS_PER_CHUNK]]
        files[f"search/d/{start // DOCS_PER_CHUNK}.json"] = _dump(chunk)

    type_labels = sorted({x for d in docs for x in d.get("types", ())})
    number = {label: i for i, label in enumerate(type_labels)}
    manifest = {
        "version": FORMAT_VERSION,
        "count": len(docs),
        "chunk": DOCS_PER_CHUNK,
        "types": type_labels,
        "docTypes": [[number[x] for x in d.get("types", ())] for d in docs],
        "terms": sorted(term_shards),
        "names": sorted(name_shards),
    }
    files[SEARCH_INDEX_PATH] = _dump(manifest)
    return files
