"""Hatchling build hook: put the theme's browser libraries into the wheel.

themes/default/static/vendor/ is gitignored (no third-party code is committed), and hatchling
leaves VCS-ignored files out of a build. So, before the wheel (or sdist) is built, this hook runs
scripts/bundle_assets.py to fill vendor/ from node_modules (running `npm ci` if needed), and
pyproject.toml lists vendor/ under `artifacts` so hatchling includes it although git ignores it.

The sdist carries vendor/ too, so a wheel built from the sdist (what `python -m build` does) needs
neither npm nor network: with no node_modules but the vendor files present, they are used as they are.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        root = Path(self.root)
        script = root / "scripts" / "bundle_assets.py"
        spec = importlib.util.spec_from_file_location("ctxgen_bundle_assets", script)
        if spec is None or spec.loader is None or not script.is_file():
            return  # not a source checkout (nothing to bundle from)
        bundle_assets = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bundle_assets)
        vendored = all((bundle_assets.VENDOR / name).is_file() for name in bundle_assets.FILES.values())
        if vendored and not (root / "node_modules").is_dir():
            return  # building from an sdist: vendor/ came with it
        try:
            bundle_assets.bundle()
        except (SystemExit, Exception) as exc:  # reported, then decided below
            if version == "editable":
                # An editable install serves themes/ from the checkout; it can be bundled later.
                self.app.display_warning(f"ctxgen: browser assets not bundled ({exc}); run scripts/bundle_assets.py")
                return
            raise
