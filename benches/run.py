#!/usr/bin/env python3
"""Benchmark harness for Playbill.

    python3 benches/run.py --repos 1000 [--runs 3] [--playbill PATH] [--keep DIR] [--json FILE]
                           [--mkdocs PATH] [--hugo PATH] [--pagefind PATH]

1. Builds the shipped binary (``cargo build --profile dist`` in the repository
   root) unless ``--playbill`` names one.
2. Generates a synthetic organisation with ``benches/synth_org.py`` into a
   temporary directory, or into ``--keep DIR`` (reused on later runs when it
   was generated with the same arguments).
3. Runs every tool of the registry below ``--runs`` times, measuring the wall
   time (``time.perf_counter``) and, per child process, the peak RSS and CPU
   time that ``os.wait4`` reports. The first run starts with a cold output
   directory and whatever page cache the generation left; every run starts
   from an empty output directory, after ``sync`` has written what earlier
   runs left to the disk. Earlier outputs are moved aside and only
   deleted after the last run (see ``remove``): keep room on the disk for
   every run's output.
4. Prints a table (each run, the median, peak RSS, output files and bytes,
   the ratio to Playbill's median) and, with ``--json FILE``, writes the same
   figures as JSON.

Tools that are not installed are reported as skipped; only ``playbill`` is
required. An external tool is looked up on PATH unless ``--<tool> PATH``
names its executable (e.g. ``--mkdocs`` pointing into a virtualenv).
Standard library only.
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
        fh.write(("$ " + " ".join(cmd) + (f"   (in {cwd})" if cwd else "") + "\n").encode())
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


def _trash(work: Path) -> Path:
    return work / "trash"


def remove(path: Path, work: Path) -> None:
    """Move a tool's output out of the way, but only inside the harness's work directory.

    The output is deleted by `empty_trash` after the last run, not here. On an ext4 file
    system without a journal, files created within minutes of deleting tens of thousands
    cost several times the kernel time (the allocator steps over every recently deleted
    inode), so deleting here would time the previous run's deletion, not the tool."""
    path = path.resolve()
    if work.resolve() not in path.parents:
        raise RuntimeError(f"refusing to remove {path}: outside {work}")
    if not path.exists():
        return
    trash = _trash(work)
    trash.mkdir(parents=True, exist_ok=True)
    path.rename(trash / f"{len(os.listdir(trash))}-{path.name}")


def empty_trash(work: Path) -> None:
    shutil.rmtree(_trash(work), ignore_errors=True)


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
    # Executable of each external tool (Tool.binary): from --<binary> PATH, else
    # looked up on PATH; None when not found.
    exe: dict[str, Optional[str]] = field(default_factory=dict)
    markdown_pages: int = 0   # Markdown pages the generator wrote (docs/ of every repository)

    def out(self, tool: str) -> Path:
        return self.work / "out" / tool


@dataclass
class Command:
    """One timed command; cwd is the directory it runs in (default: the harness's)."""
    argv: list[str]
    cwd: Optional[Path] = None


@dataclass
class Tool:
    name: str
    what: str
    # None when the tool can run, otherwise why it is skipped.
    missing: Callable[[Context], Optional[str]]
    # The commands of one run, run one after another (usually one); each is an
    # argv list or a Command (argv + working directory). Only these are timed.
    commands: Callable[[Context], list]
    # What to count as the tool's output.
    output: Callable[[Context], Path]
    # Called before every run (untimed): make the output directory empty.
    clean: Callable[[Context], None]
    # Called once before the first run (untimed): e.g. lay out a site.
    prepare: Optional[Callable[[Context], None]] = None
    # Tools whose output this one reads.
    needs: tuple[str, ...] = ()
    ratio_note: str = ""
    # The executable an external tool runs: `--<binary> PATH` selects it,
    # otherwise it is looked up on PATH (ctx.exe[binary]).
    binary: Optional[str] = None
    # Arguments that make the tool print its version (for the JSON).
    version: tuple[str, ...] = ()
    # Pages of the generated Markdown found in the output (after the last run):
    # the figure to compare with Context.markdown_pages.
    docs_pages: Optional[Callable[[Context], int]] = None
    docs_pages_note: str = ""
    # Whether docs_pages should equal the number of generated Markdown pages
    # (False for a tool that does not render the Markdown itself).
    renders_markdown: bool = True
    # Called once after the last run (untimed): undo what prepare or clean changed in
    # the organisation, so a kept tree stays the generator's.
    finish: Optional[Callable[[Context], None]] = None


