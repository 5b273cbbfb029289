"""Builds fixture docs repositories with `mkdocs build` (techdocs-core) and with
`playbill docs build`, and compares the structure of every page.

    compare.py --playbill PATH --mkdocs PATH [--work DIR] [--report FILE] [--only NAME]

Repositories: every directory of fixtures/ (hand-written) and the sites generate.py writes.
Prints the share of pages both sides made at the same path, the agreement per category and overall, and writes a JSON report of every difference.
Exit status: 0 when the figures meet --min-ids and --min-structure, 1 below, 2 on a broken run.
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import extract  # noqa: E402
import generate  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def site_name_of(repo):
    import re

    text = open(os.path.join(repo, "mkdocs.yml"), encoding="utf-8").read()
    m = re.search(r"^site_name:\s*(.+)$", text, re.M)
    return m.group(1).strip().strip("'\"") if m else ""


def run(cmd, cwd, log):
    started = time.monotonic()
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log.append({"cmd": cmd, "status": p.returncode, "output": p.stdout[-4000:]})
    return p.returncode, time.monotonic() - started


def html_pages(root):
    pages = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".html") and f != "404.html":
                full = os.path.join(dirpath, f)
                pages[os.path.relpath(full, root).replace(os.sep, "/")] = full
    return pages


def read_page(path, flavour, site_name, rel, site_root_rel):
    root = extract.parse(open(path, encoding="utf-8").read())
    title = extract.page_title(root, flavour, site_name)
    art = extract.main_content(root, flavour)
    if art is None:
        return None, []
    page_dir = os.path.dirname(site_root_rel + "/" + rel if site_root_rel else rel)
    resolve = extract.url_resolver(page_dir, site_root_rel)
    tokens = [("title", title)]
    tokens += extract.tokens_of(art, resolve)
    return root, tokens


def nav_of(root, flavour, rel, site_root_rel):
    """The site's navigation as (label, target) pairs, in order."""
    page_dir = os.path.dirname(site_root_rel + "/" + rel if site_root_rel else rel)
    resolve = extract.url_resolver(page_dir, site_root_rel)
    if flavour == "mkdocs":
        nav = root.find(lambda n: n.tag == "nav" and n.has_class("md-nav--primary"))
        links = [
            a
            for a in (nav.walk() if nav else [])
            if a.tag == "a" and a.has_class("md-nav__link")
            and not any(x.has_class("md-nav--secondary") for x in a.ancestors())
        ]
    else:
        nav = root.find(lambda n: n.tag == "nav" and n.has_class("docs-nav"))
        links = [
            a for a in (nav.walk() if nav else [])
            if a.tag == "a" and a.parent is not None and a.parent.tag == "li"
        ]
    return [("nav", extract.norm(a.text()), resolve(a.attrs.get("href", ""))) for a in links]


def build_both(repo, out, playbill, mkdocs, log):
    name = os.path.basename(repo)
    mk_out, pb_out = os.path.join(out, name, "mkdocs"), os.path.join(out, name, "playbill")
    for d in (mk_out, pb_out):
        shutil.rmtree(d, ignore_errors=True)
    status_mk, t_mk = run([mkdocs, "build", "--quiet", "-f", os.path.join(repo, "mkdocs.yml"), "-d", mk_out], repo, log)
    entity = "default/component/" + name
    status_pb, t_pb = run([playbill, "docs", "build", repo, "--out", pb_out, "--entity", entity], repo, log)
    return (mk_out if status_mk == 0 else None), (pb_out if status_pb in (0, 1) else None), "docs/" + entity, t_mk, t_pb


def compare_site(repo, out, playbill, mkdocs, log):
    mk_out, pb_out, pb_base, t_mk, t_pb = build_both(repo, out, playbill, mkdocs, log)
    if mk_out is None or pb_out is None:
        raise RuntimeError(f"build failed for {repo}: " + json.dumps(log[-2:], indent=1))
    site_name = site_name_of(repo)
    mk_pages = html_pages(mk_out)
    pb_pages = html_pages(os.path.join(pb_out, pb_base))
    # Playbill's one-page print view has no mkdocs counterpart (unless the site has its own
    # print.md, which then wins on both sides).
    if "print/index.html" not in mk_pages:
        pb_pages.pop("print/index.html", None)
    result = {}
    # Which pages each side produced: a page at another URL is missing on one side.
    paths = {rel: (rel in mk_pages, rel in pb_pages) for rel in set(mk_pages) | set(pb_pages)}
    nav_done = False
    for rel in sorted(set(mk_pages) | set(pb_pages)):
        mk_root, mk_tokens = (None, [("page", rel)])
        pb_root, pb_tokens = (None, [("page", rel)])
        if rel in mk_pages:
            mk_root, mk_tokens = read_page(mk_pages[rel], "mkdocs", site_name, rel, "")
            if mk_root is None:
                continue  # not a docs page (search, sitemap)
        if rel in pb_pages:
            pb_root, pb_tokens = read_page(pb_pages[rel], "playbill", site_name, rel, pb_base)
        if not nav_done and mk_root is not None and pb_root is not None:
            mk_tokens += nav_of(mk_root, "mkdocs", rel, "")
            pb_tokens += nav_of(pb_root, "playbill", rel, pb_base)
            nav_done = True
        result[rel] = (mk_tokens, pb_tokens)
    paths = {rel: sides for rel, sides in paths.items() if rel in result}
    return result, paths, t_mk, t_pb


