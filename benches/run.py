#!/usr/bin/env python3
"""Benchmark harness for Playbill.

    python3 benches/run.py --repos 1000 [--runs 3] [--playbill PATH] [--keep DIR] [--json FILE]

1. Builds the release binary (``cargo build --release`` in the repository
   root) unless ``--playbill`` names one.
2. Generates a synthetic organisation with ``benches/synth_org.py`` into a
   temporary directory, or into ``--keep DIR`` (reused on later runs when it
   was generated with the same arguments).
3. Runs every tool of the registry below ``--runs`` times, measuring the wall
   time (``time.perf_counter``) and, per child process, the peak RSS and CPU
   time that ``os.wait4`` reports. The first run starts with a cold output
   directory and whatever page cache the generation left; every run starts
   from an empty output directory.
4. Prints a table (each run, the median, peak RSS, output files and bytes,
   the ratio to Playbill's median) and, with ``--json FILE``, writes the same
   figures as JSON.

Tools that are not installed are reported as skipped; only ``playbill`` is
required. Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
SYNTH = BENCH_DIR / "synth_org.py"
STAMP_FILE = ".synth-org.json"
JSON_SCHEMA = 1


# --------------------------------------------------------------------------
# Measuring one child process
# --------------------------------------------------------------------------


@dataclass
class Sample:
    """Figures for one run of a tool (possibly several child processes)."""
    wall_s: float = 0.0
    user_s: float = 0.0
    sys_s: float = 0.0
    max_rss_bytes: int = 0          # the largest peak RSS of any child of the run
    exit_code: int = 0
    commands: int = 0
    timed_out: bool = False

    def add(self, other: "Sample") -> None:
        self.wall_s += other.wall_s
        self.user_s += other.user_s
        self.sys_s += other.sys_s
        self.max_rss_bytes = max(self.max_rss_bytes, other.max_rss_bytes)
        self.commands += other.commands
        self.timed_out = self.timed_out or other.timed_out
        if other.exit_code and not self.exit_code:
            self.exit_code = other.exit_code


def _rss_bytes(ru_maxrss: int) -> int:
    # Linux reports KiB, macOS bytes.
    return ru_maxrss if sys.platform == "darwin" else ru_maxrss * 1024


def measure(cmd: list[str], log: Path, cwd: Optional[Path] = None,
            timeout: Optional[float] = None) -> Sample:
    """Run cmd; return its wall time and the rusage of that very child.

    os.wait4 gives the resource usage of the one process waited for (and of
    the descendants it waited for itself), unlike RUSAGE_CHILDREN, whose
    ru_maxrss is the maximum over every child so far."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as fh:
        fh.write(("$ " + " ".join(cmd) + "\n").encode())
        fh.flush()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
        fired = threading.Event()

        def kill() -> None:
            fired.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.daemon = True
            timer.start()
        try:
            while True:
                try:
                    _, status, ru = os.wait4(proc.pid, 0)
                    break
                except InterruptedError:
                    continue
        finally:
            if timer:
                timer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)   # already reaped
    return Sample(wall_s=wall, user_s=ru.ru_utime, sys_s=ru.ru_stime,
                  max_rss_bytes=_rss_bytes(ru.ru_maxrss), exit_code=proc.returncode,
                  commands=1, timed_out=fired.is_set())


def tree_size(root: Path) -> tuple[int, int]:
    """(files, bytes) under root, not following symlinks."""
    files = size = 0
    if not root.exists():
        return 0, 0
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if not os.path.islink(p):
                files += 1
                size += st.st_size
    return files, size


def remove(path: Path, work: Path) -> None:
    """Remove a tool's output, but only inside the harness's work directory."""
    path = path.resolve()
    if work.resolve() not in path.parents:
        raise RuntimeError(f"refusing to remove {path}: outside {work}")
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


# --------------------------------------------------------------------------
# The tool registry
# --------------------------------------------------------------------------


@dataclass
class Context:
    org: Path                 # the generated organisation (holds site.toml)
    work: Path                # scratch space owned by the harness
    repos: list[Path]         # service repositories (those with mkdocs.yml)
    playbill: Optional[Path]
    timeout: Optional[float]

    def out(self, tool: str) -> Path:
        return self.work / "out" / tool


