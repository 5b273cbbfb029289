"""Writes generated TechDocs repositories (mkdocs.yml + docs/) for the differential comparison.

Deterministic: the same seed always gives the same files. Each page is a random mix of the
dialect's constructs (headings, inline extensions, lists, tables, admonitions, tabs, code
blocks, footnotes, critic marks, abbreviations, emoji, links, images), alone and nested in one
another, so combinations nobody wrote by hand get compared too.

    generate.py DIR     writes the sites into DIR
"""

import os
import random
import sys

SITES = 5
PAGES_PER_SITE = 14
SEED = 17

# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)

WORDS = "alpha beta gamma delta deploy service token cache queue latency owner rollout".split()
HEADING_TEXTS = [
    "Overview", "Getting started", "GET /profiles/{id}", "POST /v1/users/{user_id}/keys",
    "Install `playbill`", "Why? Because!", "Café & crème", "Step 1: build", "C++ and C#",
    "Über die API", "snake_case_name", "The {braces} stay", "Rate-limits (per minute)",
    "A heading with *emphasis*", "Numbers 1.2.3", "Emoji :rocket: launch", "日本語の見出し",
    "Trailing punctuation...", "API: /health", "Overview",
]
EMOJI = [":smile:", ":rocket:", ":warning:", ":white_check_mark:", ":tada:", ":+1:", ":x:", ":fire:"]
LANGS = ["python", "bash", "yaml", "json", "rust", "go", "text", "javascript", "toml", ""]
ADMONITIONS = ["note", "warning", "tip", "danger", "info", "example", "abstract", "success", "question", "bug", "quote"]


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def inline(rng, page, pages):
    """A sentence with a few inline constructs."""
    parts = [words(rng, rng.randint(2, 5))]
    for _ in range(rng.randint(1, 3)):
        k = rng.randrange(16)
        w = words(rng, rng.randint(1, 2))
        parts.append([
            f"**{w}**", f"*{w}*", f"`{w}`", f"~~{w}~~", f"^^{w}^^", f"=={w}==", f"H~2~O", f"x^2^",
            rng.choice(EMOJI), f"{{++{w}++}}", f"{{--{w}--}}", f"{{~~{w}~>{words(rng, 1)}~~}}",
            f"{{=={w}==}}", f"[{w}]({link_target(rng, page, pages)})", "the API and the SLO",
            f"++ctrl+alt+del++",
        ][k])
        parts.append(words(rng, rng.randint(1, 3)))
    return " ".join(parts) + "."


def link_target(rng, page, pages):
    other = rng.choice(pages)
    rel = os.path.relpath(other, os.path.dirname(page) or ".").replace(os.sep, "/")
    return rng.choice([rel, rel + "#overview", "https://example.com/" + rng.choice(WORDS), "#overview"])


def heading(rng, level):
    return "#" * level + " " + rng.choice(HEADING_TEXTS)


def bullet_list(rng, page, pages, indent):
    lines, depth = [], 0
    ordered = rng.random() < 0.3
    start = rng.choice([1, 1, 3, 10]) if ordered else 1
    task = not ordered and rng.random() < 0.3
    for i in range(rng.randint(2, 5)):
        if i and rng.random() < 0.35 and depth < 2:
            depth += 1
        elif depth and rng.random() < 0.3:
            depth -= 1
        marker = f"{start + i}." if ordered else "-"
        box = rng.choice(["[ ] ", "[x] "]) if task else ""
        lines.append(" " * (indent * depth) + f"{marker} {box}{inline(rng, page, pages)}")
    return "\n".join(lines)


def table(rng, page, pages):
    cols = rng.randint(2, 4)
    align = [rng.choice(["---", ":---", ":---:", "---:"]) for _ in range(cols)]
    rows = ["| " + " | ".join(words(rng, 1).title() for _ in range(cols)) + " |", "| " + " | ".join(align) + " |"]
    for _ in range(rng.randint(1, 4)):
        cells = []
        for _ in range(cols):
            c = rng.randrange(5)
            cells.append([words(rng, 2), rng.choice(EMOJI), f"`{words(rng, 1)}`", f"**{words(rng, 1)}**", "the API"][c])
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def code(rng):
    lang = rng.choice(LANGS)
    opts = []
    n = rng.randint(1, 6)
    if rng.random() < 0.4:
        opts.append(rng.choice(['linenums="1"', 'linenums="10"', 'linenums="3"']))
    if rng.random() < 0.3:
        opts.append(f'hl_lines="{rng.randint(1, n)}"')
    if rng.random() < 0.3:
        opts.append(f'title="{rng.choice(WORDS)}.{lang or "txt"}"')
    info = (lang + " " + " ".join(opts)).strip() if lang else ("text " + " ".join(opts)).strip() if opts else ""
    body = "\n".join(f"{rng.choice(WORDS)} = {i}" for i in range(n))
    return f"```{info}\n{body}\n```"


