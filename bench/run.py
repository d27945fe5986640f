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
import dataclasses
import datetime
import json
import os
import platform
import re
import shlex
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
SERVE_POLL = 0.02
"""Seconds between two status requests while timing serve (each one costs the server a little)."""


# --- running one command ---------------------------------------------------------------

@dataclass
class Run:
    """One timed process: wall seconds, exit status, peak RSS, output tails."""

    seconds: float
    returncode: int
    maxrss_mb: float
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0
    """User + system CPU time of the process and every descendant it waited for."""

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
                   out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                   usage.ru_utime + usage.ru_stime)


SINGLE_THREAD_BLAS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""Every tool runs its snippets with one BLAS thread, as our worker does: on 2 cores a
threaded BLAS fights the build's own processes and makes the small matrices slower."""


def tool_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MPLBACKEND", "IPYTHONDIR")}
    env.update(SINGLE_THREAD_BLAS)
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
        expected = self.root / "site" / "concepts" / f"{slug}.html"
        if expected.is_file():
            return expected
        found = sorted((self.root / "site").rglob(f"{slug}.html")) + sorted(
            (self.root / "site").rglob(f"{slug}/index.html"))
        return found[0] if found else expected

    @classmethod
    def snapshot(cls) -> None:
        """Copy the checkout's generator package (templates included) and compile it."""
        shutil.rmtree(cls.generator, ignore_errors=True)
        shutil.copytree(ROOT / "generator", cls.generator / "generator",
                        ignore=shutil.ignore_patterns("__pycache__"))
        compileall.compile_dir(cls.generator, quiet=1)

    @classmethod
    def edit_template(cls, number: int) -> None:
        """Append a comment to base.html (every page extends it), else to every template."""
        folder = cls.generator / "generator" / "templates"
        targets = [folder / "base.html"] if (folder / "base.html").is_file() else sorted(folder.rglob("*.html"))
        if not targets:
            raise RuntimeError(f"no templates found in {folder}")
        for path in targets:
            text = re.sub(r"\n<!-- bench edit \d+ -->\n?$", "\n", path.read_text("utf-8"))
            path.write_text(text.rstrip("\n") + f"\n<!-- bench edit {number} -->\n", "utf-8")


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
    cpu_seconds: float | None = None
    load: float | None = None
    snippets_run: int | None = None
    """Ours: code blocks the build ran (the rest came from its cache)."""
    """1-minute load average when the sample ended (other agents' work shows here)."""


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
        peak = f"  peak {sample.maxrss_mb:6.0f} MB" if sample.maxrss_mb else ""
        print(f"  N={sample.n:<5} {sample.tool:<15} {sample.phase:<9} {sample.seconds:8.2f} s"
              f"{peak}{extra}{flag}", flush=True)
        if sample.note and not sample.ok:
            print("      " + sample.note.replace("\n", "\n      "), flush=True)

    def next_value(self) -> float:
        """A scale value never used before in this run (so no cache can answer it)."""
        self.edits += 1
        return round(1.0 + self.edits / 10000, 4)


