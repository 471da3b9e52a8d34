"""Copy the browser libraries the default theme needs from node_modules into its static/vendor/.

Third-party code is never committed: package.json + package-lock.json pin it, `npm ci` fetches it,
and this script copies exactly the files the theme loads (plus their licences) into
themes/default/static/vendor/ (gitignored). hatch_build.py runs it when a wheel is built.

    python scripts/bundle_assets.py          # runs `npm ci` first when node_modules is missing
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "themes" / "default" / "static" / "vendor"

# node_modules path -> vendor file name. The theme's templates load the .js files by these names.
FILES = {
    "vis-network/standalone/umd/vis-network.min.js": "vis-network.min.js",
    "vis-network/LICENSE-MIT": "vis-network.LICENSE-MIT.txt",
    "vis-network/LICENSE-APACHE-2.0": "vis-network.LICENSE-APACHE-2.0.txt",
    # the timeline page; the standalone build carries vis-timeline's CSS
    "vis-timeline/standalone/umd/vis-timeline-graph2d.min.js": "vis-timeline.min.js",
    "vis-timeline/LICENSE.MIT.txt": "vis-timeline.LICENSE-MIT.txt",
    "vis-timeline/LICENSE.Apache-2.0.txt": "vis-timeline.LICENSE-APACHE-2.0.txt",
    # the map page (circle markers only: Leaflet's marker images are not needed)
    "leaflet/dist/leaflet.js": "leaflet.js",
    "leaflet/dist/leaflet.css": "leaflet.css",
    "leaflet/LICENSE": "leaflet.LICENSE.txt",
    # math in bodies; core.js loads both on pages that have some. The CSS finds its fonts in fonts/.
    "katex/dist/katex.min.js": "katex/katex.min.js",
    "katex/dist/katex.min.css": "katex/katex.min.css",
    "katex/LICENSE": "katex/LICENSE.txt",
}
KATEX_FONTS = (
    "AMS-Regular", "Caligraphic-Bold", "Caligraphic-Regular", "Fraktur-Bold", "Fraktur-Regular",
    "Main-Bold", "Main-BoldItalic", "Main-Italic", "Main-Regular", "Math-BoldItalic", "Math-Italic",
    "SansSerif-Bold", "SansSerif-Italic", "SansSerif-Regular", "Script-Regular", "Size1-Regular",
    "Size2-Regular", "Size3-Regular", "Size4-Regular", "Typewriter-Regular",
)
# woff2 only: every browser that runs the theme's JavaScript reads it (woff_fallbacks drops the rest)
FILES.update({f"katex/dist/fonts/KaTeX_{f}.woff2": f"katex/fonts/KaTeX_{f}.woff2" for f in KATEX_FONTS})
_FALLBACK_FONT_RE = re.compile(r',url\(fonts/[^)]*\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)')


def strip_source_map(text: str) -> str:
    """Drop the trailing `//# sourceMappingURL=` comment: the .map is not shipped, and a browser
    with developer tools open would otherwise request a file that is not there."""
    lines = text.rstrip("\n").split("\n")
    if lines and lines[-1].startswith("//# sourceMappingURL="):
        lines.pop()
    return "\n".join(lines) + "\n"


def woff2_only(css: str) -> str:
    """KaTeX's @font-face rules without their .woff and .ttf fallbacks, which are not shipped."""
    return _FALLBACK_FONT_RE.sub("", css)


def ensure_node_modules() -> None:
    if all((NODE_MODULES / src).is_file() for src in FILES):
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("bundle_assets: node_modules is missing and npm is not installed (install Node.js, then `npm ci`)")
    # --ignore-scripts: no package gets to run code at install time.
    subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=ROOT, check=True)


def bundle(vendor: Path = VENDOR) -> list[Path]:
    """Copy the vendor files; returns the paths written."""
    ensure_node_modules()
    vendor.mkdir(parents=True, exist_ok=True)
    written = []
    for src, name in FILES.items():
        data = (NODE_MODULES / src).read_bytes()
        if name.endswith(".js"):
            data = strip_source_map(data.decode("utf-8")).encode("utf-8")
        elif name == "katex/katex.min.css":
            data = woff2_only(data.decode("utf-8")).encode("utf-8")
        out = vendor / name
        out.parent.mkdir(parents=True, exist_ok=True)
        if not out.is_file() or out.read_bytes() != data:
            out.write_bytes(data)
        written.append(out)
    return written


def main() -> None:
    for path in bundle():
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
