"""`make bench`: the synthetic glossary built by this generator and by the tools people use instead.

For each corpus size N and each tool (this generator, MkDocs + Material + markdown-exec,
Jupyter Book 1, sphinx-gallery) it times, as whole-process wall time: a cold build (fresh
project, no output, no cache), a rebuild with nothing changed, and a rebuild after one
snippet changed; for this generator also a rebuild after a template changed (every page
re-rendered) and, under ``glossary serve``, the time from saving a changed snippet to the
rebuilt page being served. A plain Python process running the same snippets and saving
their figures as SVG is the baseline. Everything is repeated R times, interleaved across
tools (the order rotates each round), and reported as medians with ratios ours/theirs
from the same run, in a table on stdout and in bench/RESULTS.md.

    python bench/run.py                 # N = 30 and 100, R = 3
    python bench/run.py --quick         # N = 30, R = 1 (development)
    python bench/run.py --n 30 100 1000 # add N = 1000 (every tool)
    python bench/run.py --n 5000 --tools ours baseline   # N = 5000: ours only
    python bench/run.py --mode fork-vs-spawn             # the shipped glossary, fork vs spawn

The generator measured is a copy of the checkout's ``generator/`` package (so the
template edit never touches the checkout), run with the checkout's ``.venv`` Python.
The other tools run from their own venvs under ``.bench/`` (``make bench`` installs them
from ``bench/requirements-*.txt``), in their default (serial) configuration.
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / ".bench"
WORK = BENCH / "work"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TOOLS = ("ours", "mkdocs", "jupyterbook", "sphinx-gallery", "baseline")
NAMES = {"ours": "this generator", "mkdocs": "MkDocs + Material + markdown-exec",
         "jupyterbook": "Jupyter Book 1 (MyST-NB + jupyter-cache)", "sphinx-gallery": "sphinx-gallery",
         "baseline": "plain Python, snippets in sequence"}
PHASES = ("cold", "noop", "change", "template")
PHASE_NAMES = {"cold": "cold", "noop": "nothing changed", "change": "one snippet changed",
               "template": "template changed", "serve": "serve: save to rebuilt page"}
BUILD_TIMEOUT = 3 * 3600


# --- running one command ---------------------------------------------------------------

@dataclass
class Run:
    """One timed process: wall seconds, exit status, peak RSS, output tails."""

    seconds: float
    returncode: int
    maxrss_mb: float
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def timed(cmd: list[str], cwd: Path, env: dict) -> Run:
    """Run ``cmd`` and return its wall time and the peak RSS of its process tree.

    The peak comes from ``wait4``: the largest resident set of the process itself or of
    any descendant it waited for (Linux ``ru_maxrss``), i.e. the largest single process,
    not a sum over the tree.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        timer = threading.Timer(BUILD_TIMEOUT, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds, proc.returncode, usage.ru_maxrss / 1024,
                   out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def tool_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MPLBACKEND", "IPYTHONDIR")}
    env.update(extra)
    return env


# --- the tools -------------------------------------------------------------------------

class Tool:
    """How one tool builds a project folder, and where the page of an entry lands."""

    name = ""
    phases = ("cold", "noop", "change")

    def __init__(self, n: int):
        self.n = n
        self.root = WORK / f"n{n}" / self.name

    def prepare(self, concepts) -> None:
        corpus.write(concepts, self.name, self.root)

    def build(self) -> Run:
        raise NotImplementedError

    def page(self, slug: str) -> Path:
        raise NotImplementedError

    def entry_file(self, slug: str) -> Path:
        return corpus.entry_file(self.name, self.root, slug)


class Ours(Tool):
    name = "ours"
    phases = ("cold", "noop", "change", "template")
    generator = WORK / "generator"  # the copy of the checkout's package

    def prepare(self, concepts) -> None:
        super().prepare(concepts)
        (self.root / "node_modules").symlink_to(ROOT / "node_modules")

    def env(self) -> dict:
        return tool_env(PYTHONPATH=str(self.generator))

    def build(self) -> Run:
        return timed([sys.executable, "-m", "generator", "build", "--json"], self.root, self.env())

    def page(self, slug: str) -> Path:
        return self.root / "site" / "concepts" / f"{slug}.html"

    @classmethod
    def snapshot(cls) -> None:
        """Copy the checkout's generator package (templates included) and compile it."""
        shutil.rmtree(cls.generator, ignore_errors=True)
        shutil.copytree(ROOT / "generator", cls.generator / "generator",
                        ignore=shutil.ignore_patterns("__pycache__"))
        compileall.compile_dir(cls.generator, quiet=1)

    @classmethod
    def edit_template(cls, number: int) -> None:
        base = cls.generator / "generator" / "templates" / "base.html"
        text = re.sub(r"\n<!-- bench edit \d+ -->\n?$", "\n", base.read_text("utf-8"))
        base.write_text(text.rstrip("\n") + f"\n<!-- bench edit {number} -->\n", "utf-8")


class MkDocs(Tool):
    name = "mkdocs"

    def build(self) -> Run:
        return timed([str(BENCH / "venv-mkdocs" / "bin" / "mkdocs"), "build", "--quiet"], self.root,
                     tool_env(MPLBACKEND="Agg"))

    def page(self, slug: str) -> Path:
        return self.root / "site" / slug / "index.html"


class JupyterBook(Tool):
    name = "jupyterbook"

    def build(self) -> Run:
        # IPYTHONDIR: a profile that makes the kernel save figures as SVG (see corpus.py).
        return timed([str(BENCH / "venv-jupyterbook" / "bin" / "jupyter-book"), "build", "."], self.root,
                     tool_env(IPYTHONDIR=str(self.root / ".ipython")))

    def page(self, slug: str) -> Path:
        return self.root / "_build" / "html" / f"{slug}.html"


class SphinxGallery(Tool):
    name = "sphinx-gallery"

    def build(self) -> Run:
        return timed([str(BENCH / "venv-sphinx-gallery" / "bin" / "sphinx-build"), "-q", "-b", "html",
                      ".", "_build/html"], self.root, tool_env(MPLBACKEND="Agg"))

    def page(self, slug: str) -> Path:
        return self.root / "_build" / "html" / "auto_examples" / f"{corpus.sg_name(slug)}.html"


class Baseline(Tool):
    name = "baseline"
    phases = ("cold",)

    def prepare(self, concepts) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True)
        (self.root / "snippets.json").write_text(json.dumps(corpus.snippets(concepts)), "utf-8")

    def build(self) -> Run:
        shutil.rmtree(self.root / "figures", ignore_errors=True)
        return timed([sys.executable, str(Path(__file__).with_name("baseline.py")), "snippets.json",
                      "figures"], self.root, tool_env(MPLBACKEND="Agg"))


