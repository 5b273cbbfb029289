"""Reads one built page (mkdocs + Material, or Playbill) into comparable structure tokens.

Only the main content counts: Material's `article.md-content__inner`, Playbill's
`article.docs-content` without its header and footer. Each token is a tuple whose first item is
its category (heading, code, admonition, ...); the comparison counts equal tokens per page.
Styling differences that do not change what a reader gets (Pygments spans against scope spans,
an emoji image against the emoji character, the URL style of links) are normalised here.
"""

from html.parser import HTMLParser
import posixpath
import re

BLOCK_TAGS = {"p", "div", "dt", "dd", "dl", "li", "ul", "ol", "tr", "td", "th", "table", "blockquote", "br", "pre"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    __slots__ = ("tag", "attrs", "children", "parent")

    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.children, self.parent = tag, attrs, [], parent

    def classes(self):
        return set((self.attrs.get("class") or "").split())

    def has_class(self, name):
        return name in self.classes()

    def text(self):
        out = []
        for c in self.children:
            out.append(c if isinstance(c, str) else c.text())
        return "".join(out)

    def walk(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.walk()

    def find(self, pred):
        return next((n for n in self.walk() if pred(n)), None)

    def ancestors(self):
        n = self.parent
        while n is not None:
            yield n
            n = n.parent


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v or "") for k, v in attrs}, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, {k: (v or "") for k, v in attrs}, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(html):
    b = TreeBuilder()
    b.feed(html)
    b.close()
    return b.root


def norm(text):
    return re.sub(r"\s+", " ", text.replace("\u00b6", "")).strip()


def remove(root, pred):
    for n in list(root.walk()):
        if pred(n) and n.parent is not None and n in n.parent.children:
            n.parent.children.remove(n)


def main_content(root, flavour):
    """The article holding the page's own content, with permalink anchors and chrome removed."""
    if flavour == "mkdocs":
        art = root.find(lambda n: n.tag == "article" and n.has_class("md-content__inner"))
        drop = lambda n: n.has_class("md-content__button") or n.has_class("md-source-file")
    else:
        art = root.find(lambda n: n.tag == "article" and n.has_class("docs-content"))
        # The header's kicker and hidden title are chrome; its h1 (a page without one of its
        # own gets the title, as Material adds it) is content. Material's has no id.
        drop = lambda n: (n.parent is not None and n.parent.has_class("docs-header") and n.tag != "h1") or (
            n.tag == "footer" and n.has_class("docs-footer")
        )
        for h in art.walk() if art is not None else []:
            if h.tag == "h1" and h.attrs.get("id") == "doc-title":
                del h.attrs["id"]
    if art is None:
        return None
    remove(art, lambda n: drop(n) or (n.tag == "a" and n.has_class("headerlink")))
    return art


def page_title(root, flavour, site_name):
    if flavour == "mkdocs":
        t = root.find(lambda n: n.tag == "title")
        text = norm(t.text()) if t else ""
        suffix = " - " + site_name
        return text[: -len(suffix)] if text.endswith(suffix) else text
    t = root.find(lambda n: n.attrs.get("id") == "doc-title")
    return norm(t.text()) if t else ""


def emoji_of(node):
    """An emoji as its character: Material writes an image (alt is the character), Playbill a span."""
    if node.tag == "img" and (node.has_class("emojione") or node.has_class("twemoji") or node.has_class("gemoji")):
        return node.attrs.get("alt", "")
    if node.tag == "span" and (node.has_class("emoji") or node.has_class("twemoji")):
        return norm(node.text())
    return None


def inline_text(node, skip=()):
    """Text with emoji images turned into their characters; children tagged `skip` left out."""
    out = []
    for c in node.children:
        if isinstance(c, str):
            out.append(c)
        elif c.tag in skip:
            continue
        else:
            e = emoji_of(c)
            text = e if e is not None else inline_text(c)
            # Block children are apart however the HTML is indented.
            out.append(" " + text + " " if c.tag in BLOCK_TAGS else text)
    return "".join(out)


