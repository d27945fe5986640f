"""Baseline: one plain Python process runs every snippet in sequence and saves its figures.

Each snippet runs in a fresh namespace (as in a notebook per entry); every figure it
leaves open is saved as SVG (plain ``savefig``, no ``bbox_inches``) and closed.
Prints a JSON object: snippets, figures, seconds running code, seconds saving figures.

    MPLBACKEND=Agg python bench/baseline.py SNIPPETS.json OUT_DIR
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> None:
    started = time.perf_counter()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy  # noqa: F401  (imported once, as a long-lived process would)

    snippets = json.loads(Path(sys.argv[1]).read_text("utf-8"))
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    imported = time.perf_counter()
    run = save = 0.0
    figures = 0
    for slug, code in snippets:
        t0 = time.perf_counter()
        exec(compile(code, f"<{slug}>", "exec"), {"__name__": "__main__"})
        t1 = time.perf_counter()
        for number in plt.get_fignums():
            plt.figure(number).savefig(out / f"{slug}-{number}.svg", format="svg")
            figures += 1
        plt.close("all")
        run += t1 - t0
        save += time.perf_counter() - t1
    print(json.dumps({"snippets": len(snippets), "figures": figures, "import_seconds": imported - started,
                      "run_seconds": run, "save_seconds": save,
                      "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
