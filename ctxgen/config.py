"""ctxgen.yaml: the map's settings and schema. Missing file = defaults (a plain vault builds)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import Span


@dataclass(slots=True)
class TopicType:
    id: str
    label: str | None = None
    color: str | None = None
    shape: str | None = None


@dataclass(slots=True)
class AssociationType:
    id: str
    label: str | None = None
    roles: list[str] = field(default_factory=lambda: ["subject", "object"])  # role type ids, reading order
    reading: dict[str, str] = field(default_factory=dict)  # role type id -> how it reads from that player's page


@dataclass(slots=True)
class RoleType:
    id: str
    label: str | None = None


@dataclass(slots=True)
class OccurrenceType:
    id: str
    label: str | None = None
    datatype: str | None = None  # IRI, see ctxgen.model.DATATYPES


@dataclass(slots=True)
class Schema:
    topic_types: dict[str, TopicType] = field(default_factory=dict)
    association_types: dict[str, AssociationType] = field(default_factory=dict)
    role_types: dict[str, RoleType] = field(default_factory=dict)
    occurrence_types: dict[str, OccurrenceType] = field(default_factory=dict)


@dataclass(slots=True)
class MapView:
    """The map page's background tiles. Off ("") unless set: the tile server is the one outside
    address a built site may contact."""

    tiles: str = ""  # URL template with {z}, {x}, {y} (and optionally {s}, {r})
    attribution: str = ""  # text shown in the map's corner (the tile provider's terms)
    max_zoom: int = 18


@dataclass(slots=True)
class Config:
    title: str = "Knowledge map"
    description: str = ""
    base_url: str = ""  # "" or an absolute URL ending in "/"
    language: str = "en"
    theme: str = "default"
    allow_html: bool = False
    exclude: list[str] = field(default_factory=list)
    max_file_bytes: int = 1_048_576  # larger source files are an error (a runaway paste or a binary)
    schema: Schema = field(default_factory=Schema)
    extra: dict = field(default_factory=dict)  # `extra:` passed to templates as is
    map: MapView = field(default_factory=MapView)  # `map:` settings of the map page
    # Where each top-level key's value is in ctxgen.yaml (`exclude[0]` for list items), so a
    # later stage can point a diagnostic about a setting at it: see span_of.
    spans: dict[str, Span] = field(default_factory=dict, compare=False, repr=False)

    def span_of(self, key: str) -> Span:
        """The position of setting `key` (`theme`, `exclude[2]`); ctxgen.yaml:1:1 when unknown."""
        return self.spans.get(key) or self.spans.get(key.partition("[")[0]) or Span("ctxgen.yaml", 1, 1)