CLASSES = {c.name: c for c in (Ours, MkDocs, JupyterBook, SphinxGallery, Baseline)}


# --- measuring -------------------------------------------------------------------------

@dataclass
class Sample:
    tool: str
    n: int
    phase: str
    round: int
    seconds: float
    ok: bool
    maxrss_mb: float = 0.0
    generator_seconds: float | None = None
    pages: int | None = None
    verified: bool | None = None
    note: str = ""


@dataclass
class Bench:
    samples: list[Sample] = field(default_factory=list)
    edits: int = 0

    def record(self, sample: Sample) -> None:
        self.samples.append(sample)
        flag = "" if sample.ok else "  FAILED"
        if sample.verified is False:
            flag += "  (edit not seen in the output)"
        extra = f"  generator {sample.generator_seconds:.2f} s" if sample.generator_seconds is not None else ""
        print(f"  N={sample.n:<5} {sample.tool:<15} {sample.phase:<9} {sample.seconds:8.2f} s"
              f"  peak {sample.maxrss_mb:6.0f} MB{extra}{flag}", flush=True)
        if sample.note and not sample.ok:
            print("      " + sample.note.replace("\n", "\n      "), flush=True)

    def next_value(self) -> float:
        """A scale value never used before in this run (so no cache can answer it)."""
        self.edits += 1
        return round(1.0 + self.edits / 10000, 4)


