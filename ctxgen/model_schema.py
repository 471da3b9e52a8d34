"""The schema of ctxgen.yaml, as the model reads it: its keys are references (docs/authoring.md
"References"), so `person` in `schema.topic_types` is the topic `type: person` names, even when
that is the file `types/person.md`. Once every topic is declared, the schema's tables, an
association type's `roles` and its `reading` are re-keyed by resolved topic id; a key that
resolves to no file is kept as written.

Readings: a name of an association type scoped by one of its role types is how the association
reads from that role's player's page (TMDM; LTM writes `[born-in = "Born in" = "Birthplace of" / place]`).
The schema's own `reading` wins; the other roles of such a type read its base name.
"""
from __future__ import annotations

from .config import AssociationType, Config
from .diagnostics import Diagnostics
from .links import Resolver
from .model import TopicMap
from .model_reader import warn_ambiguous

_TABLES = ("topic_types", "association_types", "role_types", "occurrence_types")


class SchemaResolution:
    config: Config
    diags: Diagnostics
    resolver: Resolver | None
    tm: TopicMap

    def readings_from_names(self) -> None:
        tm, schema = self.tm, self.config.schema
        roles_of: dict[str, list[str]] = {}  # association type -> its role types, in first-seen order
        for a in tm.associations:
            have = roles_of.setdefault(a.type, [])
            for r in a.roles:
                if r.type not in have:
                    have.append(r.type)
        for atype, roles in roles_of.items():
            t = tm.topics.get(atype)
            if t is None or len(t.names) < 2:
                continue
            scoped = {}
            for n in t.names:
                if len(n.scope) == 1:
                    (role,) = n.scope
                    if role in roles:
                        scoped.setdefault(role, n.value)
            if not scoped:
                continue
            entry = schema.association_types.get(atype)
            if entry is None:
                entry = schema.association_types[atype] = AssociationType(atype, roles=list(roles))
            for role in dict.fromkeys([*entry.roles, *roles]):
                entry.reading.setdefault(role, scoped.get(role) or entry.label or t.name)

    def resolve_schema(self) -> None:
        schema, span = self.config.schema, self.config.span_of("schema")
        cache: dict[str, str] = {}

        def ref(key: str) -> str:
            tid = cache.get(key)
            if tid is None:
                r = self.resolver.resolve(key) if self.resolver else None
                tid = cache[key] = r.topic if r is not None and r.topic else key
                if r is not None and r.topic and r.ambiguous:
                    warn_ambiguous(self.diags, key, r, span)
            return tid

        for table_name in _TABLES:
            table = getattr(schema, table_name)
            if not table:
                continue
            resolved: dict = {}
            written: dict[str, str] = {}
            for key, entry in table.items():
                tid = ref(key)
                if tid in resolved:
                    self.diags.warning(
                        "schema-same-topic",
                        f"schema.{table_name}: '{written[tid]}' and '{key}' name the same topic '{tid}'; '{key}' is ignored",
                        span, "keep one entry per topic",
                    )
                    continue
                entry.id = tid
                resolved[tid] = entry
                written[tid] = key
            setattr(schema, table_name, resolved)
        for at in schema.association_types.values():
            at.roles = [ref(r) for r in at.roles]
            at.reading = {ref(r): text for r, text in at.reading.items()}