def agreement(pairs):
    """Per category: tokens both sides have (as multisets) and the larger side's count."""
    per = collections.defaultdict(lambda: [0, 0])
    for mk, pb in pairs:
        cm, cp = collections.Counter(mk), collections.Counter(pb)
        cats = {t[0] for t in mk} | {t[0] for t in pb}
        for cat in cats:
            a = collections.Counter({k: v for k, v in cm.items() if k[0] == cat})
            b = collections.Counter({k: v for k, v in cp.items() if k[0] == cat})
            per[cat][0] += sum((a & b).values())
            per[cat][1] += max(sum(a.values()), sum(b.values()))
    return per


def heading_ids(tokens):
    return [("heading-id", t[1], t[2]) for t in tokens if t[0] == "heading"]


def differences(mk, pb):
    cm, cp = collections.Counter(mk), collections.Counter(pb)
    return {
        "only_mkdocs": [list(t) for t in (cm - cp).elements()],
        "only_playbill": [list(t) for t in (cp - cm).elements()],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--playbill", required=True)
    ap.add_argument("--mkdocs", required=True)
    ap.add_argument("--work", default=None)
    ap.add_argument("--report", default=None)
    ap.add_argument("--only", default=None, help="compare only the repositories whose name holds this")
    ap.add_argument("--min-ids", type=float, default=100.0)
    ap.add_argument("--min-structure", type=float, default=98.0)
    ap.add_argument("--min-paths", type=float, default=100.0, help="share of pages both sides made at the same path")
    args = ap.parse_args()
    # The builds run inside each repository: paths given relative to here must still work.
    args.playbill, args.mkdocs = (os.path.abspath(p) if os.sep in p else p for p in (args.playbill, args.mkdocs))
    work = os.path.abspath(args.work or os.path.join(os.environ.get("TMPDIR", "/tmp"), "playbill-docs-diff"))
    shutil.rmtree(work, ignore_errors=True)
    repos_dir, out = os.path.join(work, "repos"), os.path.join(work, "out")
    os.makedirs(repos_dir)
    fixtures = os.path.join(HERE, "fixtures")
    for name in sorted(os.listdir(fixtures)):
        shutil.copytree(os.path.join(fixtures, name), os.path.join(repos_dir, name))
    generate.write_sites(repos_dir)
    log, all_pairs, report = [], [], {}
    page_paths = [0, 0]
    t_mk = t_pb = 0.0
    for name in sorted(os.listdir(repos_dir)):
        if args.only and args.only not in name:
            continue
        pages, paths, a, b = compare_site(os.path.join(repos_dir, name), out, args.playbill, args.mkdocs, log)
        t_mk, t_pb = t_mk + a, t_pb + b
        for rel, (mk_has, pb_has) in sorted(paths.items()):
            page_paths[0] += mk_has and pb_has
            page_paths[1] += 1
            if not (mk_has and pb_has):
                report.setdefault("page paths", []).append(
                    f"{name}/{rel}: only {'mkdocs' if mk_has else 'playbill'} made it")
        for rel, (mk, pb) in pages.items():
            all_pairs.append((mk, pb))
            diff = differences(mk, pb)
            if diff["only_mkdocs"] or diff["only_playbill"]:
                report[f"{name}/{rel}"] = diff
    per = agreement(all_pairs)
    ids = agreement([(heading_ids(mk), heading_ids(pb)) for mk, pb in all_pairs])["heading-id"]
    same = sum(v[0] for v in per.values())
    total = sum(v[1] for v in per.values())
    pct = lambda a, b: 100.0 * a / b if b else 100.0
    figures = {
        "pages": len(all_pairs),
        "page_paths": [page_paths[0], page_paths[1], round(pct(*page_paths), 2)],
        "heading_ids": [ids[0], ids[1], round(pct(*ids), 2)],
        "structure": [same, total, round(pct(same, total), 2)],
        "categories": {k: [v[0], v[1], round(pct(*v), 2)] for k, v in sorted(per.items())},
        "seconds": {"mkdocs": round(t_mk, 2), "playbill": round(t_pb, 2)},
    }
    print(f"pages compared: {len(all_pairs)}")
    print(f"page paths:  {page_paths[0]}/{page_paths[1]} = {pct(*page_paths):.2f}%")
    print(f"heading ids: {ids[0]}/{ids[1]} = {pct(*ids):.2f}%")
    print(f"structure:   {same}/{total} = {pct(same, total):.2f}%")
    for k, v in sorted(per.items()):
        print(f"  {k:12} {v[0]:6}/{v[1]:<6} {pct(*v):7.2f}%")
    print(f"build time: mkdocs {t_mk:.1f}s, playbill {t_pb:.1f}s")
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump({"figures": figures, "differences": report}, f, indent=1, ensure_ascii=False)
    print("FIGURES " + json.dumps(figures))
    ok = pct(*ids) >= args.min_ids and pct(same, total) >= args.min_structure
    ok = ok and pct(*page_paths) >= args.min_paths
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
