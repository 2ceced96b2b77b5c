#!/usr/bin/env python3
"""Internal link and anchor checker for a built static site (no network, stdlib only).

Reads every .html (and .css) file of an output tree and checks that each internal reference
resolves to a file of that tree, and that each #fragment names an element id (or <a name>) of
the target page. References are resolved as a browser would, against the URL the page is served
at, which is the site's base URL plus the page's path (`dir/index.html` is served as `dir/`).
A reference is internal when it has the base URL's origin; an internal reference outside the
base path is an error (it escapes the site). References to other origins are only counted.

Also reported, because they make anchors ambiguous or break accessible names:
- duplicate ids in a page;
- ARIA/label id references (aria-labelledby, aria-describedby, aria-controls, for, ...)
  that name no id of the page;
- relative (not root-relative) links in 404.html, which a server shows at any missing path.

Usage: links.py SITE_DIR BASE_URL [--json]
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

# Attributes that hold one URL, by element (None: any element).
URL_ATTRS = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src",),
    "script": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "source": ("src",),
    "track": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "input": ("src",),
    "form": ("action",),
    "object": ("data",),
    "use": ("href", "xlink:href"),
    "image": ("href", "xlink:href"),
}
SRCSET_ELEMENTS = ("img", "source")
IDREF_ATTRS = ("aria-labelledby", "aria-describedby", "aria-controls", "aria-owns",
               "aria-activedescendant", "aria-details", "aria-errormessage", "aria-flowto")
SKIP_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:")
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: dict[str, int] = {}
        self.names: set[str] = set()
        self.refs: list[tuple[str, str, int]] = []  # (attribute, url, line)
        self.idrefs: list[tuple[str, str, int]] = []  # (attribute, id, line)
        self.base: str | None = None

    def handle_starttag(self, tag, attrs):  # noqa: D401 (HTMLParser API)
        line = self.getpos()[0]
        a = {k: (v or "") for k, v in attrs}
        if "id" in a:
            self.ids[a["id"]] = self.ids.get(a["id"], 0) + 1
        if tag == "a" and a.get("name"):
            self.names.add(a["name"])
        if tag == "base" and "href" in a and self.base is None:
            self.base = a["href"]
        for attr in URL_ATTRS.get(tag, ()):
            if attr in a:
                self.refs.append((f"{tag}[{attr}]", a[attr].strip(), line))
        if tag in SRCSET_ELEMENTS and a.get("srcset"):
            for cand in a["srcset"].split(","):
                url = cand.strip().split(" ")[0]
                if url:
                    self.refs.append((f"{tag}[srcset]", url, line))
        for attr in IDREF_ATTRS:
            for ident in a.get(attr, "").split():
                self.idrefs.append((attr, ident, line))
        if tag in ("label", "output") and a.get("for"):
            for ident in a["for"].split():
                self.idrefs.append((f"{tag}[for]", ident, line))
        if tag in ("td", "th") and a.get("headers"):
            for ident in a["headers"].split():
                self.idrefs.append((f"{tag}[headers]", ident, line))
        if "list" in a and tag == "input":
            self.idrefs.append(("input[list]", a["list"], line))

    handle_startendtag = handle_starttag


@dataclass
class Report:
    pages: int = 0
    links: int = 0          # internal references to a file of the site, resolved
    anchors: int = 0        # #fragments checked against the target page's ids
    idrefs: int = 0         # ARIA / for / headers id references checked
    external: int = 0       # references to other origins (not fetched)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"pages": self.pages, "links": self.links, "anchors": self.anchors,
                "idrefs": self.idrefs, "external": self.external, "errors": self.errors}


def _page_url(base_url: str, rel: str) -> str:
    rel = rel.replace(os.sep, "/")
    if rel == "index.html":
        return base_url
    if rel.endswith("/index.html"):
        return base_url + rel[: -len("index.html")]
    return base_url + rel


def check_site(site_dir: str, base_url: str) -> Report:
    if not base_url.endswith("/"):
        base_url += "/"
    base = urlsplit(base_url)
    base_path = base.path
    rep = Report()

    pages: dict[str, _Page] = {}
    css_files: list[str] = []
    for root, dirs, files in os.walk(site_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            full = os.path.join(root, name)
            rel = os.path.relpath(full, site_dir).replace(os.sep, "/")
            if name.endswith(".html"):
                p = _Page()
                with open(full, encoding="utf-8") as f:
                    p.feed(f.read())
                p.close()
                pages[rel] = p
            elif name.endswith(".css"):
                css_files.append(rel)
    rep.pages = len(pages)

    def target_file(url: str, where: str) -> str | None:
        """The site file an internal URL (without fragment) names, or None after an error."""
        path = unquote(urlsplit(url).path)
        if not path.startswith(base_path):
            rep.errors.append(f"{where}: {url} is outside the site's base path {base_path}")
            return None
        rel = path[len(base_path):]
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        full = os.path.join(site_dir, *rel.split("/"))
        if os.path.isdir(full):
            rep.errors.append(f"{where}: {url} names a folder without its trailing slash")
            return None
        if ".." in rel.split("/") or not os.path.isfile(full):
            rep.errors.append(f"{where}: {url} does not exist in the site ({rel})")
            return None
        return rel

    def check_ref(page_rel: str, page_url: str, attr: str, raw: str, line: int) -> None:
        where = f"{page_rel}:{line} {attr}"
        if raw == "" or raw.lower().startswith(SKIP_SCHEMES):
            if raw == "" and attr == "a[href]":
                rep.errors.append(f"{where}: empty href")
            return
        absolute = urljoin(page_url, raw)
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or parts.netloc != base.netloc or parts.scheme != base.scheme:
            rep.external += 1
            return
        if page_rel == "404.html" and not (raw.startswith("/") or raw.startswith("#")
                                           or "://" in raw):
            rep.errors.append(f"{where}: {raw!r} is relative; 404.html is shown at any missing "
                              "path, so its links must be root-relative or absolute")
        url, frag = urldefrag(absolute)
        target = target_file(url, where)
        if target is None:
            return
        rep.links += 1
        if frag:
            rep.anchors += 1
            frag = unquote(frag)
            tp = pages.get(target)
            if tp is None:
                rep.errors.append(f"{where}: {raw} has a fragment but {target} is not a page")
            elif frag not in tp.ids and frag not in tp.names and frag.lower() != "top":
                rep.errors.append(f"{where}: {raw}: no element with id {frag!r} in {target}")

    for rel, p in pages.items():
        page_url = _page_url(base_url, rel)
        if p.base:
            page_url = urljoin(page_url, p.base)
        for ident, n in sorted(p.ids.items()):
            if n > 1:
                rep.errors.append(f"{rel}: duplicate id {ident!r} ({n} elements)")
            if ident == "":
                rep.errors.append(f"{rel}: empty id attribute")
        for attr, raw, line in p.refs:
            check_ref(rel, page_url, attr, raw, line)
        for attr, ident, line in p.idrefs:
            rep.idrefs += 1
            if ident not in p.ids:
                rep.errors.append(f"{rel}:{line} {attr}: no element with id {ident!r} in the page")

    for rel in css_files:
        with open(os.path.join(site_dir, rel), encoding="utf-8") as f:
            text = f.read()
        for m in CSS_URL.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            check_ref(rel, base_url + rel, "css url()", m.group(2).strip(), line)

    return rep


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    rep = check_site(args[0], args[1])
    if "--json" in argv:
        print(json.dumps(rep.as_dict(), ensure_ascii=False, indent=1))
    else:
        for e in rep.errors:
            print(e)
        print(f"{rep.pages} pages, {rep.links} links, {rep.anchors} anchors, "
              f"{rep.idrefs} id references, {rep.external} external, {len(rep.errors)} errors")
    return 1 if rep.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
