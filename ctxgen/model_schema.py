"""The schema of ctxgen.yaml, as the model reads it: its keys are references (docs/authoring.md
"References"), so `person` in `schema.topic_types` is the topic `type: person` names, even when
that is the file `types/person.md`. Once every topic is declared, the schema's tables, an
association type's `roles` and its `reading` are re-keyed by resolved topic id; a key that
resolves to no file is kept as written.
"""
from __future__ import annotations

from .config import Config
from .diagnostics import Diagnostics
from .links import Resolver
from .model_reader import warn_ambiguous

_TABLES = ("topic_types", "association_types", "role_types", "occurrence_types")


class SchemaResolution:
    config: Config
    diags: Diagnostics
    resolver: Resolver | None

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
