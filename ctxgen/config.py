"""ctxgen.yaml: the map's settings and schema. Missing file = defaults (a plain vault builds)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .diagnostics import Span

# What a topic type's `color:` and `shape:` may be. A colour goes into style attributes and the
# graph's canvas: #rgb, #rrggbb, or one of CSS's 148 named colours.
_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")
CSS_COLOR_NAMES = frozenset("""
    aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown burlywood
    cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan darkgoldenrod darkgray
    darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen
    darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue dimgray dimgrey dodgerblue
    firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold goldenrod gray green greenyellow grey honeydew
    hotpink indianred indigo ivory khaki lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan
    lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue lightslategray
    lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon mediumaquamarine mediumblue mediumorchid
    mediumpurple mediumseagreen mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream
    mistyrose moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid palegoldenrod palegreen
    paleturquoise palevioletred papayawhip peachpuff peru pink plum powderblue purple rebeccapurple red rosybrown royalblue
    saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen
    steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow yellowgreen""".split())
# vis-network shapes that draw a label beside (not inside) the node: usable for any label length.
SHAPES = frozenset({"dot", "diamond", "star", "triangle", "triangleDown", "square", "hexagon"})


def is_color(value: str) -> bool:
    value = value.strip()
    return _HEX_COLOR.fullmatch(value) is not None or value.lower() in CSS_COLOR_NAMES


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