def sample_of(tool: Tool, phase: str, rnd: int, run: Run) -> Sample:
    s = Sample(tool.name, tool.n, phase, rnd, run.seconds, run.ok, run.maxrss_mb)
    if not run.ok:
        tail = (run.stderr.strip() or run.stdout.strip()).splitlines()[-6:]
        s.note = "\n".join(tail) or f"exit status {run.returncode}"
    if tool.name == "ours" and run.stdout.strip():
        try:
            report = json.loads(run.stdout)
            s.generator_seconds, s.pages = report.get("seconds"), report.get("pages")
        except ValueError:
            pass
    return s


def one_round(tool: Tool, concepts, rnd: int, bench: Bench) -> None:
    """Cold, no-op, one snippet changed (and for ours: template changed), in that order."""
    tool.prepare(concepts)
    slug = corpus.slug_of(tool.n // 2)
    cold = tool.build()
    bench.record(sample_of(tool, "cold", rnd, cold))
    if not cold.ok:
        return
    for phase in tool.phases[1:]:
        value = None
        if phase == "change":
            value = bench.next_value()
            corpus.edit_snippet(tool.entry_file(slug), value)
        elif phase == "template":
            Ours.edit_template(bench.edits + 1000 * rnd)
        run = tool.build()
        sample = sample_of(tool, phase, rnd, run)
        if value is not None and run.ok:
            page = tool.page(slug)
            sample.verified = page.is_file() and f"scale={value}" in page.read_text("utf-8", "replace")
        bench.record(sample)


def serve_edits(n: int, concepts, edits: int, bench: Bench) -> None:
    """Time saving a changed snippet -> the rebuilt page served by ``glossary serve``."""
    tool = Ours(n)
    tool.prepare(concepts)
    slug = corpus.slug_of(n // 2)
    proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", "0"], cwd=tool.root,
                            env=tool.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    ready = threading.Event()
    url: list[str] = []

    def drain() -> None:  # keep reading, or a full pipe would block the server
        for line in proc.stderr:
            lines.append(line.rstrip())
            found = re.search(r"serving (http://127\.0\.0\.1:\d+/)", line)
            if found and not url:
                url.append(found.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=drain, daemon=True).start()
    try:
        if not ready.wait(BUILD_TIMEOUT) or not url:
            bench.record(Sample("ours", n, "serve", 0, float("nan"), False,
                                note="\n".join(lines[-6:]) or "serve did not start"))
            return
        base = url[0]
        time.sleep(1.5)  # the watcher thread starts just before the URL is printed
        page_url = base + f"concepts/{slug}.html"
        for rnd in range(edits):
            before = _status(base)["build"]
            value = bench.next_value()
            corpus.edit_snippet(tool.entry_file(slug), value)
            saved = time.perf_counter()
            ok, note, seen = False, "", False
            while time.perf_counter() - saved < 300:
                status = _status(base)
                if status["build"] > before:
                    if status["errors"]:
                        note = "\n".join(status["errors"][-4:])
                        break
                    body = _get(page_url)
                    seen = f"scale={value}" in body
                    ok = True
                    break
                time.sleep(0.005)
            else:
                note = "no rebuild within 300 s"
            seconds = time.perf_counter() - saved
            bench.record(Sample("ours", n, "serve", rnd, seconds, ok, verified=seen if ok else None,
                                note=note))
            time.sleep(1.0)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8", "replace")


def _status(base: str) -> dict:
    return json.loads(_get(base + "__glossary/status"))


# --- the report ------------------------------------------------------------------------

def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def summarize(bench: Bench) -> dict:
    """(tool, n, phase) -> {median, runs, failed, peak, generator seconds, pages, unverified}."""
    table: dict = {}
    for s in bench.samples:
        cell = table.setdefault((s.tool, s.n, s.phase), {"runs": [], "failed": 0, "peaks": [],
                                                        "gen": [], "pages": None, "unverified": 0,
                                                        "notes": []})
        if s.ok:
            cell["runs"].append(s.seconds)
            cell["peaks"].append(s.maxrss_mb)
            if s.generator_seconds is not None:
                cell["gen"].append(s.generator_seconds)
            cell["pages"] = s.pages or cell["pages"]
        else:
            cell["failed"] += 1
            cell["notes"].append(s.note)
        if s.verified is False:
            cell["unverified"] += 1
    for cell in table.values():
        cell["median"] = median(cell["runs"])
        cell["gen_median"] = median(cell["gen"])
        cell["peak"] = max(cell["peaks"]) if cell["peaks"] else None
    return table


def fmt_s(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f} s" if value >= 0.995 else f"{value * 1000:.0f} ms"


def cell_text(cell: dict | None) -> str:
    if cell is None:
        return "-"
    if cell["median"] is None:
        return f"failed ({cell['failed']}/{cell['failed']})"
    text = fmt_s(cell["median"])
    if cell["failed"]:
        text += f" ({cell['failed']} failed)"
    if cell["unverified"]:
        text += " (edit not in output!)"
    return text


def ratio(table: dict, n: int, phase: str, other: str, other_phase: str | None = None) -> float | None:
    ours, theirs = table.get(("ours", n, phase)), table.get((other, n, other_phase or phase))
    if not ours or not theirs or ours["median"] is None or theirs["median"] is None:
        return None
    return ours["median"] / theirs["median"]


def targets(table: dict, sizes: list[int]) -> list[tuple[str, str, str]]:
    """The issue's targets: (target, measured, verdict)."""
    rows = []

    def get(tool, n, phase, key="median"):
        cell = table.get((tool, n, phase))
        return None if not cell else cell[key]

    def verdict(value, limit, lower_is_better=True, unit=""):
        if value is None:
            return "not measured"
        met = value <= limit if lower_is_better else value >= limit
        return "met" if met else f"missed ({value / limit:.1f}x the limit)" if lower_is_better else "missed"

    for n, limit in ((100, 0.2), (1000, 0.6)):
        v = get("ours", n, "noop")
        rows.append((f"nothing changed at N={n}: at most {limit} s", fmt_s(v), verdict(v, limit)))
    for n in (100, 1000):
        r = ratio(table, n, "noop", "sphinx-gallery")
        rows.append((f"nothing changed at N={n}: at least 6x faster than sphinx-gallery (ours/theirs <= 0.17)",
                     "-" if r is None else f"ours/theirs {r:.2f} ({1 / r:.1f}x faster)" if r else "-",
                     verdict(r, 1 / 6)))
    r = ratio(table, 100, "change", "sphinx-gallery")
    rows.append(("one snippet changed at N=100: at most 0.5x sphinx-gallery",
                 "-" if r is None else f"{r:.2f}x", verdict(r, 0.5)))
    for other, limit, label in (("mkdocs", 0.5, "MkDocs + markdown-exec"),
                                ("baseline", 0.6, "one plain Python process running the snippets"),
                                ("jupyterbook", 1 / 40, "Jupyter Book")):
        r = ratio(table, 100, "cold", other)
        rows.append((f"cold at N=100: at most {limit:.3g}x {label}", "-" if r is None else f"{r:.3f}x",
                     verdict(r, limit)))
    a, b = get("ours", 100, "cold"), get("ours", 1000, "cold")
    per = None if a is None or b is None else (b / 1000) / (a / 100)
    rows.append(("cold: time per entry at N=1000 within 1.2x of that at N=100",
                 "-" if per is None else f"{b / 1000 * 1000:.0f} ms vs {a / 100 * 1000:.0f} ms per entry "
                 f"({per:.2f}x)", verdict(per, 1.2)))
    for n in sorted(set(sizes) | {1000}):
        gen, pages = get("ours", n, "template", "gen_median"), get("ours", n, "template", "pages")
        per_page = None if gen is None or not pages else gen / pages
        if n == 1000 or (n in sizes and per_page is not None):
            rows.append((f"template changed at N={n}: at most 1 ms of generator time per page"
                         + ("" if n == 1000 else " (target is for N=1000)"),
                         "-" if per_page is None else f"{per_page * 1000:.2f} ms/page ({pages} pages, "
                         f"generator {gen:.2f} s)", verdict(per_page, 0.001)))
    for n in sorted(set(sizes) | {1000}):
        peak = get("ours", n, "cold", "peak")
        if n == 1000 or peak is not None:
            rows.append((f"peak memory (largest process) at N={n}: at most 250 MB"
                         + ("" if n == 1000 else " (target is for N=1000)"),
                         "-" if peak is None else f"{peak:.0f} MB", verdict(peak, 250)))
    v = get("ours", 100, "serve")
    rows.append(("serve: an edited snippet shows within 0.5 s of saving at N=100", fmt_s(v), verdict(v, 0.5)))
    return rows


def machine() -> dict:
    cpu = "unknown"
    try:
        cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text()).group(1)
    except (OSError, AttributeError):
        pass
    ram = "unknown"
    try:
        kb = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram": ram, "os": platform.platform(),
            "python": platform.python_version(), "load": os.getloadavg()}