@dataclass
class Tool:
    name: str
    what: str
    # None when the tool can run, otherwise why it is skipped.
    missing: Callable[[Context], Optional[str]]
    # The commands of one run, run one after another (usually one).
    commands: Callable[[Context], list[list[str]]]
    # What to count as the tool's output.
    output: Callable[[Context], Path]
    # Called before every run: make the output directory empty.
    clean: Callable[[Context], None]
    # Called once before the first run (untimed): e.g. lay out a site.
    prepare: Optional[Callable[[Context], None]] = None
    # Tools whose output this one reads.
    needs: tuple[str, ...] = ()
    ratio_note: str = ""
    # How to ask the tool its version (for the JSON), when installed.
    version: tuple[str, ...] = ()


def _which(binary: str) -> Optional[str]:
    return None if shutil.which(binary) else f"not installed: {binary}"


def _clean_out(name: str) -> Callable[[Context], None]:
    def clean(ctx: Context) -> None:
        if ctx.out(name).exists():
            remove(ctx.out(name), ctx.work)
        ctx.out(name).parent.mkdir(parents=True, exist_ok=True)
    return clean


# playbill ------------------------------------------------------------------

def _playbill_missing(ctx: Context) -> Optional[str]:
    if ctx.playbill is None or not ctx.playbill.is_file():
        return f"binary not found: {ctx.playbill}"
    return None


def _playbill_commands(ctx: Context) -> list[list[str]]:
    return [[str(ctx.playbill), "build", "--config", str(ctx.org / "site.toml"), "--out", str(ctx.out("playbill"))]]


# mkdocs + techdocs-core, one repository after another -----------------------

def _mkdocs_missing(ctx: Context) -> Optional[str]:
    exe = shutil.which("mkdocs")
    if not exe:
        return "not installed: mkdocs"
    # techdocs-core must be importable by the interpreter that runs mkdocs.
    python = sys.executable
    try:
        first = Path(exe).read_bytes()[:256].split(b"\n", 1)[0].decode()
        if first.startswith("#!") and "python" in first:
            python = first[2:].strip().split()[0]
    except OSError:
        pass
    r = subprocess.run([python, "-c", "import techdocs_core"], capture_output=True)
    if r.returncode != 0:
        return "not installed: techdocs-core (pip install mkdocs-techdocs-core)"
    return None


def _mkdocs_commands(ctx: Context) -> list[list[str]]:
    out = ctx.out("mkdocs")
    return [["mkdocs", "build", "--quiet", "-f", str(repo / "mkdocs.yml"), "-d", str(out / repo.name)]
            for repo in ctx.repos]


# hugo over the same Markdown ------------------------------------------------

HUGO_CONFIG = """baseURL = "https://portal.example/"
title = "Synthetic Org"
disableKinds = ["taxonomy", "term", "RSS", "sitemap"]
[markup.goldmark.renderer]
unsafe = true
"""
HUGO_LAYOUT = ('<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
               '<body><main>{{ .Content }}</main>'
               '<nav>{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav></body></html>\n')


def _hugo_site(ctx: Context) -> Path:
    return ctx.work / "hugo-site"