def _exe(ctx: Context, binary: str) -> str:
    exe = ctx.exe.get(binary)
    if not exe:
        raise RuntimeError(f"{binary} is not available")
    return exe


def _which(binary: str) -> Callable[[Context], Optional[str]]:
    def missing(ctx: Context) -> Optional[str]:
        return None if ctx.exe.get(binary) else f"not installed: {binary} (put it on PATH or pass --{binary} PATH)"
    return missing


def _clean_out(name: str) -> Callable[[Context], None]:
    def clean(ctx: Context) -> None:
        if ctx.out(name).exists():
            remove(ctx.out(name), ctx.work)
        ctx.out(name).parent.mkdir(parents=True, exist_ok=True)
    return clean


def _html_files(root: Path, exclude: Callable[[Path], bool] = lambda p: False) -> int:
    if not root.is_dir():
        return 0
    return sum(1 for p in root.rglob("*.html") if p.is_file() and not p.is_symlink() and not exclude(p))


# playbill ------------------------------------------------------------------

def _playbill_missing(ctx: Context) -> Optional[str]:
    if ctx.playbill is None or not ctx.playbill.is_file():
        return f"binary not found: {ctx.playbill}"
    return None


def _playbill_build(ctx: Context, name: str) -> list[str]:
    return [str(ctx.playbill), "build", "--config", str(ctx.org / "site.toml"),
            "--out", str(ctx.out(name)), "--report", str(ctx.work / f"{name}-report.json")]


def _playbill_commands(ctx: Context) -> list[list[str]]:
    return [_playbill_build(ctx, "playbill")]


def _render_cache(ctx: Context) -> Path:
    # site.toml's default cache_dir, beside it.
    return ctx.org / ".playbill-cache" / "render"


def _playbill_cold(ctx: Context) -> None:
    """A full build: no output and no render cache left from an earlier run."""
    _clean_out("playbill")(ctx)
    if _render_cache(ctx).exists():
        shutil.rmtree(_render_cache(ctx))


