#!/usr/bin/env python3
"""Search figures: Playbill's static index against Pagefind's, on the same output.

    python3 benches/search.py --repos 1000 [--keep DIR] [--playbill PATH] [--pagefind PATH]
                              [--query WORDS ...] [--json FILE] [--no-browser]

1. Generates (or reuses, with ``--keep``) the synthetic organisation, as run.py does.
2. Runs ``playbill build`` once with ``PLAYBILL_TIMINGS=1``: the build's wall time and the
   search index's own time (so timed, it builds before the pages rather than beside them), files
   and bytes.
3. For each query, the files the header box loads, computed from the manifest the way
   static/search.js chooses them: the manifest, the shards of the query's words, and the
   document tables of the results it shows (five entities and five docs sections).
4. Runs ``pagefind --site OUT`` once over the same output: time, files and bytes.
5. Unless ``--no-browser``: both indexes queried in headless Chromium (benches/search_browser.js,
   with tests/e2e's playwright-core), over http on loopback: bytes the browser fetched for a
   first query (the five or ten results' data included) and the time of a first and a repeated
   query.

Standard library only (the browser step needs node and ``npm ci --prefix tests/e2e``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as harness  # noqa: E402  (the sibling benchmark harness)

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
DEFAULT_QUERIES = ["failover", "canary rollout dashboard"]
# As static/search.js.
MAX_EXPANSIONS, TOP, PER_GROUP = 50, 10, 5


# --------------------------------------------------------------------------
# The files a query loads, from the manifest
# --------------------------------------------------------------------------

def call_args(path: Path, call: str) -> list:
    """The arguments of `PlaybillSearch.<call>(...)` in one index script."""
    text = path.read_text(encoding="utf-8").strip()
    prefix = f"PlaybillSearch.{call}("
    assert text.startswith(prefix) and text.endswith(");"), path
    return json.loads("[" + text[len(prefix):-2] + "]")


def terms(text: str) -> list[str]:
    """src/search/text.rs: lower-case, NFKD, no marks, runs of letters and digits."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower())
                     if not unicodedata.category(c).startswith("M"))
    return [t for t in re.split(r"[\W_]+", folded) if t]


class Index:
    def __init__(self, out: Path):
        self.dir = out / "search"
        self.manifest = call_args(self.dir / "manifest.js", "manifest")[0]
        self.shards: dict[str, dict] = {}
        self.loaded: list[str] = ["manifest"]
        # Shard key -> file name, as static/search.js derives them from the manifest.
        self.files: dict[str, str] = {}
        for root, group in self.manifest["shards"].items():
            for suffix in group[1:]:
                key = root + suffix
                fk = key if re.fullmatch(r"[a-z0-9]+", key) else "u-" + key.encode().hex()
                self.files[key] = f"{fk}.{group[0]}"

    def load(self, name: str) -> None:
        if name not in self.loaded:
            self.loaded.append(name)

    def words(self, q: str) -> list[str]:
        out: list[str] = []
        for t in terms(q):
            if t not in self.manifest["stop"] and t not in out:
                out.append(t)
        return out

    def keys_for(self, w: str) -> list[str]:
        prefix = len(w) >= 2
        return sorted(k for k in self.files
                      if w.startswith(k) or (prefix and k.startswith(w)))

    def shard(self, key: str) -> dict:
        if key not in self.shards:
            name = self.files[key]
            self.load(name)
            self.shards[key] = call_args(self.dir / f"{name}.js", "shard")[1]
        return self.shards[key]

    def lookup(self, w: str) -> list[tuple[list[int], bool]]:
        exact, prefixed = [], []
        for k in self.keys_for(w):
            sh = self.shard(k)
            for i, t in enumerate(sh["t"]):
                if t.startswith(w):
                    (exact if t == w else prefixed).append((t, sh["p"][sh["s"][i]]))
        out = [(p, True) for _, p in exact]
        if len(w) >= 2:
            out += [(p, False) for _, p in sorted(prefixed, key=lambda x: x[0])[:MAX_EXPANSIONS]]
        return out

    @staticmethod
    def fallbacks(w: str) -> list[str]:
        n = len(w)
        return [] if n < 5 else [w[:k] for k in range(n - 1, max(4, n - 3) - 1, -1)]

    def rank(self, q: str) -> list[tuple[int, int, int]]:
        """(doc, matched, score), best first, as query.rs (the exact-name step aside)."""
        hits: dict[int, list[int]] = {}
        for w in self.words(q):
            found, tries = self.lookup(w), self.fallbacks(w)
            while not found and tries:
                found = self.lookup(tries.pop(0))
            best: dict[int, int] = {}
            for postings, full in found:
                doc = 0
                for i in range(0, len(postings), 2):
                    doc += postings[i]
                    v = postings[i + 1] if full else postings[i + 1] // 2
                    best[doc] = max(best.get(doc, 0), v)
            for d, v in best.items():
                h = hits.setdefault(d, [0, 0])
                h[0] += 1
                h[1] += v
        return sorted(((d, m, s) for d, (m, s) in hits.items()), key=lambda x: (-x[1], -x[2], x[0]))

    def header_box(self, q: str) -> dict:
        """Files and bytes of one query in the header box."""
        self.loaded = ["manifest"]
        self.shards = {}
        ranked = self.rank(q)
        n, chunk = self.manifest["entities"], self.manifest["chunk"]
        docs = [d for d, _, _ in ranked[:TOP] if d < n]                       # exact-name check
        docs += [d for d, _, _ in ranked if d < n][:PER_GROUP]
        docs += [d for d, _, _ in ranked if d >= n][:PER_GROUP]
        for d in docs:
            c = d // chunk
            self.load(f"docs-{c}.{self.manifest['tables'][c // self.manifest['block']]}")
        files = [self.dir / f"{name}.js" for name in self.loaded]
        return {"query": q, "results": len(ranked), "files": len(files),
                "bytes": sum(f.stat().st_size for f in files),
                "gzip_bytes": sum(len(gzip.compress(f.read_bytes(), 6)) for f in files),
                "shard_files": sum(1 for x in self.loaded if x != "manifest" and not x.startswith("docs-"))}


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------

