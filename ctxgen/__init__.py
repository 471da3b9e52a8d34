"""ctxgen: turn a folder of Markdown topics into an ISO 13250 topic map and publish it as a static site.

Scripting API:

    from ctxgen import load_map
    result = load_map("example-map")
    tm = result.topic_map          # ctxgen.model.TopicMap
    for d in result.diagnostics.sorted():
        print(d.format())
"""
__version__ = "0.1.0"

from .diagnostics import Diagnostic, Diagnostics, Severity, Span  # noqa: E402,F401


def __getattr__(name: str):
    # Lazy, so `import ctxgen` stays cheap and free of import cycles.
    if name in ("load_map", "LoadResult"):
        from . import api

        return getattr(api, name)
    raise AttributeError(name)
