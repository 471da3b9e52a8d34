"""geomap: points from geo occurrences; the map: settings of ctxgen.yaml (docs/views.md)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctxgen.config import Config, Schema, TopicType
from ctxgen.configload import load_config
from ctxgen.diagnostics import Diagnostics
from ctxgen.geomap import MAP_PATH, map_files, map_points, parse_point
from ctxgen.model import GEO, Name, Occurrence, Topic, TopicMap


@pytest.mark.parametrize("value, point", [
    ("51.5074,-0.1278", (51.5074, -0.1278)), (" 0 , 0 ", (0.0, 0.0)), ("-90,180", (-90.0, 180.0)),
    ("91,0", None), ("0,181", None), ("nan,0", None), ("1,2,3", None), ("x,y", None), ("", None), ("inf,0", None),
])
def test_parse_point(value, point):
    assert parse_point(value) == point


def test_points():
    tm = TopicMap()
    tm.add_topic(Topic("london", names=[Name("<i>London</i>")],
                       occurrences=[Occurrence("coordinates", "51.5,-0.12", datatype=GEO),
                                    Occurrence("coordinates", "bad", datatype=GEO),
                                    Occurrence("note", "51.5,-0.12")]))
    tm.add_topic(Topic("place", names=[Name("Place")]))
    tm.add_type("london", "place")
    tm.add_topic(Topic("hidden", occurrences=[Occurrence("c", "1,1", datatype=GEO)], draft=True))
    config = Config(schema=Schema(topic_types={"place": TopicType("place", color="#E69F00")}))
    assert map_points(tm, config) == [{"topic": "london", "label": "<i>London</i>", "lat": 51.5, "lon": -0.12,
                                       "type": "coordinates", "url": "london/", "color": "#E69F00"}]
    data = json.loads(map_files(tm, config)[MAP_PATH])
    assert data["version"] == 1 and len(data["points"]) == 1


def config_of(tmp_path: Path, text: str) -> tuple[Config, list[str]]:
    (tmp_path / "ctxgen.yaml").write_text(text, encoding="utf-8")
    diags = Diagnostics()
    config = load_config(tmp_path, diags)
    return config, [f"{d.span.line}:{d.span.col} {d.severity.value}[{d.code}]" for d in diags.items]


def test_map_settings_default_to_no_tiles(tmp_path):
    config, diags = config_of(tmp_path, "title: x\n")
    assert config.map.tiles == "" and config.map.attribution == "" and diags == []


def test_map_settings(tmp_path):
    config, diags = config_of(tmp_path, 'map:\n  tiles: "https://tile.example/{z}/{x}/{y}.png"\n'
                                        '  attribution: "© Example"\n  max_zoom: 12\n')
    assert (config.map.tiles, config.map.attribution, config.map.max_zoom) == (
        "https://tile.example/{z}/{x}/{y}.png", "© Example", 12)
    assert diags == []


@pytest.mark.parametrize("tiles", ["https://{s}.tile.example/{z}/{x}/{y}.png",
                                   "https://tiles-{s}.example:8080/{z}/{x}/{y}{r}.png"])
def test_map_tiles_may_name_leaflets_subdomains_in_the_host(tmp_path, tiles):
    config, diags = config_of(tmp_path, f'map:\n  tiles: "{tiles}"\n')
    assert config.map.tiles == tiles and diags == []


@pytest.mark.parametrize("tiles", ["https://{z}/{x}/{y}.png", "https://tile{x}.example/{z}/{x}/{y}.png",
                                   "https:///{z}/{x}/{y}.png", "https://a b/{z}/{x}/{y}.png"])
def test_map_tiles_need_a_real_host(tmp_path, tiles):
    config, diags = config_of(tmp_path, f'map:\n  tiles: "{tiles}"\n')
    assert config.map.tiles == "" and diags == ["2:10 error[config-value]"]


def test_bad_map_settings_are_reported_at_their_value(tmp_path):
    config, diags = config_of(tmp_path, 'map:\n  tiles: "file:///etc/{z}/{x}/{y}"\n  max_zoom: 99\n  tile: 1\n')
    assert config.map.tiles == "" and config.map.max_zoom == 18
    assert diags == ["4:3 warning[config-unknown-key]", "2:10 error[config-value]", "3:13 error[config-type]"]
    config, diags = config_of(tmp_path, 'map:\n  tiles: "https://tile.example/{z}.png"\n')
    assert config.map.tiles == "" and diags == ["2:10 error[config-value]"]
