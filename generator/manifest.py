"""The no-op check: a manifest of the last successful build into an output folder.

A build first compares its inputs with the manifest the last successful build
into the same output folder left: the entries folder (every file, so code and
data an entry reads count too), pyproject.toml, the macros, the theme, the
configuration as the command line made it, the generator's own files (code,
templates, static files, the bundled KaTeX), the versions of Python, numpy and
matplotlib and the node binary. When nothing differs and every output file is
still there with its size, the build stops: nothing is parsed, rendered or
written, and none of the heavy libraries is imported (this module imports only
the standard library, and so does everything the check needs).

Files are compared by size and modification time first, and by a SHA-256 of
their bytes only where those differ (a ``touch`` or a checkout) or where the
file changed so close to the last build that its time alone cannot be trusted
(git's "racy clean" problem).

The manifest lives in the cache folder (``builds/<digest of the output path>.json``),
not in the site: it holds modification times, so a copy in the site would break
byte-identical rebuilds and publish them. It is written after the new site is in
place, under the output folder's lock; a build killed before that leaves the
previous manifest, whose inputs then differ, so the next build does the work.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

from . import __version__
from .config import SiteConfig
from .write import MARKER as SITE_MARKER

FORMAT = 1
PACKAGE_DIR = Path(__file__).resolve().parent
RACY_SECONDS = 2.0
"""A file changed this close to the start of the last build is hashed, whatever its time says."""
VERSIONED_PACKAGES = ("numpy", "matplotlib")
"""Snippet results depend on these; their installed files are inputs (no import, no metadata scan)."""
SKIPPED_NAMES = ("__pycache__", ".pytest_cache", ".mypy_cache")


@dataclass(frozen=True)
class FileState:
    """What a file was when a build read it."""

    size: int
    mtime_ns: int
    sha256: str = ""


@dataclass
class Inputs:
    """Every input of a build, taken before the build reads any of them."""

    settings: str
    """Digest of the configuration and of the versions that are not files."""
    files: dict[str, FileState] = field(default_factory=dict)
    """Keyed by ``<group>:<path within the group>`` (``entries:nets/relu.md``)."""
    started_ns: int = 0


@dataclass
class Previous:
    """The manifest of the last successful build, as read back."""

    inputs: Inputs
    outputs: dict[str, int]
    """Every output file (path in the site) with its size in bytes."""
    summary: dict
    digests: dict[str, str] = field(default_factory=dict)
    """Every output file with the SHA-256 of the bytes written (``write.py`` links those
    unchanged instead of writing them again)."""


def _settings(config: SiteConfig) -> str:
    """Return a digest of everything but files that changes the output."""
    kept = dataclasses.asdict(dataclasses.replace(config, jobs=0, warnings=(), isolation="fork"))
    node = shutil.which("node") or ""
    node_state = _stat(Path(node), follow=True) if node else None
    described = {"config": kept, "python": sys.version, "executable": sys.executable,
                 "generator": __version__, "node": [node, node_state and dataclasses.astuple(node_state)]}
    blob = json.dumps(described, sort_keys=True, default=_json_default)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _json_default(value: object) -> object:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return str(value)


def _stat(path: Path, follow: bool = False) -> FileState | None:
    """Return a file's size and time; a symbolic link's own (its target is never read here)."""
    try:
        st = os.stat(path) if follow else os.lstat(path)
    except OSError:
        return None
    return FileState(st.st_size, st.st_mtime_ns)


def _walk(folder: Path) -> list[tuple[str, Path]]:
    """Return (relative posix path, path) of every file under ``folder``, hidden names skipped."""
    found = []
    for current, subfolders, files in os.walk(folder):  # links to folders inside: walked as themselves
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d not in SKIPPED_NAMES)
        base = Path(current)
        for name in files:
            if name.startswith(".") or name.endswith((".pyc", ".tmp")):
                continue
            path = base / name
            found.append((path.relative_to(folder).as_posix(), path))
    return found


def _input_paths(config: SiteConfig, out: Path) -> dict[str, Path]:
    """Return every input file by its manifest key."""
    paths: dict[str, Path] = {}
    groups = {"entries": config.resolve(config.entries), "generator": PACKAGE_DIR}
    if config.theme_dir is not None:
        groups["theme"] = config.resolve(config.theme_dir)
    for group, folder in groups.items():
        if folder.is_dir():
            for rel, path in _walk(folder):
                if not _inside(path, out):
                    paths[f"{group}:{rel}"] = path
    for name, path in (("pyproject.toml", config.root / "pyproject.toml"),
                       ("macros", config.resolve(config.macros))):
        paths[f"project:{name}"] = path
    for package in VERSIONED_PACKAGES:
        paths[f"package:{package}"] = _package_marker(package)
    return paths


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def _package_marker(package: str) -> Path:
    """Return the file of an installed package that changes with its version (not imported)."""
    spec = find_spec(package)
    if spec is None or spec.origin is None:
        return Path(f"/nonexistent/{package}")
    folder = Path(spec.origin).parent
    for name in ("version.py", "_version.py"):
        if (folder / name).is_file():
            return folder / name
    return Path(spec.origin)


def _digest(path: Path) -> str:
    """Return the SHA-256 of a file's bytes, or of a link's target path (a link leading
    out of the entries folder must never be read: discover refuses it)."""
    try:
        if path.is_symlink():
            return hashlib.sha256(os.fsencode(os.readlink(path))).hexdigest()
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def take_inputs(config: SiteConfig, out: Path, previous: Previous | None = None) -> Inputs:
    """Stat (and where needed hash) every input, reusing the hashes of files that did not change."""
    started = time.time_ns()
    known = previous.inputs if previous else None
    inputs = Inputs(_settings(config), started_ns=started)
    for key, path in _input_paths(config, out).items():
        state = _stat(path)
        if state is None:
            inputs.files[key] = FileState(-1, 0)
            continue
        before = known.files.get(key) if known else None
        if before is not None and _same(state, before, known.started_ns):
            inputs.files[key] = before
        else:
            inputs.files[key] = FileState(state.size, state.mtime_ns, _digest(path))
    return inputs


def _same(state: FileState, before: FileState, started_ns: int) -> bool:
    """Return True when size and time match and the time is old enough to be trusted."""
    return (state.size == before.size and state.mtime_ns == before.mtime_ns
            and state.mtime_ns < started_ns - int(RACY_SECONDS * 1e9))


def manifest_path(config: SiteConfig, out: Path) -> Path:
    """Return where the manifest of builds into ``out`` is kept."""
    name = hashlib.sha256(os.fsencode(out.resolve())).hexdigest()[:24]
    return config.resolve(config.cache_dir) / "builds" / f"{name}.json"


def read_previous(config: SiteConfig, out: Path) -> Previous | None:
    """Return the manifest of the last successful build into ``out``, or None if unusable."""
    try:
        data = json.loads(manifest_path(config, out).read_text("utf-8"))
        if data.get("format") != FORMAT:
            return None
        inputs = Inputs(data["settings"], {key: FileState(*value) for key, value in data["inputs"].items()},
                        int(data["started_ns"]))
        return Previous(inputs, {k: int(v) for k, v in data["outputs"].items()}, dict(data["summary"]),
                        {k: str(v) for k, v in data.get("digests", {}).items()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def up_to_date(config: SiteConfig, out: Path) -> Previous | None:
    """Return the last build's manifest when its inputs and outputs are all unchanged, else None."""
    previous = read_previous(config, out)
    if previous is None or _settings(config) != previous.inputs.settings:
        return None
    paths = _input_paths(config, out)
    if paths.keys() != previous.inputs.files.keys():
        return None  # a file was added or removed
    for key, path in paths.items():
        if not _unchanged(path, previous.inputs.files[key], previous.inputs.started_ns):
            return None
    if _site_files(out) != previous.outputs:
        return None  # an output was deleted, added or changed by hand: the build replaces the folder
    return previous


def _site_files(out: Path) -> dict[str, int]:
    """Return every file of the site folder (its marker aside) with its size."""
    found = {}
    for current, _subfolders, files in os.walk(out):
        base = Path(current)
        for name in files:
            path = base / name
            found[path.relative_to(out).as_posix()] = os.lstat(path).st_size
    found.pop(SITE_MARKER, None)
    return found


def _unchanged(path: Path, before: FileState, started_ns: int) -> bool:
    state = _stat(path)
    if state is None:
        return before.size == -1
    if _same(state, before, started_ns):
        return True
    return state.size == before.size and _digest(path) == before.sha256


def record(config: SiteConfig, out: Path, inputs: Inputs, written: dict[str, str],
           summary: dict) -> None:
    """Write the manifest of a successful build: its inputs, its outputs (with sizes and
    digests), its counts."""
    outputs = {dest: (out / dest).stat().st_size for dest in written}
    data = {"format": FORMAT, "settings": inputs.settings, "started_ns": inputs.started_ns,
            "inputs": {key: dataclasses.astuple(state) for key, state in sorted(inputs.files.items())},
            "outputs": dict(sorted(outputs.items())), "summary": summary,
            "digests": dict(sorted(written.items()))}
    path = manifest_path(config, out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
