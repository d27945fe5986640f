"""JavaScript packages the generator needs (KaTeX at build time, MiniSearch in the browser).

They are pinned in ``package.json``/``package-lock.json`` and installed with
``npm ci``; ``python -m generator.assets`` then copies the few files we use into
``generator/vendor/`` so that an installed wheel carries them and a project
needs neither npm nor a ``node_modules`` folder. Each package is found on its
own: the bundled copy first, then ``node_modules`` of the project or of the
repository.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import UsageError

PACKAGE_DIR = Path(__file__).resolve().parent
VENDOR = PACKAGE_DIR / "vendor"

# The files of each package the generator uses, relative to the package folder.
WANTED = {
    "katex": ["package.json", "LICENSE", "dist/katex.min.js", "dist/katex.min.css",
              "dist/fonts/*.woff2"],
    "minisearch": ["package.json", "LICENSE.txt", "dist/umd/index.js"],
}


@dataclass(frozen=True)
class JsPackage:
    """One located package: its folder and pinned version."""

    name: str
    folder: Path

    @property
    def version(self) -> str:
        return json.loads((self.folder / "package.json").read_text("utf-8"))["version"]

    def file(self, relative: str) -> Path:
        return self.folder / relative


def find_package(name: str, project_root: Path) -> JsPackage:
    """Return the bundled copy of ``name``, else the one in a ``node_modules`` folder."""
    for folder in (VENDOR / name, project_root / "node_modules" / name,
                   PACKAGE_DIR.parent / "node_modules" / name):
        if (folder / "package.json").is_file():
            return JsPackage(name, folder.resolve())
    raise UsageError(f"error: the JavaScript package '{name}' is missing: in the generator's "
                     "repository run 'make setup' (npm ci, then python -m generator.assets); "
                     "an installed wheel bundles it")


def vendor(node_modules: Path, target: Path = VENDOR) -> list[str]:
    """Copy the wanted files of every package from ``node_modules`` into ``target``."""
    copied = []
    for name, patterns in WANTED.items():
        source = node_modules / name
        if not (source / "package.json").is_file():
            raise SystemExit(f"error: {source} is missing: run 'npm ci' first")
        destination = target / name
        shutil.rmtree(destination, ignore_errors=True)
        for pattern in patterns:
            for path in sorted(source.glob(pattern)):
                out = destination / path.relative_to(source)
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, out)
                copied.append(out.relative_to(target).as_posix())
    return copied


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else PACKAGE_DIR.parent
    files = vendor(root / "node_modules")
    print(f"vendored {len(files)} files into {VENDOR}", file=sys.stderr)