def versions() -> dict:
    """Versions of every tool, read from the environment each one runs in."""
    found = {}
    probe = ("import importlib.metadata as m, json, sys; out = {}\n"
             "for p in sys.argv[1:]:\n"
             "    try: out[p] = m.version(p)\n"
             "    except m.PackageNotFoundError: pass\n"
             "print(json.dumps(out))")
    envs = {"ours": (sys.executable, ["numpy", "matplotlib", "markdown-it-py", "Jinja2", "Pygments",
                                      "networkx", "PyYAML"]),
            "mkdocs": (BENCH / "venv-mkdocs" / "bin" / "python",
                       ["mkdocs", "mkdocs-material", "markdown-exec", "pymdown-extensions", "numpy",
                        "matplotlib"]),
            "jupyterbook": (BENCH / "venv-jupyterbook" / "bin" / "python",
                            ["jupyter-book", "sphinx", "myst-nb", "jupyter-cache", "sphinx-book-theme",
                             "ipykernel", "numpy", "matplotlib"]),
            "sphinx-gallery": (BENCH / "venv-sphinx-gallery" / "bin" / "python",
                               ["sphinx-gallery", "sphinx", "numpy", "matplotlib"])}
    for tool, (python, packages) in envs.items():
        try:
            out = subprocess.run([str(python), "-c", probe, *packages], capture_output=True, text=True,
                                 check=True).stdout
            found[tool] = json.loads(out)
        except (OSError, subprocess.CalledProcessError, ValueError):
            found[tool] = {}
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "generator"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        found["ours"]["generator"] = f"{commit}{' + uncommitted changes in generator/' if dirty else ''}"
    except OSError:
        pass
    try:
        found["ours"]["katex"] = json.loads((ROOT / "node_modules/katex/package.json").read_text())["version"]
        found["ours"]["node"] = subprocess.run(["node", "--version"], capture_output=True,
                                               text=True).stdout.strip()
    except (OSError, ValueError, KeyError):
        pass
    return found