def tree(path: Path) -> tuple[int, int]:
    return harness.tree_size(path)


def run_playbill(exe: Path, org: Path, out: Path) -> dict:
    if out.exists():
        shutil.rmtree(out)
    env = dict(os.environ, PLAYBILL_TIMINGS="1")
    t0 = time.perf_counter()
    r = subprocess.run([str(exe), "build", "--config", str(org / "site.toml"), "--out", str(out)],
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"playbill build failed:\n{r.stderr[-2000:]}")
    m = re.search(r"timing: search index ([\d.]+)s, (\d+) files, (\d+) bytes", r.stderr)
    if not m:
        sys.exit("playbill did not report the search index's time (PLAYBILL_TIMINGS)")
    files, size = tree(out / "search")
    largest = max((p.stat().st_size for p in (out / "search").iterdir()), default=0)
    return {"build_s": wall, "index_s": float(m.group(1)), "index_files": files,
            "index_bytes": size, "largest_file_bytes": largest,
            "manifest_bytes": (out / "search" / "manifest.js").stat().st_size}


def run_pagefind(exe: str, out: Path) -> dict:
    idx = out / "pagefind"
    if idx.exists():
        shutil.rmtree(idx)
    t0 = time.perf_counter()
    r = subprocess.run([exe, "--site", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"pagefind failed:\n{r.stderr[-2000:]}")
    files, size = tree(idx)
    return {"index_s": wall, "index_files": files, "index_bytes": size}


def run_browser(out: Path, queries: list[str], pagefind: bool) -> dict | None:
    node = shutil.which("node")
    if not node or not (REPO_ROOT / "tests" / "e2e" / "node_modules" / "playwright-core").is_dir():
        print("browser step skipped: needs node and `npm ci --prefix tests/e2e`", file=sys.stderr)
        return None
    cmd = [node, str(BENCH_DIR / "search_browser.js"), str(out), "1" if pagefind else "0", *queries]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600)
    if r.returncode != 0:
        print(f"browser step failed:\n{r.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(r.stdout)


def kib(n: float) -> str:
    return f"{n / 1024:,.1f} KiB"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repos", type=int, default=100)
    p.add_argument("--docs-pages", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", type=Path, help="generate the organisation here and reuse it")
    p.add_argument("--regenerate", action="store_true")
    p.add_argument("--playbill", type=Path, help="a built binary (default: cargo build --release)")
    p.add_argument("--pagefind", help="the pagefind executable (default: looked up on PATH)")
    p.add_argument("--query", action="append", help=f"a query (repeatable; default {DEFAULT_QUERIES})")
    p.add_argument("--json", type=Path)
    p.add_argument("--no-browser", action="store_true")
    args = p.parse_args(argv)
    queries = args.query or DEFAULT_QUERIES

    exe = args.playbill.resolve() if args.playbill else harness.build_playbill()
    work = Path(tempfile.mkdtemp(prefix="playbill-search-bench-"))
    try:
        org = args.keep.resolve() if args.keep else work / "org"
        harness.generate(org, args, reuse=bool(args.keep))
        out = work / "public"
        figures: dict = {"repos": args.repos, "queries": queries, "commit": harness.git_commit()}
        figures["playbill"] = run_playbill(exe, org, out)
        index = Index(out)
        figures["playbill"]["docs"] = index.manifest["docs"]
        figures["playbill"]["per_query"] = [index.header_box(q) for q in queries]
        pf = args.pagefind or shutil.which("pagefind")
        figures["pagefind"] = run_pagefind(pf, out) if pf else None
        if not args.no_browser:
            figures["browser"] = run_browser(out, queries, bool(pf))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    pb = figures["playbill"]
    print(f"{args.repos} repositories, {pb['docs']:,} indexed documents (entities and docs sections)")
    print(f"playbill build: {pb['build_s']:.2f} s, of which the search index {pb['index_s']:.2f} s "
          f"(built alone, before the pages); {pb['index_files']:,} files, {kib(pb['index_bytes'])}, "
          f"manifest {kib(pb['manifest_bytes'])}, largest file {kib(pb['largest_file_bytes'])}")
    for q in pb["per_query"]:
        print(f"  header box \"{q['query']}\": {q['results']:,} results; loads {q['files']} files "
              f"({q['shard_files']} shards), {kib(q['bytes'])} ({kib(q['gzip_bytes'])} gzipped)")
    if figures.get("pagefind"):
        f = figures["pagefind"]
        print(f"pagefind --site: {f['index_s']:.2f} s; {f['index_files']:,} files, {kib(f['index_bytes'])}")
    for row in (figures.get("browser") or {}).get("rows", []):
        print(f"  chromium {row['tool']:8} \"{row['query']}\": {row['results']} results, first query "
              f"{row['first_ms']:.0f} ms, again {row['again_ms']:.1f} ms; fetched {row['requests']} files, "
              f"{kib(row['bytes'])} (show {row['shown']} results)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