def _hugo_prepare(ctx: Context) -> None:
    """Copy every repository's docs/ to content/<repo>/ (index.md becomes
    _index.md so each repository is a section) with a bare layout. Untimed."""
    site = _hugo_site(ctx)
    if site.exists():
        remove(site, ctx.work)
    for rel in ("layouts/_default/single.html", "layouts/_default/list.html", "layouts/index.html"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(HUGO_LAYOUT)
    (site / "hugo.toml").write_text(HUGO_CONFIG)
    for repo in ctx.repos:
        src = repo / "docs"
        if not src.is_dir():
            continue
        dst = site / "content" / repo.name
        shutil.copytree(src, dst)
        if (dst / "index.md").exists():
            (dst / "index.md").rename(dst / "_index.md")


def _hugo_commands(ctx: Context) -> list[list[str]]:
    return [["hugo", "--source", str(_hugo_site(ctx)), "--destination", str(ctx.out("hugo")), "--quiet"]]


# pagefind over Playbill's output ---------------------------------------------

def _pagefind_missing(ctx: Context) -> Optional[str]:
    return _which("pagefind")


def _pagefind_clean(ctx: Context) -> None:
    idx = ctx.out("playbill") / "pagefind"
    if idx.exists():
        remove(idx, ctx.work)


def _pagefind_commands(ctx: Context) -> list[list[str]]:
    return [["pagefind", "--site", str(ctx.out("playbill"))]]


TOOLS: list[Tool] = [
    Tool("playbill", "playbill build --config site.toml --out OUT",
         _playbill_missing, _playbill_commands, lambda c: c.out("playbill"), _clean_out("playbill")),
    Tool("mkdocs", "mkdocs build (techdocs-core) per repository, sequentially",
         _mkdocs_missing, _mkdocs_commands, lambda c: c.out("mkdocs"), _clean_out("mkdocs"),
         version=("mkdocs", "--version")),
    Tool("hugo", "hugo over the same docs/ Markdown (bare layout)",
         lambda c: _which("hugo"), _hugo_commands, lambda c: c.out("hugo"), _clean_out("hugo"),
         prepare=_hugo_prepare, version=("hugo", "version")),
    Tool("pagefind", "pagefind --site over Playbill's output",
         _pagefind_missing, _pagefind_commands, lambda c: c.out("playbill") / "pagefind", _pagefind_clean,
         needs=("playbill",), ratio_note="index time vs Playbill build time",
         version=("pagefind", "--version")),
]


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    what: str
    status: str = "ok"                 # ok | skipped | failed
    reason: str = ""
    runs: list[Sample] = field(default_factory=list)
    output_files: int = 0
    output_bytes: int = 0
    log: Optional[str] = None

    def median(self, attr: str) -> Optional[float]:
        vals = [getattr(s, attr) for s in self.runs]
        return statistics.median(vals) if vals else None

    def to_json(self, baseline: Optional["Result"]) -> dict:
        d = {"name": self.name, "what": self.what, "status": self.status, "reason": self.reason,
             "runs": [vars(s) for s in self.runs]}
        if self.runs and self.status == "ok":
            d.update(median_wall_s=self.median("wall_s"),
                     median_cpu_s=statistics.median(s.user_s + s.sys_s for s in self.runs),
                     max_rss_bytes=max(s.max_rss_bytes for s in self.runs),
                     output_files=self.output_files, output_bytes=self.output_bytes)
            r = ratio(self, baseline)
            if r is not None:
                d["ratio_vs_playbill"] = r
        if self.log:
            d["log"] = self.log
        return d


def ratio(res: Result, baseline: Optional[Result]) -> Optional[float]:
    if not baseline or baseline.status != "ok" or res.status != "ok" or not res.runs:
        return None
    b = baseline.median("wall_s")
    return res.median("wall_s") / b if b else None


def run_tool(tool: Tool, ctx: Context, runs: int, done: dict[str, Result]) -> Result:
    res = Result(tool.name, tool.what)
    for dep in tool.needs:
        if dep not in done or done[dep].status != "ok":
            res.status, res.reason = "skipped", f"needs a successful {dep} run"
            return res
    why = tool.missing(ctx)
    if why:
        res.status, res.reason = "skipped", why
        return res
    log = ctx.work / "logs" / f"{tool.name}.log"
    res.log = str(log)
    if tool.prepare:
        print(f"[{tool.name}] preparing", file=sys.stderr)
        tool.prepare(ctx)
    for i in range(runs):
        tool.clean(ctx)
        sample = Sample()
        cmds = tool.commands(ctx)
        print(f"[{tool.name}] run {i + 1}/{runs} ({len(cmds)} command{'s' if len(cmds) != 1 else ''})",
              file=sys.stderr)
        for cmd in cmds:
            s = measure(cmd, log, timeout=ctx.timeout)
            sample.add(s)
            if s.exit_code != 0:
                break
        res.runs.append(sample)
        if sample.exit_code != 0:
            res.status = "failed"
            res.reason = ("timed out" if sample.timed_out else f"exit {sample.exit_code}") + f"; see {log}"
            return res
    res.output_files, res.output_bytes = tree_size(tool.output(ctx))
    return res


def build_playbill() -> Path:
    cargo = shutil.which("cargo")
    if not cargo:
        sys.exit("cargo not found; pass --playbill PATH")
    print(f"$ cargo build --release   (in {REPO_ROOT})", file=sys.stderr)
    r = subprocess.run([cargo, "build", "--release"], cwd=REPO_ROOT, stdout=sys.stderr)
    if r.returncode != 0:
        sys.exit(f"cargo build --release failed (exit {r.returncode})")
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO_ROOT / "target")
    if not target.is_absolute():
        target = REPO_ROOT / target
    exe = target / "release" / ("playbill.exe" if os.name == "nt" else "playbill")
    if not exe.is_file():
        sys.exit(f"built, but {exe} does not exist")
    return exe


