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
