#!/usr/bin/env python3
"""Execute every generated notebook with the evcxr kernel and check what it shows.

    python3 scripts/run_notebooks.py --report REPORT.json --out DIR [--notebooks notebooks]
                                     [--timeout SECONDS] [--measure-cold]

For each `notebooks/NN-<id>.ipynb`, in order, in a fresh `rust` kernel started
in the notebooks directory (so `:dep embspace = { path = ".." }` finds the
crate):

* the notebook must be valid nbformat and every cell must run without error;
* its last cell's HTML (written by `Ctx::evcxr_display`) must carry the same
  checks as the report's record of that demo (name, got, expected, relation,
  tolerance, pass flag: compared as JSON, numbers to 1e-9 relative), the same
  transcript, and one inline PNG per figure the report drew, byte for byte
  the report's (figures/ beside REPORT.json).

Executed notebooks are written to --out, never over the committed ones, with
each kernel's own output (cargo's compile lines) beside them as *.kernel.log.
Timings per cell are printed at the end: the first (setup) cell, which
compiles the crate, and the later cells. The evcxr cache lives in
$XDG_CACHE_HOME/evcxr (default ~/.cache/evcxr); the first setup cell is
reported as cold when that cache was empty. --measure-cold additionally runs
the first notebook once with an empty, temporary cache before the main pass.

Exit status: 0 when every notebook ran and matched, 1 otherwise.
"""

import argparse
import base64
import html.parser
import json
import math
import os
import pathlib
import re
import statistics
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

NOTEBOOK_NAME = re.compile(r"^(\d{2,})-([a-z0-9_]+)\.ipynb$")


class ResultHtml(html.parser.HTMLParser):
    """Collects what `Ctx::to_html` embeds: check records, transcript, images."""

    def __init__(self):
        super().__init__()
        self.checks = []
        self.transcript = None
        self.images = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-check" in attrs:
            self.checks.append(json.loads(attrs["data-check"]))
        elif tag == "pre" and "data-transcript" in attrs:
            self.transcript = json.loads(attrs["data-transcript"])
        elif tag == "img" and attrs.get("src", "").startswith("data:image/png;base64,"):
            png = base64.b64decode(attrs["src"].split(",", 1)[1])
            self.images.append((attrs.get("data-figure"), png))