def generate(org: Path, args: argparse.Namespace, reuse: bool) -> dict:
    """Generate the organisation (or reuse a matching earlier one); returns
    the generator's summary plus the time it took."""
    stamp = org / STAMP_FILE
    want = {"repos": args.repos, "seed": args.seed, "docs_pages_per_repo": args.docs_pages}
    if reuse and stamp.is_file() and not args.regenerate:
        try:
            have = json.loads(stamp.read_text())
        except ValueError:
            have = {}
        if all(have.get(k) == v for k, v in want.items()):
            print(f"reusing the organisation in {org}", file=sys.stderr)
            return {"reused": True, "seconds": None, **have}
    cmd = [sys.executable, str(SYNTH), "--repos", str(args.repos), "--out", str(org),
           "--seed", str(args.seed), "--docs-pages", str(args.docs_pages)]
    if org.exists() and any(org.iterdir()):
        cmd.append("--force")           # synth_org refuses unless org is a tree it generated
    t0 = time.perf_counter()
    r = subprocess.run(cmd)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"generating the organisation failed (exit {r.returncode})")
    return {"reused": False, "seconds": dt, **json.loads(stamp.read_text())}


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


def fmt_s(x: Optional[float]) -> str:
    return "-" if x is None else (f"{x:.2f} s" if x < 100 else f"{x:.0f} s")


def fmt_bytes(n: Optional[int], binary: bool = False) -> str:
    if n is None:
        return "-"
    base, units = (1024.0, ["B", "KiB", "MiB", "GiB", "TiB"]) if binary else (1000.0, ["B", "kB", "MB", "GB", "TB"])
    x = float(n)
    for u in units:
        if x < base or u == units[-1]:
            return f"{x:.0f} {u}" if u == "B" else f"{x:.1f} {u}"
        x /= base
    return str(n)


def table(results: list[Result], runs: int) -> str:
    head = ["tool", "status"] + [f"run {i + 1}" for i in range(runs)] + \
        ["median", "CPU (median)", "peak RSS", "files", "output", "vs playbill"]
    rows: list[list[str]] = []
    notes: list[str] = []
    baseline = next((r for r in results if r.name == "playbill"), None)
    for r in results:
        if r.status == "skipped":
            rows.append([r.name, f"skipped ({r.reason})"])
            continue
        cells = [r.name, r.status]
        cells += [fmt_s(s.wall_s) for s in r.runs] + ["-"] * (runs - len(r.runs))
        if r.status == "ok":
            q = ratio(r, baseline)
            cells += [fmt_s(r.median("wall_s")),
                      fmt_s(statistics.median(s.user_s + s.sys_s for s in r.runs)),
                      fmt_bytes(max(s.max_rss_bytes for s in r.runs), binary=True),
                      f"{r.output_files:,}", fmt_bytes(r.output_bytes),
                      "-" if q is None else f"{q:.2f}x"]
            tool = next((t for t in TOOLS if t.name == r.name), None)
            if tool and tool.ratio_note and q is not None:
                notes.append(f"{r.name}: ratio is {tool.ratio_note}")
        else:
            cells += ["-"] * 6
            notes.append(f"{r.name}: {r.reason}")
        rows.append(cells)
    widths = [len(h) for h in head]
    for row in rows:
        if len(row) == len(head):
            widths = [max(w, len(c)) for w, c in zip(widths, row)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        if len(row) == len(head):
            lines.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                                   for i, (c, w) in enumerate(zip(row, widths))).rstrip())
        else:
            lines.append("  ".join([row[0].ljust(widths[0])] + row[1:]))
    lines += [f"note: {n}" for n in notes]
    return "\n".join(lines)


def git_commit() -> Optional[str]:
    try:
        r = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True)
        return r.stdout.strip() or None if r.returncode == 0 else None
    except OSError:
        return None


def tool_version(cmd: list[str]) -> Optional[str]:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = (r.stdout or r.stderr).strip().splitlines()
    return out[0] if r.returncode == 0 and out else None