def report(bench: Bench, args, started: datetime.datetime, info: dict, vers: dict) -> str:
    table = summarize(bench)
    sizes = args.n
    lines = [f"# Benchmark results (`make bench`)", "",
             f"Written by `bench/run.py {' '.join(sys.argv[1:])}` on {started:%Y-%m-%d %H:%M} UTC "
             f"(took {(datetime.datetime.now(datetime.timezone.utc) - started).seconds / 60:.0f} min).", ""]
    if args.note:
        lines += [f"**Note:** {args.note}", ""]
    load_end = os.getloadavg()
    lines += ["## Machine", "",
              f"- {info['nproc']} CPUs: {info['cpu']}; RAM {info['ram']}; {info['os']}; Python {info['python']}",
              f"- load average (1, 5, 15 min) at the start {tuple(round(x, 2) for x in info['load'])}, "
              f"at the end {tuple(round(x, 2) for x in load_end)}", "",
              "## Versions", ""]
    for tool, found in vers.items():
        lines.append(f"- {NAMES[tool]}: " + ", ".join(f"{k} {v}" for k, v in found.items()))
    lines += ["", "## Method", "",
              f"- Synthetic corpus from `bench/corpus.py`, N = {', '.join(map(str, sizes))}; each entry has a "
              "formula with chunks, a paragraph with wiki links, inline and display math, and one "
              "numpy/matplotlib snippet with asserts and one line plot (SVG for every tool).",
              f"- R = {args.rounds} rounds, interleaved: in each round every tool runs its phases in turn "
              "(the order of the tools rotates from round to round). Times are whole-process wall "
              "time (start to exit), medians over the rounds.",
              "- cold: a freshly written project, no output and no cache. nothing changed: the same "
              "build again. one snippet changed: the `scale = ...` line of one entry's snippet set to a "
              "value never used before (the rebuilt page is checked for it). template changed (ours): "
              "a comment appended to `base.html`, which every page extends. serve: `glossary serve` "
              "running, one snippet saved, then `/__glossary/status` polled until the build number "
              "moves and the page fetched (checked for the new value); the watcher's 200 ms debounce "
              "is included.",
              "- Peak memory: `ru_maxrss` from `wait4`, the largest single process of the build's "
              "process tree (main process or a worker), not a sum.",
              "- The other tools run in their default, serial configuration; their math is left to the "
              "browser (MathJax), while ours renders KaTeX at build time.",
              "- Baseline: one Python process (the generator's venv) running the same snippets in "
              "sequence, each in a fresh namespace, saving each figure with a plain "
              "`savefig(format=\"svg\")`.", ""]
    for n in sizes:
        lines += [f"## N = {n}", "", "| tool | " + " | ".join(PHASE_NAMES[p] for p in PHASES)
                  + " | peak memory |", "|---|" + "---|" * (len(PHASES) + 1)]
        for tool in TOOLS:
            cells = [table.get((tool, n, p)) for p in PHASES]
            if not any(cells):
                continue
            peak = (table.get((tool, n, "cold")) or {}).get("peak")
            lines.append(f"| {NAMES[tool]} | " + " | ".join(cell_text(c) for c in cells)
                         + f" | {'-' if peak is None else f'{peak:.0f} MB'} |")
        serve = table.get(("ours", n, "serve"))
        if serve:
            lines += ["", f"{PHASE_NAMES['serve']} (ours): {cell_text(serve)} (median of {len(serve['runs'])})"]
        gen = {p: table.get(("ours", n, p)) for p in PHASES}
        inner = ", ".join(f"{PHASE_NAMES[p]} {fmt_s(c['gen_median'])}" for p, c in gen.items()
                          if c and c["gen_median"] is not None)
        if inner:
            lines += ["", f"Ours, time the generator reports itself (`--json` seconds, without "
                      f"interpreter start and imports before the build): {inner}."]
        rows = []
        for other in ("mkdocs", "jupyterbook", "sphinx-gallery"):
            rs = [ratio(table, n, p, other) for p in ("cold", "noop", "change")]
            if any(r is not None for r in rs):
                rows.append(f"| {NAMES[other]} | " + " | ".join("-" if r is None else f"{r:.2f}" for r in rs)
                            + " |")
        rb = ratio(table, n, "cold", "baseline")
        if rows or rb is not None:
            lines += ["", "Ratios ours / theirs (below 1: we are faster):", "",
                      "| vs | cold | nothing changed | one snippet changed |", "|---|---|---|---|"] + rows
            if rb is not None:
                lines.append(f"| {NAMES['baseline']} | {rb:.2f} | | |")
        failures = [(k, c) for k, c in table.items() if k[1] == n and c["failed"]]
        for (tool, _, phase), c in failures:
            lines += ["", f"{NAMES[tool]}, {PHASE_NAMES[phase]}: failed {c['failed']} time(s); last lines:",
                      "", "```", c["notes"][-1], "```"]
        lines.append("")
    lines += ["## The issue's targets", "", "| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {v} |" for t, m, v in targets(table, sizes)]
    lines += ["", "## Every run", "", "| N | tool | phase | runs (s) |", "|---|---|---|---|"]
    for (tool, n, phase), c in sorted(table.items(), key=lambda kv: (kv[0][1], TOOLS.index(kv[0][0]),
                                                                      list(PHASE_NAMES).index(kv[0][2]))):
        runs = [round(s.seconds, 2) if s.ok else "failed" for s in bench.samples
                if (s.tool, s.n, s.phase) == (tool, n, phase)]
        lines.append(f"| {n} | {tool} | {phase} | {', '.join(map(str, runs))} |")
    return "\n".join(lines) + "\n"