def same(a, b):
    """JSON values equal, numbers to 1e-9 relative (evcxr resolves its own Cargo.lock)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def evcxr_cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(base) / "evcxr"


def execute(path, timeout, log):
    """Run a notebook in a fresh kernel; return (notebook, {cell id: seconds}, error or None).

    The kernel's own output (cargo's compile lines) goes to the file `log`.
    """
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    started, seconds = {}, {}

    def on_execute(cell, cell_index, **_):
        started[cell.get("id", cell_index)] = time.monotonic()

    def on_executed(cell, cell_index, **_):
        key = cell.get("id", cell_index)
        seconds[key] = time.monotonic() - started[key]

    client = NotebookClient(
        nb,
        kernel_name="rust",
        timeout=timeout,
        startup_timeout=120,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_execute=on_execute,
        on_cell_executed=on_executed,
    )
    with open(log, "w") as kernel_output:
        try:
            client.execute(stdout=kernel_output, stderr=kernel_output)
            return nb, seconds, None
        except CellExecutionError as e:
            return nb, seconds, str(e)


def result_html(nb):
    """The HTML the last code cell shows (it ends with the demo's context)."""
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if code:
        for output in code[-1].get("outputs", []):
            if output.get("output_type") == "execute_result" and "text/html" in output.get("data", {}):
                return output["data"]["text/html"]
    return None


def compare(nb, record, report_dir):
    """Differences between the executed notebook's last cell and the report's record."""
    text = result_html(nb)
    if text is None:
        return ["the last cell shows no HTML result (Ctx::evcxr_display did not run)"]
    shown = ResultHtml()
    shown.feed(text if isinstance(text, str) else "".join(text))
    # The notebook shows one context: the demo's own part, then its part on real tables.
    real = record.get("real") or {}
    record = dict(
        record,
        checks=record["checks"] + real.get("checks", []),
        transcript=record["transcript"] + real.get("transcript", []),
        figures=record["figures"] + real.get("figures", []),
    )
    problems = []
    if len(shown.checks) != len(record["checks"]):
        problems.append(f"{len(shown.checks)} checks shown, the report has {len(record['checks'])}")
    for ours, theirs in zip(shown.checks, record["checks"]):
        if not same(ours, theirs):
            problems.append(f"check differs:\n      notebook: {json.dumps(ours)}\n      report:   {json.dumps(theirs)}")
    if (shown.transcript or []) != record["transcript"]:
        problems.append("transcript differs from the report's")
    if len(shown.images) != len(record["figures"]):
        problems.append(f"{len(shown.images)} inline images, the report drew {len(record['figures'])} figures")
    # Rendering is deterministic, so each inline PNG is the report's figure byte for byte.
    for (name, png), figure in zip(shown.images, record["figures"]):
        if name != figure["name"]:
            problems.append(f"inline image {name!r} where the report has figure {figure['name']!r}")
        elif png != (report_dir / figure["path"]).read_bytes():
            problems.append(f"inline image {name!r} differs from the report's {figure['path']}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks", default="notebooks", type=pathlib.Path)
    parser.add_argument("--report", required=True, type=pathlib.Path, help="report.json of the same checkout")
    parser.add_argument("--out", required=True, type=pathlib.Path, help="where executed notebooks go")
    parser.add_argument("--timeout", default=1800, type=int, help="seconds per cell")
    parser.add_argument("--measure-cold", action="store_true", help="also time the first notebook with an empty cache")
    args = parser.parse_args()

    notebooks_dir = args.notebooks.resolve()
    out = args.out.resolve()
    if out == notebooks_dir:
        sys.exit("--out must not be the notebooks directory: executed notebooks never replace committed ones")
    out.mkdir(parents=True, exist_ok=True)
    records = {d["id"]: d for d in json.loads(args.report.read_text())["demos"]}
    paths = sorted(p for p in notebooks_dir.iterdir() if NOTEBOOK_NAME.match(p.name))
    failures = []
    ids = [NOTEBOOK_NAME.match(p.name).group(2) for p in paths]
    for missing in sorted(set(records) - set(ids)):
        failures.append(f"demo {missing}: no notebook (run `cargo run -- notebooks`)")
    for extra in sorted(set(ids) - set(records)):
        failures.append(f"notebook for {extra}: no such demo in the report")

    cold_seconds = None
    if args.measure_cold and paths:
        with tempfile.TemporaryDirectory(prefix="evcxr-cold-") as cache:
            saved = os.environ.get("XDG_CACHE_HOME")
            os.environ["XDG_CACHE_HOME"] = cache
            try:
                print(f"cold run of {paths[0].name} (empty evcxr cache) ...", flush=True)
                _, seconds, error = execute(paths[0], args.timeout, out / "cold-run.kernel.log")
                cold_seconds = seconds.get("setup")
                if error:
                    failures.append(f"{paths[0].name} (cold run): {error}")
            finally:
                if saved is None:
                    del os.environ["XDG_CACHE_HOME"]
                else:
                    os.environ["XDG_CACHE_HOME"] = saved

    cache = evcxr_cache_dir()
    first_is_cold = not cache.is_dir() or not any(cache.iterdir())
    rows = []
    for path, demo_id in zip(paths, ids):
        begin = time.monotonic()
        print(f"running {path.name} ...", flush=True)
        nb, seconds, error = execute(path, args.timeout, out / f"{path.stem}.kernel.log")
        wall = time.monotonic() - begin
        nbformat.write(nb, out / path.name)
        problems = [f"cell error: {error}"] if error else []
        if demo_id in records and not error:
            problems += compare(nb, records[demo_id], args.report.parent)
        failures += [f"{path.name}: {p}" for p in problems]
        record = records.get(demo_id, {"checks": [], "figures": []})
        rows.append((path.name, seconds, wall, len(record["checks"]), len(record["figures"]), not problems))

    print()
    print(f"{'notebook':<36} {'setup s':>8} {'later s':>14} {'total s':>8} {'checks':>6} {'figs':>4}  result")
    later_all = []
    for name, seconds, wall, checks, figures, ok in rows:
        later = [s for key, s in seconds.items() if key != "setup"]
        later_all += later
        later_text = "/".join(f"{s:.1f}" for s in later)
        setup = seconds.get("setup", float("nan"))
        print(f"{name:<36} {setup:>8.1f} {later_text:>14} {wall:>8.1f} {checks:>6} {figures:>4}  {'ok' if ok else 'FAIL'}")
    setups = [r[1]["setup"] for r in rows if "setup" in r[1]]
    print()
    if cold_seconds is not None:
        print(f"first cell, cold (empty evcxr cache): {cold_seconds:.1f} s")
    if setups:
        label = "cold (evcxr cache was empty)" if first_is_cold else "warm"
        print(f"first cell of the first notebook, {label}: {setups[0]:.1f} s")
    if len(setups) > 1:
        print(f"first cell, warm (cached), other notebooks: median {statistics.median(setups[1:]):.1f} s, max {max(setups[1:]):.1f} s")
    if later_all:
        print(f"later cells: median {statistics.median(later_all):.1f} s, max {max(later_all):.1f} s")
    print(f"executed notebooks written to {out}")

    if failures:
        print(f"\n{len(failures)} problem(s):", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    print(f"\nall {len(rows)} notebooks ran and match the report")
    return 0


if __name__ == "__main__":
    sys.exit(main())