def _playbill_warm(name: str) -> Callable[[Context], None]:
    """An untimed build first, so the timed runs find their output and cache in place."""
    def prepare(ctx: Context) -> None:
        _clean_out(name)(ctx)
        subprocess.run(_playbill_build(ctx, name), check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return prepare


def _changed_page(ctx: Context) -> Path:
    return ctx.repos[len(ctx.repos) // 2] / "docs" / "index.md"


def _change_one_repo(ctx: Context) -> None:
    """Before each run (untimed): one more line in one repository's docs page."""
    page = _changed_page(ctx)
    original = ctx.work / "changed-page.orig"
    if not original.exists():
        shutil.copyfile(page, original)
    with page.open("a", encoding="utf-8") as f:
        f.write(f"\nA line added by the benchmark ({time.time_ns()}).\n")


def _restore_changed_repo(ctx: Context) -> None:
    original = ctx.work / "changed-page.orig"
    if original.exists():
        shutil.copyfile(original, _changed_page(ctx))
        original.unlink()


SHARDS = 4


def _shard_dir(ctx: Context, index: int) -> Path:
    return ctx.work / "shards" / f"shard-{index}"


def _shard_build(ctx: Context, index: int) -> list[str]:
    return [str(ctx.playbill), "build", "--config", str(ctx.org / "site.toml"),
            "--shard", f"{index}/{SHARDS}", "--out", str(_shard_dir(ctx, index)),
            "--report", str(ctx.work / f"shard-{index}-report.json")]


def _shard_cold(ctx: Context) -> None:
    """One shard from scratch: no output and no render cache of that shard."""
    if _shard_dir(ctx, 1).exists():
        remove(_shard_dir(ctx, 1), ctx.work)
    _shard_dir(ctx, 1).parent.mkdir(parents=True, exist_ok=True)
    cache = ctx.org / ".playbill-cache" / f"shard-1-of-{SHARDS}"
    if cache.exists():
        shutil.rmtree(cache)


def _shards_prepare(ctx: Context) -> None:
    """Every shard built once (untimed), for the assembly to read."""
    for index in range(1, SHARDS + 1):
        subprocess.run(_shard_build(ctx, index), check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)


def _assemble_commands(ctx: Context) -> list[list[str]]:
    shards = [str(_shard_dir(ctx, i)) for i in range(1, SHARDS + 1)]
    return [[str(ctx.playbill), "build", "--config", str(ctx.org / "site.toml"),
             "--assemble", *shards, "--out", str(ctx.out("playbill-assemble")),
             "--report", str(ctx.work / "assemble-report.json")]]


def _assemble_cold(ctx: Context) -> None:
    _clean_out("playbill-assemble")(ctx)
    if _render_cache(ctx).exists():
        shutil.rmtree(_render_cache(ctx))


def _prebuilt_dir(ctx: Context) -> Path:
    return ctx.work / "prebuilt"


def _prebuilt_prepare(ctx: Context) -> None:
    """Every repository's CI once (untimed): `playbill docs build` in each, and only the
    renderings it writes (playbill-prebuilt.bin) copied to one directory, as a nightly
    fetches them from the bucket they were published to."""
    if _prebuilt_dir(ctx).exists():
        remove(_prebuilt_dir(ctx), ctx.work)
    scratch = ctx.work / "docs-build"
    for repo in ctx.repos:
        if scratch.exists():
            shutil.rmtree(scratch)
        subprocess.run([str(ctx.playbill), "docs", "build", str(repo), "--out", str(scratch)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for made in (scratch / "docs").rglob("playbill-prebuilt.bin"):
            to = _prebuilt_dir(ctx) / made.relative_to(scratch / "docs")
            to.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(made, to)
    shutil.rmtree(scratch, ignore_errors=True)


def _prebuilt_commands(ctx: Context) -> list[list[str]]:
    return [_playbill_build(ctx, "playbill-prebuilt") + ["--prebuilt", str(_prebuilt_dir(ctx))]]


def _prebuilt_cold(ctx: Context) -> None:
    _clean_out("playbill-prebuilt")(ctx)
    if _render_cache(ctx).exists():
        shutil.rmtree(_render_cache(ctx))


def _playbill_docs_pages(ctx: Context) -> int:
    # TechDocs pages are rendered under OUT/docs/<namespace>/<kind>/<name>/; each site's print
    # view (<site>/print/index.html) has no Markdown page of its own behind it.
    docs = ctx.out("playbill") / "docs"
    return _html_files(docs, exclude=lambda p: p.relative_to(docs).parts[3:] == ("print", "index.html"))


# mkdocs + techdocs-core, one repository after another -----------------------

def _mkdocs_missing(ctx: Context) -> Optional[str]:
    exe = ctx.exe.get("mkdocs")
    if not exe:
        return "not installed: mkdocs (put it on PATH or pass --mkdocs PATH)"
    # techdocs-core must be importable by the interpreter that runs mkdocs.
    python = sys.executable
    try:
        first = Path(exe).read_bytes()[:256].split(b"\n", 1)[0].decode()
        if first.startswith("#!") and "python" in first:
            python = first[2:].strip().split()[0]
    except (OSError, UnicodeDecodeError):
        pass
    r = subprocess.run([python, "-c", "import techdocs_core"], capture_output=True)
    if r.returncode != 0:
        return f"not installed: techdocs-core for {python} (pip install mkdocs-techdocs-core)"
    return None


def _mkdocs_commands(ctx: Context) -> list[Command]:
    # Exactly what `techdocs-cli generate --no-docker` runs for each entity:
    # `mkdocs build -d <output dir> -v` in the directory of its mkdocs.yml.
    # (It first patches mkdocs.yml with repo_url/edit_uri and the techdocs-core
    # plugin when they are missing; the generated mkdocs.yml already has them.)
    out = ctx.out("mkdocs")
    mkdocs = _exe(ctx, "mkdocs")
    return [Command([mkdocs, "build", "-d", str(out / repo.name), "-v"], cwd=repo) for repo in ctx.repos]


def _mkdocs_docs_pages(ctx: Context) -> int:
    # One HTML file per Markdown page, plus a 404.html per site.
    return _html_files(ctx.out("mkdocs"), exclude=lambda p: p.name == "404.html")


# hugo over the same Markdown ------------------------------------------------

HUGO_CONFIG = """baseURL = "https://portal.example/"
title = "Synthetic Org"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.renderer]
unsafe = true
"""
HUGO_LAYOUT = ('<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
               '<body><main>{{ .Content }}</main>'
               '<nav>{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav></body></html>\n')
# Relative links to .md files become links to the rendered page, as MkDocs and
# Playbill do; anything else is left as written.
HUGO_RENDER_LINK = """{{- $href := .Destination -}}
{{- $u := urls.Parse .Destination -}}
{{- if and (not $u.Scheme) (not $u.Host) (strings.HasSuffix $u.Path ".md") (not (strings.HasPrefix $u.Path "/")) -}}
  {{- $target := path.Join "/" .Page.File.Dir $u.Path -}}
  {{- if eq (path.Base $target) "index.md" -}}{{- $target = path.Dir $target -}}{{- end -}}
  {{- with .Page.GetPage $target -}}
    {{- $href = .RelPermalink -}}
    {{- with $u.Fragment -}}{{- $href = printf "%s#%s" $href . -}}{{- end -}}
  {{- end -}}
{{- end -}}
<a href="{{ $href | safeURL }}"{{ with .Title }} title="{{ . }}"{{ end }}>{{ .Text | safeHTML }}</a>
{{- /* */ -}}
"""


def _hugo_site(ctx: Context) -> Path:
    return ctx.work / "hugo-site"


def _hugo_prepare(ctx: Context) -> None:
    """Copy every repository's docs/ to content/<repo>/ with a bare layout.
    Every index.md becomes _index.md: in Hugo a directory holding index.md is a
    leaf bundle whose other pages would not be rendered, while _index.md makes
    it a section that renders both. Untimed."""
    site = _hugo_site(ctx)
    if site.exists():
        remove(site, ctx.work)
    for rel in ("layouts/_default/single.html", "layouts/_default/list.html", "layouts/index.html"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(HUGO_LAYOUT)
    (site / "layouts/_default/_markup").mkdir(parents=True, exist_ok=True)
    (site / "layouts/_default/_markup/render-link.html").write_text(HUGO_RENDER_LINK)
    (site / "hugo.toml").write_text(HUGO_CONFIG)
    for repo in ctx.repos:
        src = repo / "docs"
        if not src.is_dir():
            continue
        dst = site / "content" / repo.name
        shutil.copytree(src, dst)
        for index in sorted(dst.rglob("index.md")):
            index.rename(index.with_name("_index.md"))


def _hugo_commands(ctx: Context) -> list[list[str]]:
    return [[_exe(ctx, "hugo"), "--source", str(_hugo_site(ctx)), "--destination", str(ctx.out("hugo")), "--quiet"]]


def _hugo_docs_pages(ctx: Context) -> int:
    # Every Markdown page renders to <repo>/.../index.html; the home page
    # (OUT/index.html) has no Markdown behind it.
    out = ctx.out("hugo")
    return _html_files(out, exclude=lambda p: p.parent == out)


# pagefind over Playbill's output ---------------------------------------------

def _pagefind_clean(ctx: Context) -> None:
    idx = ctx.out("playbill") / "pagefind"
    if idx.exists():
        remove(idx, ctx.work)


def _pagefind_commands(ctx: Context) -> list[list[str]]:
    return [[_exe(ctx, "pagefind"), "--site", str(ctx.out("playbill"))]]


def _pagefind_pages(ctx: Context) -> int:
    # One fragment per indexed page.
    frag = ctx.out("playbill") / "pagefind" / "fragment"
    return sum(1 for _ in frag.glob("*.pf_fragment")) if frag.is_dir() else 0


TOOLS: list[Tool] = [
    Tool("playbill", "playbill build --config site.toml --out OUT (empty output and render cache)",
         _playbill_missing, _playbill_commands, lambda c: c.out("playbill"), _playbill_cold,
         docs_pages=_playbill_docs_pages, docs_pages_note="HTML files under OUT/docs/ but each site's print view"),
    Tool("playbill-unchanged", "the same build again, nothing changed (output and render cache kept)",
         _playbill_missing, lambda c: [_playbill_build(c, "playbill-unchanged")],
         lambda c: c.out("playbill-unchanged"), lambda c: None,
         prepare=_playbill_warm("playbill-unchanged"), renders_markdown=False),
    Tool("playbill-one-changed", "the same build after one repository's docs page changed",
         _playbill_missing, lambda c: [_playbill_build(c, "playbill-one-changed")],
         lambda c: c.out("playbill-one-changed"), _change_one_repo,
         prepare=_playbill_warm("playbill-one-changed"), finish=_restore_changed_repo,
         renders_markdown=False),
    Tool("playbill-cache-only", "the same build again into an empty output directory, render cache kept",
         _playbill_missing, lambda c: [_playbill_build(c, "playbill-cache-only")],
         lambda c: c.out("playbill-cache-only"), _clean_out("playbill-cache-only"),
         prepare=_playbill_warm("playbill-cache-only"), renders_markdown=False),
    Tool("playbill-shard", f"one job of a sharded build: playbill build --shard 1/{SHARDS} (empty output and render cache)",
         _playbill_missing, lambda c: [_shard_build(c, 1)], lambda c: _shard_dir(c, 1), _shard_cold,
         renders_markdown=False),
    Tool("playbill-assemble", f"the last job of a sharded build: playbill build --assemble over {SHARDS} shards (empty output and render cache)",
         _playbill_missing, _assemble_commands, lambda c: c.out("playbill-assemble"), _assemble_cold,
         prepare=_shards_prepare, renders_markdown=False),
    Tool("playbill-prebuilt", "playbill build --prebuilt DIR, DIR holding what `playbill docs build` wrote in every repository (empty output and render cache)",
         _playbill_missing, _prebuilt_commands, lambda c: c.out("playbill-prebuilt"), _prebuilt_cold,
         prepare=_prebuilt_prepare, renders_markdown=False),
    Tool("mkdocs", "mkdocs build -d OUT/<repo> -v (techdocs-core) in each repository, sequentially",
         _mkdocs_missing, _mkdocs_commands, lambda c: c.out("mkdocs"), _clean_out("mkdocs"),
         binary="mkdocs", version=("--version",),
         docs_pages=_mkdocs_docs_pages, docs_pages_note="HTML files but each site's 404.html"),
    Tool("hugo", "hugo over the same docs/ Markdown (bare layout)",
         _which("hugo"), _hugo_commands, lambda c: c.out("hugo"), _clean_out("hugo"),
         prepare=_hugo_prepare, binary="hugo", version=("version",),
         docs_pages=_hugo_docs_pages, docs_pages_note="HTML files but the home page"),
    Tool("pagefind", "pagefind --site over Playbill's output",
         _which("pagefind"), _pagefind_commands, lambda c: c.out("playbill") / "pagefind", _pagefind_clean,
         needs=("playbill",), ratio_note="index time vs Playbill build time",
         binary="pagefind", version=("--version",),
         docs_pages=_pagefind_pages, docs_pages_note="pages indexed (Playbill's HTML files)",
         renders_markdown=False),
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
    html_files: int = 0
    docs_pages: Optional[int] = None
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
                     output_files=self.output_files, output_bytes=self.output_bytes,
                     html_files=self.html_files, docs_pages=self.docs_pages)
            r = ratio(self, baseline)
            if r is not None:
                d["ratio_vs_playbill"] = r
            per_page = cpu_per_docs_page(self)
            if per_page is not None:
                d["cpu_s_per_docs_page"] = per_page
        if self.log:
            d["log"] = self.log
        return d


def cpu_per_docs_page(res: Result) -> Optional[float]:
    """Median CPU seconds (user + system) over the docs pages the output holds: the whole run's
    CPU, whatever else the tool made besides (Playbill's entity pages, search index, ...)."""
    if res.status != "ok" or not res.runs or not res.docs_pages:
        return None
    return statistics.median(s.user_s + s.sys_s for s in res.runs) / res.docs_pages


def cpu_ratio_line(results: list[Result]) -> Optional[str]:
    """How many times Playbill's CPU per docs page MkDocs + techdocs-core spends, when both ran."""
    by_name = {r.name: r for r in results}
    ours = by_name.get("playbill") and cpu_per_docs_page(by_name["playbill"])
    theirs = by_name.get("mkdocs") and cpu_per_docs_page(by_name["mkdocs"])
    if not ours or not theirs:
        return None
    return (f"CPU per docs page: mkdocs {theirs * 1000:.2f} ms, playbill {ours * 1000:.3f} ms: "
            f"mkdocs spends {theirs / ours:.1f}x Playbill's")


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
        # What earlier runs wrote is on the disk before this one starts, so no run is timed
        # while the kernel writes back another's gigabytes: a nightly job builds once.
        os.sync()
        sample = Sample()
        cmds = tool.commands(ctx)
        print(f"[{tool.name}] run {i + 1}/{runs} ({len(cmds)} command{'s' if len(cmds) != 1 else ''})",
              file=sys.stderr)
        for cmd in cmds:
            argv, cwd = (cmd.argv, cmd.cwd) if isinstance(cmd, Command) else (cmd, None)
            s = measure(argv, log, cwd=cwd, timeout=ctx.timeout)
            sample.add(s)
            if s.exit_code != 0:
                break
        res.runs.append(sample)
        if sample.exit_code != 0:
            res.status = "failed"
            res.reason = ("timed out" if sample.timed_out else f"exit {sample.exit_code}") + f"; see {log}"
            if tool.finish:
                tool.finish(ctx)
            return res
    if tool.finish:
        tool.finish(ctx)
    res.output_files, res.output_bytes = tree_size(tool.output(ctx))
    res.html_files = _html_files(tool.output(ctx))
    if tool.docs_pages:
        res.docs_pages = tool.docs_pages(ctx)
    return res


def build_playbill() -> Path:
    cargo = shutil.which("cargo")
    if not cargo:
        sys.exit("cargo not found; pass --playbill PATH")
    print(f"$ cargo build --profile dist   (in {REPO_ROOT})", file=sys.stderr)
    r = subprocess.run([cargo, "build", "--profile", "dist"], cwd=REPO_ROOT, stdout=sys.stderr)
    if r.returncode != 0:
        sys.exit(f"cargo build --profile dist failed (exit {r.returncode})")
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO_ROOT / "target")
    if not target.is_absolute():
        target = REPO_ROOT / target
    exe = target / "dist" / ("playbill.exe" if os.name == "nt" else "playbill")
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


def fmt_ms(seconds: Optional[float]) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.3f} ms"


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


def table(results: list[Result], runs: int, markdown_pages: Optional[int] = None) -> str:
    head = ["tool", "status"] + [f"run {i + 1}" for i in range(runs)] + \
        ["median", "CPU (median)", "peak RSS", "files", "HTML", "docs pages", "CPU/docs page", "output",
         "vs playbill"]
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
                      f"{r.output_files:,}", f"{r.html_files:,}",
                      "-" if r.docs_pages is None else f"{r.docs_pages:,}",
                      fmt_ms(cpu_per_docs_page(r)),
                      fmt_bytes(r.output_bytes),
                      "-" if q is None else f"{q:.2f}x"]
            tool = next((t for t in TOOLS if t.name == r.name), None)
            if tool and tool.docs_pages_note and r.docs_pages is not None:
                line = f"{r.name}: docs pages = {tool.docs_pages_note}"
                if tool.renders_markdown and markdown_pages is not None and r.docs_pages != markdown_pages:
                    line += f"; {r.docs_pages:,} of the {markdown_pages:,} Markdown pages were rendered"
                notes.append(line)
            if tool and tool.ratio_note and q is not None:
                notes.append(f"{r.name}: ratio is {tool.ratio_note}")
        else:
            cells += ["-"] * 9
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
    cpu_line = cpu_ratio_line(results)
    if cpu_line:
        lines.append(cpu_line)
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
    ap.add_argument("--playbill", type=Path, help="use this binary instead of running `cargo build --profile dist`")
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
    for t in TOOLS:
        if t.binary:
            ap.add_argument(f"--{t.binary}", type=Path, metavar="PATH", dest=f"exe_{t.binary}",
                            help=f"the {t.binary} executable to run (default: `{t.binary}` on PATH)")
    args = ap.parse_args(argv)

    if args.repos < 1 or args.runs < 1 or args.docs_pages < 0:
        ap.error("--repos and --runs must be at least 1, --docs-pages not negative")
    names = [n.strip() for n in args.tools.split(",") if n.strip()]
    unknown = [n for n in names if n not in {t.name for t in TOOLS}]
    if unknown:
        ap.error(f"unknown tool(s): {', '.join(unknown)}; known: {', '.join(t.name for t in TOOLS)}")
    selected = [t for t in TOOLS if t.name in names]

    exe: dict[str, Optional[str]] = {}
    for t in TOOLS:
        if not t.binary:
            continue
        given: Optional[Path] = getattr(args, f"exe_{t.binary}")
        if given is None:
            exe[t.binary] = shutil.which(t.binary)
        elif given.is_file() and os.access(given, os.X_OK):
            exe[t.binary] = str(given.absolute())
        else:
            ap.error(f"--{t.binary} {given}: not an executable file")

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
                  timeout=args.timeout or None, exe=exe,
                  markdown_pages=gen.get("docs_pages") or 0)

    results: list[Result] = []
    done: dict[str, Result] = {}
    empty_trash(work)
    for tool in selected:
        res = run_tool(tool, ctx, args.runs, done)
        done[tool.name] = res
        results.append(res)
    empty_trash(work)

    ents = gen.get("entities", {})
    gen_time = "reused" if gen.get("reused") else fmt_s(gen.get("seconds"))
    print(f"Playbill benchmark: {gen.get('repos')} repos (+ org), {gen.get('entities_total')} entities "
          f"({', '.join(f'{k} {v}' for k, v in ents.items())}), {gen.get('docs_pages')} Markdown docs pages, "
          f"{gen.get('files'):,} files, {fmt_bytes(gen.get('bytes'))} input; generation {gen_time}; "
          f"{args.runs} run(s) each, fresh output directory per run")
    print()
    print(table(results, args.runs, ctx.markdown_pages))

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
                         **{t.name: tool_version([exe[t.binary], *t.version]) for t in selected
                            if t.binary and t.version and exe.get(t.binary)}},
            "executables": {t.binary: exe.get(t.binary) for t in selected if t.binary},
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
