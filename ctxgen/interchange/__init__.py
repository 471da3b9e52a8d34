"""Topic Maps interchange: XTM 1.0/2.0/2.1, JTM 1.0/1.1, LTM and CTM readers; XTM 2.1, JTM 1.1 and
CXTM writers.

Readers build through `builder.TopicMapBuilder`, which resolves identifiers and hands the result
to `ctxgen.merge` for TMDM merging; bad input raises `errors.TopicMapSyntaxError` inside a reader
and is turned into a diagnostic at the command boundary (`commands.py`).
"""
