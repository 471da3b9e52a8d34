"""The scripting API: a map folder in, its topic map and diagnostics out (nothing is written)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .diagnostics import Diagnostics
from .model import TopicMap
from .source import SourceFile
from .validate import ValidationReport


@dataclass
class LoadResult:
    topic_map: TopicMap
    config: Config
    diagnostics: Diagnostics
    sources: list[SourceFile] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)  # map-relative paths of the non-Markdown files
    report: ValidationReport = field(default_factory=ValidationReport)

    @property
    def ok(self) -> bool:
        return not self.diagnostics.has_errors()


def load_map(map_dir: str | Path, *, drafts: bool = False, jobs: int = 1, out_dir: str | Path | None = None) -> LoadResult:
    """Load, model and validate the map in `map_dir`.

    `out_dir` (default MAP/_site) is only used to leave a previous build out of the sources.
    Problems are in `result.diagnostics`; bad content never raises.
    """
    from .configload import load_config
    from .load import discover, read_sources
    from .modeler import build_topic_map
    from .validate import validate

    map_dir = Path(map_dir)
    diags = Diagnostics()
    config = load_config(map_dir, diags)
    found = discover(map_dir, config, Path(out_dir) if out_dir is not None else map_dir / "_site", diags)
    sources = read_sources(map_dir, list(found.sources), config.allow_html, jobs)
    for s in sources:
        diags.extend(s.diagnostics)
    assets = [str(a) for a in found.assets]
    tm = build_topic_map(sources, config, diags, drafts=drafts, assets=assets)
    report = validate(tm, config, diags)
    return LoadResult(tm, config, diags, sources, assets, report)