# --- main ------------------------------------------------------------------------------

def check_tools(tools: list[str]) -> None:
    venvs = {"mkdocs": "venv-mkdocs", "jupyterbook": "venv-jupyterbook", "sphinx-gallery": "venv-sphinx-gallery"}
    missing = [t for t in tools if t in venvs and not (BENCH / venvs[t] / ".installed").is_file()]
    if missing:
        sys.exit(f"error: not installed: {', '.join(missing)}; run 'make bench' (it installs them into .bench/)")
    if not (ROOT / "node_modules" / "katex").is_dir():
        sys.exit("error: KaTeX is not installed; run 'make setup'")


def compare(args) -> None:
    tools = [t for t in TOOLS if t in args.tools]
    check_tools(tools)
    started = datetime.datetime.now(datetime.timezone.utc)
    info, vers = machine(), versions()
    WORK.mkdir(parents=True, exist_ok=True)
    Ours.snapshot()
    bench = Bench()
    corpora = {n: corpus.make_corpus(n) for n in args.n}
    print(f"bench: N = {args.n}, R = {args.rounds}, tools: {', '.join(tools)} ({info['nproc']} CPUs, "
          f"load {info['load'][0]:.2f})", flush=True)
    for rnd in range(args.rounds):
        print(f"round {rnd + 1} of {args.rounds}", flush=True)
        for n in args.n:
            here = [t for t in tools if t in ("ours", "baseline") or n <= args.others_max_n]
            shift = rnd % len(here)
            for name in here[shift:] + here[:shift]:
                one_round(CLASSES[name](n), corpora[n], rnd, bench)
    if "ours" in tools and not args.no_serve:
        for n in args.n:
            print(f"serve edits, N={n}", flush=True)
            serve_edits(n, corpora[n], max(args.rounds, 3), bench)
    text = report(bench, args, started, info, vers)
    out = args.results or RESULTS
    out.write_text(text, "utf-8")
    print()
    print(text)
    print(f"bench: wrote {out}")
    if not args.keep:
        shutil.rmtree(WORK, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("compare", "fork-vs-spawn"), default="compare")
    parser.add_argument("--n", type=int, nargs="+", default=[30, 100], help="corpus sizes (30 100)")
    parser.add_argument("--rounds", "-R", type=int, default=3, help="repetitions (3)")
    parser.add_argument("--quick", action="store_true", help="N = 30, R = 1")
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    parser.add_argument("--others-max-n", type=int, default=1000,
                        help="largest N built by the other tools (1000); above it ours and the baseline only")
    parser.add_argument("--no-serve", action="store_true", help="skip the serve-edit measurement")
    parser.add_argument("--results", type=Path, help="where to write the report (bench/RESULTS.md)")
    parser.add_argument("--note", default="", help="a sentence for the report (e.g. 'the machine was shared')")
    parser.add_argument("--keep", action="store_true", help="keep the projects in .bench/work")
    args, rest = parser.parse_known_args()
    if args.mode == "fork-vs-spawn":
        import bench_build
        sys.argv = [sys.argv[0], *rest]
        bench_build.main()
        return
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.quick:
        args.n, args.rounds = [30], 1
    compare(args)


if __name__ == "__main__":
    main()
