"""``glossary serve``: build, serve on 127.0.0.1, rebuild on change, reload the browser.

Pages get a small script that polls ``/__glossary/status``; when a rebuild
finishes it reloads, and while the last rebuild failed it shows the
diagnostics over the page. Requests that would leave the site folder are refused.
"""

from __future__ import annotations

import json
import posixpath
import signal
import sys
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .build import build
from .config import SiteConfig
from .diagnostics import BuildFailed, Reporter, UsageError, print_diagnostics

LIVE_JS = b"""(function () {
  // The build this page came from, stamped by the server when it sent the page.
  var seen = Number(document.currentScript.getAttribute("data-build"));
  function overlay(errors) {
    var box = document.getElementById("glossary-overlay");
    if (!errors.length) { if (box) box.remove(); return; }
    if (!box) { box = document.createElement("div"); box.id = "glossary-overlay";
      box.setAttribute("role", "alert"); document.body.appendChild(box); }
    box.textContent = "The last rebuild failed; the page shows the previous build.\\n\\n" + errors.join("\\n");
  }
  function poll() {
    fetch("/__glossary/status", {cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.build !== seen && !s.errors.length) { location.reload(); return; }
        overlay(s.errors);
      }).catch(function () {}).finally(function () { setTimeout(poll, 400); });
  }
  poll();
})();
"""


class BuildState:
    """The number of the last build and the diagnostics of the last failed one."""

    def __init__(self):
        self.lock = threading.Lock()
        self.build_number = 0
        self.errors: list[str] = []

    def snapshot(self) -> dict:
        with self.lock:
            return {"build": self.build_number, "errors": list(self.errors)}


def rebuild(config: SiteConfig, state: BuildState, worker=None, recent=None) -> bool:
    """Build once; print and record the diagnostics; return True on success.

    :param worker: the snippet worker kept warm between rebuilds (``execute.SnippetWorker``).
    :param recent: what the last rebuild parsed and made (``render_cache.Recent``).
    """
    reporter = Reporter()
    try:
        result = build(config, reporter, worker=worker, recent=recent)
        ok = True
    except BuildFailed:
        ok = False
    diagnostics = reporter.sorted()
    print_diagnostics(diagnostics, sys.stderr)
    with state.lock:
        state.build_number += 1
        state.errors = [] if ok else [d.format() for d in diagnostics if d.severity == "error"]
    if ok:
        print(f"glossary: rebuilt {result.pages} pages in {result.seconds:.2f} s", file=sys.stderr)
    return ok


REQUEST_TIMEOUT = 5.0
"""Seconds a client may take per read or write: one that never finishes its request is dropped."""


class Handler(SimpleHTTPRequestHandler):
    """Serve the site folder only; add the live-reload script to HTML pages."""

    timeout = REQUEST_TIMEOUT  # each client has its own thread; this bounds how long it is held

    def __init__(self, *args, state: BuildState, site: Path, **kwargs):
        self.state, self.site = state, site
        super().__init__(*args, directory=str(site), **kwargs)

    def log_message(self, format, *args):  # keep the terminal for diagnostics
        pass

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/__glossary/status":
            return self._send(json.dumps(self.state.snapshot()).encode(), "application/json")
        if path == "/__glossary/live.js":
            return self._send(LIVE_JS, "text/javascript")
        target = safe_path(self.site, path)
        if target is None:
            return self.send_error(HTTPStatus.FORBIDDEN, "outside the site folder")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            missing = self.site / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"not found"
            return self._send(self._inject(body), "text/html; charset=utf-8", HTTPStatus.NOT_FOUND)
        body = target.read_bytes()
        if target.suffix == ".html":
            return self._send(self._inject(body), "text/html; charset=utf-8")
        return self._send(body, self.guess_type(str(target)))

    def do_HEAD(self):
        self.send_error(HTTPStatus.METHOD_NOT_ALLOWED)

    def _inject(self, body: bytes) -> bytes:
        """Add the live-reload script, stamped with the build the page belongs to."""
        build = self.state.snapshot()["build"]
        tag = f'<script src="/__glossary/live.js" data-build="{build}"></script>'.encode()
        return body.replace(b"</body>", tag + b"</body>", 1) if b"</body>" in body else body + tag

    def _send(self, body: bytes, content_type: str, status=HTTPStatus.OK):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def safe_path(site: Path, url_path: str) -> Path | None:
    """Return the file a URL path names inside ``site``, or None if it would leave it."""
    decoded = unquote(unquote(url_path))  # double-encoded ../ too
    if "\\" in decoded or "\x00" in decoded:
        return None
    parts = decoded.split("/")
    if any(part == ".." for part in parts):
        return None
    normal = posixpath.normpath("/" + decoded).lstrip("/")
    candidate = site / normal if normal not in ("", ".") else site
    root = site.resolve()
    expected = root / normal if normal not in ("", ".") else root
    try:
        resolved = candidate.resolve()
    except OSError:
        return None
    if resolved != expected:
        return None  # a symlink inside the site: never followed
    return resolved


def _watch_paths(config: SiteConfig) -> list[Path]:
    package = Path(__file__).parent
    paths = [config.resolve(config.entries), package / "templates", package / "static"]
    theme = [config.resolve(config.theme_dir)] if config.theme_dir else []
    for extra in (config.resolve(config.macros), config.root / "pyproject.toml", *theme):
        if extra.exists():
            paths.append(extra)
    return paths


WATCH_STEP_MS = 20
"""A change is built once no other came for this long (an editor's save is a few events)."""
WATCH_DEBOUNCE_MS = 100
"""...and at the latest this long after the first change, while changes keep coming."""


def _watch(config: SiteConfig, state: BuildState, stop: threading.Event, worker,
           recent) -> None:
    from watchfiles import watch
    for _changes in watch(*_watch_paths(config), stop_event=stop, debounce=WATCH_DEBOUNCE_MS,
                          step=WATCH_STEP_MS):
        rebuild(config, state, worker, recent)


def serve(config: SiteConfig, port: int) -> int:
    """Build, then serve until Ctrl-C, rebuilding on every change."""
    # Ctrl-C stops the server even when started from a shell that ignores SIGINT (a
    # background job): Python does not install its handler when SIGINT starts ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from .cache import keep_in_memory
    from .write import remove_old_sites_in_background
    from .execute import SnippetWorker
    from .render_cache import Recent
    state = BuildState()
    worker = SnippetWorker(config)  # started once, warm for every rebuild after an edit
    recent = Recent()  # what the last rebuild parsed and made: an edit redoes its part only
    keep_in_memory()  # snippet results and formulas too: a rebuild reads no cache file again
    remove_old_sites_in_background()  # the new page is served while the old site goes
    try:
        rebuild(config, state, worker, recent)
        worker.start()
        return _serve_until_stopped(config, port, state, worker, recent)
    finally:
        worker.close()


def _serve_until_stopped(config: SiteConfig, port: int, state: BuildState, worker,
                         recent) -> int:
    site = config.resolve(config.out)
    site.mkdir(parents=True, exist_ok=True)
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), partial(Handler, state=state, site=site))
        server.daemon_threads = True  # a stuck client never delays Ctrl-C
    except OSError as exc:
        raise UsageError(f"error: cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(config, state, stop, worker, recent),
                               daemon=True)
    watcher.start()
    try:
        print(f"glossary: serving http://127.0.0.1:{server.server_port}/ (Ctrl-C to stop)",
              file=sys.stderr, flush=True)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("\nglossary: stopped", file=sys.stderr)
    finally:
        stop.set()
        server.server_close()
        watcher.join(timeout=2)
    return 0