def sample_of(tool: Tool, phase: str, rnd: int, run: Run) -> Sample:
    s = Sample(tool.name, tool.n, phase, rnd, run.seconds, run.ok, run.maxrss_mb,
               cpu_seconds=run.cpu_seconds, load=os.getloadavg()[0])
    if not run.ok:
        tail = (run.stderr.strip() or run.stdout.strip()).splitlines()[-6:]
        s.note = "\n".join(tail) or f"exit status {run.returncode}"
    if tool.name == "ours" and run.stdout.strip():
        try:
            report = json.loads(run.stdout)
            s.generator_seconds, s.pages = report.get("seconds"), report.get("pages")
            s.snippets_run = (report.get("snippets") or {}).get("run")
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
        page_url = base + tool.page(slug).relative_to(tool.root / "site").as_posix()
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
                time.sleep(SERVE_POLL)
            else:
                note = "no rebuild within 300 s"
            seconds = time.perf_counter() - saved
            bench.record(Sample("ours", n, "serve", rnd, seconds, ok, verified=seen if ok else None,
                                note=note, load=os.getloadavg()[0]))
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
                                                        "notes": [], "cpu": []})
        if s.ok:
            cell["runs"].append(s.seconds)
            cell["peaks"].append(s.maxrss_mb)
            if s.cpu_seconds is not None:
                cell["cpu"].append(s.cpu_seconds)
            if s.generator_seconds is not None:
                cell["gen"].append(s.generator_seconds)
            cell["pages"] = s.pages or cell["pages"]
        else:
            cell["failed"] += 1
            cell["notes"].append(s.note)
            cell.setdefault("failed_peaks", []).append(s.maxrss_mb)
        if s.verified is False:
            cell["unverified"] += 1
    for cell in table.values():
        cell["median"] = median(cell["runs"])
        cell["gen_median"] = median(cell["gen"])
        cell["cpu_median"] = median(cell["cpu"])
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
    """The issue's targets, each at the N it names: (target, measured, verdict).

    A target at an N this run did not build says "not measured" and, for orientation,
    the value at the largest N that was built.
    """
    rows = []

    def get(tool, n, phase, key="median"):
        cell = table.get((tool, n, phase))
        return None if not cell else cell[key]

    def verdict(value, limit):
        if value is None:
            return "not measured"
        return "met" if value <= limit else f"missed ({value / limit:.1f}x the limit)"

    def fallback(n, show):
        """Text for a target at ``n`` that was not measured: the value at the largest N built."""
        for m in sorted((m for m in sizes if m != n), reverse=True):
            text = show(m)
            if text:
                return f"not measured at N={n} (at N={m}: {text})"
        return f"not measured (run with --n {n})"

    def row(label, n, value, limit, show):
        if value is None and (table.get(("ours", n, "cold")) or {}).get("failed"):
            rows.append((label, f"our build failed at N={n}", "missed: the build failed"))
            return
        text = show(n) if value is not None else fallback(n, show)
        rows.append((label, text, verdict(value, limit)))

    def noop(m):
        v = get("ours", m, "noop")
        return None if v is None else fmt_s(v)

    def vs(other, phase):
        def show(m):
            r = ratio(table, m, phase, other)
            return None if r is None else f"ours/theirs {r:.3f}"
        return show

    for n, limit in ((100, 0.2), (1000, 0.6)):
        row(f"nothing changed at N={n}: at most {limit} s", n, get("ours", n, "noop"), limit, noop)
    for n in (100, 1000):
        row(f"nothing changed at N={n}: at least 6x faster than sphinx-gallery (ours/theirs at most 0.167)",
            n, ratio(table, n, "noop", "sphinx-gallery"), 1 / 6, vs("sphinx-gallery", "noop"))
    row("one snippet changed at N=100: at most 0.5x sphinx-gallery", 100,
        ratio(table, 100, "change", "sphinx-gallery"), 0.5, vs("sphinx-gallery", "change"))
    for other, limit, label in (("mkdocs", 0.5, "MkDocs + markdown-exec"),
                                ("baseline", 0.6, "one plain Python process running the same snippets"),
                                ("jupyterbook", 1 / 40, "Jupyter Book (1/40)")):
        row(f"cold at N=100: at most {limit:.3g}x {label}", 100, ratio(table, 100, "cold", other), limit,
            vs(other, "cold"))
    a, b = get("ours", 100, "cold"), get("ours", 1000, "cold")
    per = None if a is None or b is None else (b / 1000) / (a / 100)
    if b is None and (table.get(("ours", 1000, "cold")) or {}).get("failed"):
        rows.append(("cold: time per entry at N=1000 within 1.2x of that at N=100",
                     "our build failed at N=1000", "missed: the build failed"))
    else:
        rows.append(("cold: time per entry at N=1000 within 1.2x of that at N=100",
                     "not measured (needs N=100 and N=1000)" if per is None else
                     f"{b:.0f} ms vs {a * 10:.0f} ms per entry ({per:.2f}x)", verdict(per, 1.2)))

    def per_page(m):
        gen, pages = get("ours", m, "template", "gen_median"), get("ours", m, "template", "pages")
        return None if gen is None or not pages else gen / pages

    row("template changed at N=1000: at most 1 ms of generator time per page", 1000, per_page(1000), 0.001,
        lambda m: None if per_page(m) is None else
        f"{per_page(m) * 1000:.2f} ms/page ({get('ours', m, 'template', 'pages')} pages)")
    row("peak memory of the generator at N=1000: at most 250 MB (largest single process)", 1000,
        get("ours", 1000, "cold", "peak"), 250,
        lambda m: None if get("ours", m, "cold", "peak") is None else f"{get('ours', m, 'cold', 'peak'):.0f} MB")
    row("serve: an edited snippet shows within 0.5 s of saving at N=100", 100, get("ours", 100, "serve"), 0.5,
        lambda m: None if get("ours", m, "serve") is None else fmt_s(get("ours", m, "serve")))
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