# --------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Benchmark `playbill build` on a generated organisation "
                    "(and, when installed, mkdocs/techdocs-core, hugo and pagefind).",
        epilog="Figures go to the issue notes; nothing here hard-codes expected numbers.")
    ap.add_argument("--repos", type=int, default=1000, help="service repositories to generate (default 1000)")
    ap.add_argument("--docs-pages", type=int, default=20, help="Markdown pages per repository (default 20)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--runs", type=int, default=3, help="measured runs per tool (default 3)")
    ap.add_argument("--playbill", type=Path, help="use this binary instead of running `cargo build --release`")
    ap.add_argument("--keep", type=Path, metavar="DIR",
                    help="generate the organisation into DIR and keep it; reused when generated "
                         "with the same --repos/--seed/--docs-pages")
    ap.add_argument("--regenerate", action="store_true", help="with --keep: generate again even if DIR matches")
    ap.add_argument("--tools", default=",".join(t.name for t in TOOLS),
                    help="comma-separated tools to run (default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=3600.0,
                    help="seconds before one command is killed (default 3600; 0 = none)")
    ap.add_argument("--work", type=Path, metavar="DIR",
                    help="scratch directory for outputs and logs (default: a new temporary directory, "
                         "removed afterwards unless something failed)")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON to FILE")
    args = ap.parse_args(argv)

    if args.repos < 1 or args.runs < 1 or args.docs_pages < 0:
        ap.error("--repos and --runs must be at least 1, --docs-pages not negative")
    names = [n.strip() for n in args.tools.split(",") if n.strip()]
    unknown = [n for n in names if n not in {t.name for t in TOOLS}]
    if unknown:
        ap.error(f"unknown tool(s): {', '.join(unknown)}; known: {', '.join(t.name for t in TOOLS)}")
    selected = [t for t in TOOLS if t.name in names]

    playbill = args.playbill.resolve() if args.playbill else None
    if playbill is None and "playbill" in names:
        playbill = build_playbill()

    own_work = args.work is None
    work = Path(tempfile.mkdtemp(prefix="playbill-bench-")) if own_work else args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    org = args.keep.resolve() if args.keep else work / "org"
    if org == work or org in work.parents:
        # Playbill reads the whole organisation tree: outputs must not land in it.
        ap.error("--work must not be inside the organisation directory (--keep)")

    gen = generate(org, args, reuse=args.keep is not None)
    repos = sorted(p.parent for p in org.glob("*/mkdocs.yml"))
    ctx = Context(org=org, work=work, repos=repos, playbill=playbill,
                  timeout=args.timeout or None)

    results: list[Result] = []
    done: dict[str, Result] = {}
    for tool in selected:
        res = run_tool(tool, ctx, args.runs, done)
        done[tool.name] = res
        results.append(res)

    ents = gen.get("entities", {})
    gen_time = "reused" if gen.get("reused") else fmt_s(gen.get("seconds"))
    print(f"Playbill benchmark: {gen.get('repos')} repos (+ org), {gen.get('entities_total')} entities "
          f"({', '.join(f'{k} {v}' for k, v in ents.items())}), {gen.get('docs_pages')} docs pages, "
          f"{gen.get('files'):,} files, {fmt_bytes(gen.get('bytes'))} input; generation {gen_time}; "
          f"{args.runs} run(s) each, fresh output directory per run")
    print()
    print(table(results, args.runs))

    failed = [r for r in results if r.status == "failed"]
    if args.json:
        baseline = done.get("playbill")
        doc = {
            "schema": JSON_SCHEMA,
            "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "commit": git_commit(),
            "host": {"platform": platform.platform(), "machine": platform.machine(),
                     "cpus": os.cpu_count(), "python": platform.python_version()},
            "params": {"repos": args.repos, "docs_pages": args.docs_pages, "seed": args.seed,
                       "runs": args.runs, "tools": names},
            "versions": {"playbill": tool_version([str(playbill), "--version"]) if playbill else None,
                         **{t.name: tool_version(list(t.version)) for t in selected
                            if t.version and shutil.which(t.version[0])}},
            "generation": gen,
            "results": [r.to_json(baseline) for r in results],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(doc, indent=2) + "\n")
        print(f"\nwrote {args.json}", file=sys.stderr)

    if own_work:
        if failed:
            print(f"kept {work} (logs under {work / 'logs'})", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