def indent(text, n=4):
    return "\n".join((" " * n + l) if l.strip() else "" for l in text.split("\n"))


def admonition(rng, page, pages, depth):
    kind = rng.choice(ADMONITIONS)
    marker = rng.choice(["!!!", "!!!", "???", "???+"])
    title = rng.choice(["", f' "{words(rng, 2).title()}"', ' ""'])
    return f"{marker} {kind}{title}\n\n" + indent(blocks(rng, page, pages, depth + 1, rng.randint(1, 2)))


def tabs(rng, page, pages, depth):
    out = []
    for _ in range(rng.randint(2, 3)):
        out.append(f'=== "{words(rng, 1).title()}"\n\n' + indent(blocks(rng, page, pages, depth + 1, 1)))
    return "\n\n".join(out)


def footnote(rng, page, pages, state):
    state["fn"] += 1
    n = state["fn"]
    state["notes"].append(f"[^{n}]: {inline(rng, page, pages)}")
    return f"{inline(rng, page, pages)}[^{n}]"


def block(rng, page, pages, depth, state):
    k = rng.randrange(11 if depth < 2 else 8)
    if k == 0:
        return inline(rng, page, pages)
    if k == 1:
        return bullet_list(rng, page, pages, rng.choice([2, 4]))
    if k == 2:
        return table(rng, page, pages)
    if k == 3:
        return code(rng)
    if k == 4:
        return "> " + inline(rng, page, pages)
    if k == 5:
        return footnote(rng, page, pages, state)
    if k == 6:
        return f"![{words(rng, 1)}]({os.path.relpath('img/pixel.png', os.path.dirname(page) or '.')})"
    if k == 7:
        return f"Term {words(rng, 1)}\n:   {inline(rng, page, pages)}"
    if k == 8:
        return admonition(rng, page, pages, depth)
    if k == 9:
        return tabs(rng, page, pages, depth)
    return '<div markdown>\n\n' + inline(rng, page, pages) + '\n\n</div>'


def blocks(rng, page, pages, depth, n, state=None):
    state = state if state is not None else {"fn": 0, "notes": []}
    return "\n\n".join(block(rng, page, pages, depth, state) for _ in range(n))


def page_text(rng, page, pages):
    state = {"fn": 0, "notes": []}
    out = []
    if rng.random() < 0.85:
        out.append(heading(rng, 1))
    for _ in range(rng.randint(2, 5)):
        out.append(heading(rng, rng.randint(2, 4)))
        out.append(blocks(rng, page, pages, 0, rng.randint(1, 3), state))
    out.append("*[API]: Application Programming Interface\n*[SLO]: Service Level Objective")
    out.extend(state["notes"])
    return "\n\n".join(out) + "\n"


def write_site(root, index, rng):
    name = f"generated-{index:02d}"
    docs = os.path.join(root, name, "docs")
    os.makedirs(os.path.join(docs, "img"))
    with open(os.path.join(docs, "img", "pixel.png"), "wb") as f:
        f.write(PNG)
    pages = ["index.md"] + [
        (f"section-{i % 3}/" if i % 4 == 0 else "") + f"page-{i:02d}.md" for i in range(1, PAGES_PER_SITE)
    ]
    for page in pages:
        path = os.path.join(docs, page)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(page_text(rng, page, pages))
    with open(os.path.join(root, name, "mkdocs.yml"), "w", encoding="utf-8") as f:
        f.write(f"site_name: Generated site {index}\nplugins:\n  - techdocs-core\n")


def write_sites(root):
    rng = random.Random(SEED)
    for i in range(SITES):
        write_site(root, i, rng)


if __name__ == "__main__":
    write_sites(sys.argv[1])