def shown_argv(argv: list[str]) -> list[str]:
    """The command line with the --note text (printed below it) left out."""
    out, skip = [], False
    for arg in argv:
        if skip:
            out.append("NOTE")
        elif not arg.startswith("--note="):
            out.append(arg)
        skip = arg == "--note"
    return out


def report(raw: dict) -> str:
    """Return RESULTS.md for one run, from its raw record (see ``.bench/last-run.json``)."""
    bench = Bench([Sample(**s) for s in raw["samples"]])
    table = summarize(bench)
    sizes, info, vers, load_end = raw["n"], raw["machine"], raw["versions"], raw["load_end"]
    started = datetime.datetime.fromisoformat(raw["started"])
    took = (datetime.datetime.fromisoformat(raw["finished"]) - started).total_seconds()
    lines = ["# Benchmark results (`make bench`)", "",
             f"Written by `bench/run.py {shlex.join(shown_argv(raw['argv']))}`, started "
             f"{started:%Y-%m-%d %H:%M} UTC, took {took / 60:.0f} min. The raw samples are in the "
             "`.json` file beside this one; `bench/run.py --report THAT.json` rewrites this report "
             "from them.", ""]
    if raw["note"]:
        lines += [f"**Note:** {raw['note']}", ""]
    loads = [s.load for s in bench.samples if s.load is not None]
    busy = [x for x in loads if x > (info["nproc"] or 1)]
    if busy:
        lines += [f"**Caution: the machine was busy.** After {len(busy)} of {len(loads)} runs the 1-minute "
                  f"load average exceeded the {info['nproc']} CPUs (highest {max(loads):.1f}). Wall times "
                  "are then inflated, unevenly, and they are biased between tools: under contention a "
                  "tool with several processes (ours: a pool of workers) gets a larger share of the CPUs "
                  "than a single-process tool (MkDocs, the baseline, Sphinx). Ratios and met/missed "
                  "verdicts from such a run are indicative only; re-run on a quiet machine before "
                  "trusting any verdict within a factor of about 2 of its limit.", ""]
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
              f"- R = {raw['rounds']} rounds, interleaved: in each round every tool runs its phases in turn "
              "(the order of the tools rotates from round to round). Times are whole-process wall "
              "time (start to exit), medians over the rounds.",
              "- cold: a freshly written project, no output and no cache. nothing changed: the same "
              "build again. one snippet changed: the `scale = ...` line of one entry's snippet set to a "
              "value never used before (the rebuilt page is checked for it). template changed (ours): "
              "a comment appended to `base.html`, which every page extends. serve: `glossary serve` "
              "running, one snippet saved, then `/__glossary/status` polled until the build number "
              f"moves (polled every {raw.get('serve_poll_ms', 5):.0f} ms) and the page fetched (checked "
              "for the new value); the watcher's debounce is included.",
              "- CPU time (user + system from `wait4`, the process and every descendant it waited "
              "for) is shown as a cross-check; on a shared VM it also grows under contention "
              "(shared caches, the hypervisor), so it is not a clean measure either.",
              "- Peak memory: `ru_maxrss` from `wait4`, the largest single process of the build's "
              "process tree (main process or a worker), not a sum.",
              "- The other tools run in their default, serial configuration; their math is left to the "
              "browser (MathJax), while ours renders KaTeX at build time.",
              "- Every tool (and the baseline) runs with one BLAS thread (`OPENBLAS_NUM_THREADS=1` "
              "and friends), as our snippet worker does.",
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
            cold = table.get((tool, n, "cold")) or {}
            peak = f"{cold['peak']:.0f} MB" if cold.get("peak") is not None else (
                f"{max(cold['failed_peaks']):.0f} MB until it failed" if cold.get("failed_peaks") else "-")
            lines.append(f"| {NAMES[tool]} | " + " | ".join(cell_text(c) for c in cells) + f" | {peak} |")
        lines += ["", "CPU time (user + system of the whole process tree, medians; less sensitive than wall "
                  "time to other load on the machine, blind to parallelism):", "",
                  "| tool | " + " | ".join(PHASE_NAMES[p] for p in PHASES) + " |", "|---|" + "---|" * len(PHASES)]
        for tool in TOOLS:
            cells = [table.get((tool, n, p)) for p in PHASES]
            if any(cells):
                lines.append(f"| {NAMES[tool]} | " + " | ".join(
                    "-" if not c or c["cpu_median"] is None else fmt_s(c["cpu_median"]) for c in cells) + " |")
        serve = table.get(("ours", n, "serve"))
        if serve:
            lines += ["", f"{PHASE_NAMES['serve']} (ours): {cell_text(serve)} (median of {len(serve['runs'])})"]
        gen = {p: table.get(("ours", n, p)) for p in PHASES}
        inner = ", ".join(f"{PHASE_NAMES[p]} {fmt_s(c['gen_median'])}" for p, c in gen.items()
                          if c and c["gen_median"] is not None)
        if inner:
            lines += ["", f"Ours, time the generator reports itself (`--json` seconds, without "
                      f"interpreter start and imports before the build): {inner}."]
        ran = {p: sorted({s.snippets_run for s in bench.samples if (s.tool, s.n, s.phase) == ("ours", n, p)
                          and s.ok and s.snippets_run is not None}) for p in PHASES}
        if any(ran.values()):
            lines += ["", "Ours, snippet blocks run (the rest from the cache): " + ", ".join(
                f"{PHASE_NAMES[p]} {'/'.join(map(str, r))}" for p, r in ran.items() if r) + "."]
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
    lines += ["", "## Every run", "", "Wall seconds in the order run, and the 1-minute load average after each.",
              "", "| N | tool | phase | runs (s) | load |", "|---|---|---|---|---|"]
    for (tool, n, phase), c in sorted(table.items(), key=lambda kv: (kv[0][1], TOOLS.index(kv[0][0]),
                                                                      list(PHASE_NAMES).index(kv[0][2]))):
        mine = [s for s in bench.samples if (s.tool, s.n, s.phase) == (tool, n, phase)]
        runs = [f"{s.seconds:.2f}" if s.ok else "failed" for s in mine]
        loads = ["?" if s.load is None else f"{s.load:.1f}" for s in mine]
        lines.append(f"| {n} | {tool} | {phase} | {', '.join(runs)} | {', '.join(loads)} |")
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
    raw = {"argv": sys.argv[1:], "n": args.n, "rounds": args.rounds, "note": args.note,
           "started": started.isoformat(), "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(),
           "machine": info, "load_end": os.getloadavg(), "versions": vers, "serve_poll_ms": SERVE_POLL * 1000,
           "samples": [dataclasses.asdict(s) for s in bench.samples]}
    (BENCH / "last-run.json").write_text(json.dumps(raw, indent=1), "utf-8")
    text = report(raw)
    out = args.results or RESULTS
    out.write_text(text, "utf-8")
    out.with_suffix(".json").write_text(json.dumps(raw, indent=1) + "\n", "utf-8")
    print()
    print(text)
    print(f"bench: wrote {out} and the raw samples {out.with_suffix('.json').name} beside it")
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
    parser.add_argument("--report", type=Path, metavar="JSON",
                        help="only rewrite the report from a run's raw samples (.bench/last-run.json)")
    args, rest = parser.parse_known_args()
    if args.report:
        raw = json.loads(args.report.read_text("utf-8"))
        out = args.results or RESULTS
        out.write_text(report(raw), "utf-8")
        if args.report.resolve() != out.with_suffix(".json").resolve():
            out.with_suffix(".json").write_text(json.dumps(raw, indent=1) + "\n", "utf-8")
        text = out.read_text("utf-8")
        print(text)
        return
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