class Tokens:
    def __init__(self, resolve_url):
        self.items = []
        self.resolve_url = resolve_url

    def add(self, *token):
        self.items.append(token)


def list_depth(node):
    return sum(1 for a in node.ancestors() if a.tag in ("ul", "ol"))


def code_block(node, t):
    """A highlighted block: Material's div.highlight (table or plain) or Playbill's."""
    classes = node.classes()
    lang = next((c[len("language-"):] for c in classes if c.startswith("language-")), "")
    code = node.find(lambda n: n.tag == "code")
    if not lang and code is not None:
        lang = next((c[len("language-"):] for c in code.classes() if c.startswith("language-")), "")
    title = node.find(lambda n: n.has_class("filename") and n.tag == "span")
    numbers = []
    table_nums = node.find(lambda n: n.has_class("linenos") and n.tag == "td")
    if table_nums is not None:
        numbers = [norm(x) for x in table_nums.text().split()]
    else:
        for n in node.walk():
            if n.has_class("linenos"):
                numbers.append(norm(n.attrs.get("data-linenos", "") or n.text()))
            elif n.tag == "a" and n.attrs.get("id", "").startswith("__codelineno"):
                pass
    numbers = [x for x in numbers if x]
    body = code.text() if code is not None else ""
    lines = body.rstrip("\n").split("\n") if body.strip("\n") else []
    hl = []
    if code is not None:
        count = 0
        for piece in code_lines(code):
            count += 1
            if piece:
                hl.append(count)
    t.add(
        "code",
        lang,
        norm(title.text()) if title else "",
        numbers[0] if numbers else "",
        len(numbers),
        tuple(hl),
        len(lines),
        norm(body),
    )


def code_lines(code):
    """For each line of a code element: whether it sits in a `.hll` span."""
    flags, current = [], [False]

    def visit(n, inside):
        for c in n.children:
            if isinstance(c, str):
                parts = c.split("\n")
                for i, _ in enumerate(parts):
                    if inside:
                        current[0] = True
                    if i < len(parts) - 1:
                        flags.append(current[0])
                        current[0] = False
            else:
                visit(c, inside or c.has_class("hll"))

    visit(code, False)
    if current[0] or (code.text() and not code.text().endswith("\n")):
        flags.append(current[0])
    return flags


def tabs(node, t):
    labels = node.find(lambda n: n.has_class("tabbed-labels"))
    names = []
    if labels is not None:
        names = [norm(inline_text(l)) for l in labels.children if isinstance(l, Node) and l.tag == "label"]
    else:
        names = [norm(inline_text(l)) for l in node.children if isinstance(l, Node) and l.tag == "label"]
    t.add("tabs", tuple(names))


def admonition(node, t):
    classes = node.classes() - {"admonition", "inline", "end", "is-open"}
    kind = " ".join(sorted(classes))
    if node.tag == "details":
        title = node.find(lambda n: n.tag == "summary")
        t.add("admonition", "details", kind, norm(inline_text(title)) if title else "", "open" in node.attrs)
    else:
        title = node.find(lambda n: n.has_class("admonition-title"))
        t.add("admonition", "note", kind, norm(inline_text(title)) if title else "")


def href_token(t, tag, url, text):
    t.add(tag, t.resolve_url(url), norm(text))


def tokens_of(article, resolve_url):
    t = Tokens(resolve_url)
    for n in article.walk():
        visit(n, t)
    return t.items


HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def visit(n, t):
    tag, cls = n.tag, n.classes()
    if any(a.tag == "pre" or a.has_class("highlight") for a in n.ancestors()) and tag not in ("pre",):
        return
    if tag in HEADINGS:
        t.add("heading", tag, n.attrs.get("id", ""), norm(inline_text(n)))
    elif tag == "div" and ("highlight" in cls or any(c.startswith("language-") for c in cls)) and n.find(lambda x: x.tag == "code"):
        code_block(n, t)
    elif tag == "pre" and not any(a.has_class("highlight") for a in n.ancestors()):
        t.add("code", "", "", "", 0, (), len(n.text().rstrip("\n").split("\n")), norm(n.text()))
    elif "tabbed-set" in cls:
        tabs(n, t)
    elif ("admonition" in cls and tag == "div") or tag == "details":
        admonition(n, t)
    elif tag == "table":
        rows = [r for r in n.walk() if r.tag == "tr"]
        head = tuple(norm(inline_text(c)) for c in n.walk() if c.tag == "th")
        aligns = tuple(c.attrs.get("align", "") or style_align(c) for c in n.walk() if c.tag == "th")
        t.add("table", len(rows), head, aligns)
        for c in n.walk():
            if c.tag == "td":
                t.add("cell", norm(inline_text(c)))
    elif tag in ("ul", "ol"):
        items = [c for c in n.children if isinstance(c, Node) and c.tag == "li"]
        task = "task-list" in cls
        t.add("list", tag, list_depth(n), len(items), n.attrs.get("start", ""), task)
    elif tag == "li":
        box = n.find(lambda x: x.tag == "input" and x.attrs.get("type") == "checkbox")
        own = norm(inline_text(n, skip=("ul", "ol")))
        if box is not None and n.has_class("task-list-item"):
            t.add("task", "checked" in box.attrs, own)
        else:
            t.add("item", own)
    elif tag == "sup" and n.attrs.get("id", "").startswith("fnref"):
        t.add("footnote-ref", n.attrs["id"], norm(n.text()))
    elif tag == "div" and "footnote" in cls:
        items = [li for li in n.walk() if li.tag == "li"]
        t.add("footnotes", tuple(li.attrs.get("id", "") for li in items))
    elif tag in ("ins", "del", "mark"):
        t.add("critic" if "critic" in cls else tag, tag, norm(inline_text(n)))
    elif tag == "span" and "critic" in cls and "comment" in cls:
        t.add("critic", "comment", norm(inline_text(n)))
    elif tag == "abbr":
        t.add("abbr", norm(n.text()), n.attrs.get("title", ""))
    elif emoji_of(n) is not None:
        t.add("emoji", emoji_of(n))
    elif tag == "a" and "href" in n.attrs and "footnote-ref" not in cls and "footnote-backref" not in cls:
        href_token(t, "link", n.attrs["href"], inline_text(n))
    elif tag == "img":
        href_token(t, "image", n.attrs.get("src", ""), n.attrs.get("alt", ""))
    elif tag in ("p", "blockquote", "hr", "dl", "dt", "dd", "strong", "em", "sub", "sup", "kbd"):
        t.add("block" if tag in ("p", "blockquote", "hr", "dl", "dt", "dd") else "inline", tag, norm(inline_text(n)))
    elif tag == "code":
        t.add("inline", "code", norm(n.text()))


def style_align(cell):
    m = re.search(r"text-align:\s*(\w+)", cell.attrs.get("style", ""))
    return m.group(1) if m else ""


def url_resolver(page_dir, site_root_rel):
    """Turns an href into a site-relative target: `other/` and `../other/index.html` both
    become `other/index.html`. External URLs and schemes stay as they are."""

    def resolve(url):
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url) or url.startswith("//"):
            return url
        path, _, frag = url.partition("#")
        if not path:
            return "#" + frag
        joined = posixpath.normpath(posixpath.join(page_dir, path))
        if url.split("#")[0].endswith("/") or joined in (".", ""):
            joined = posixpath.join(joined, "index.html")
        if site_root_rel and joined.startswith(site_root_rel + "/"):
            joined = joined[len(site_root_rel) + 1:]
        joined = joined.lstrip("./") if joined.startswith("./") else joined
        return joined + ("#" + frag if frag else "")

    return resolve
