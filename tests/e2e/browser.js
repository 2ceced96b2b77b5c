#!/usr/bin/env node
// Browser checks of served pages, in Debian's Chromium driven by playwright-core:
//   - axe-core with the WCAG 2.1 A and AA rules (tags wcag2a, wcag2aa, wcag21a, wcag21aa), run
//     once as the page loads (1280 px) and once at 375 px with every <details> opened, so the
//     chart data tables are checked too;
//   - no horizontal scrolling of the document at 375 px and at 1280 px (scrollWidth must not
//     exceed the viewport nor the document's client width), nor wider than an A4 sheet when
//     printed (print media, 718 px);
//   - keyboard: the skip link is the first Tab stop, is shown on screen, and Enter moves focus to
//     #contenido; every Tab stop of the page has a visible outline; every chart data <summary>
//     is a Tab stop;
//   - screenshots (full page) of the pages asked for, at 375 and 1280 px.
//
// Usage: node browser.js CONFIG.json RESULTS.json
//   CONFIG: { chromium, artifacts, workers?, pages: [{ site, path, url, screenshot?, waitFor? }] }
//   (waitFor: a CSS selector that script shows, e.g. search results, checked once it appears)
//   RESULTS: one object per page (see checkPage) plus the axe rules that ran.
// Never downloads a browser: it launches the executable named in CONFIG.
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const AXE_PATH = require.resolve('axe-core/axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const SKIP_TEXT = 'Saltar al contenido principal';
const WIDE = { width: 1280, height: 900 };
const NARROW = { width: 375, height: 812 };
// An A4 sheet's printable area at Chromium's default margins (190 × 277 mm), in CSS px.
const PRINTED = { width: 718, height: 1047 };
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const AXE_SOURCE = fs.readFileSync(AXE_PATH, 'utf8');

async function runAxe(page) {
  // Evaluated through the DevTools protocol rather than added as a <script>, so the site's
  // Content-Security-Policy (script-src 'self') stays in force for the site's own scripts.
  await page.evaluate(`${AXE_SOURCE}\n;void 0`);
  return page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    const ids = (list) => list.map((x) => x.id);
    return {
      rules: [...ids(r.violations), ...ids(r.passes), ...ids(r.incomplete), ...ids(r.inapplicable)],
      incomplete: r.incomplete.map((v) => ({
        id: v.id,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary || (n.any[0] && n.any[0].message) || '' })),
      })),
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
      })),
    };
  }, AXE_TAGS);
}

// Document width against the viewport; when too wide, the elements that stick out of it
// (outside any scrolling container) are named, to make the failure easy to fix.
async function measureOverflow(page, width) {
  return page.evaluate((vw) => {
    const doc = document.documentElement;
    const res = { viewport: vw, scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, culprits: [] };
    res.ok = doc.scrollWidth <= vw && doc.scrollWidth <= doc.clientWidth;
    if (!res.ok) {
      const scrolls = (el) => {
        for (let p = el.parentElement; p && p !== doc; p = p.parentElement) {
          const o = getComputedStyle(p).overflowX;
          if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
        }
        return false;
      };
      const describe = (el) => el.tagName.toLowerCase()
        + (el.id ? `#${el.id}` : '')
        + (el.classList.length ? `.${[...el.classList].join('.')}` : '');
      for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.right > doc.clientWidth + 0.5 && !scrolls(el)) {
          res.culprits.push(`${describe(el)} (right edge ${Math.round(r.right)} px)`);
          if (res.culprits.length >= 8) break;
        }
      }
    }
    return res;
  }, width);
}

async function focusInfo(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    if (!el.dataset.e2eStop) el.dataset.e2eStop = String(document.querySelectorAll('[data-e2e-stop]').length + 1);
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    const summaries = [...document.querySelectorAll('details > summary')];
    return {
      stop: el.dataset.e2eStop,
      tag: el.tagName.toLowerCase(),
      id: el.id,
      text: (el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 80),
      outlineStyle: cs.outlineStyle,
      outlineWidth: parseFloat(cs.outlineWidth) || 0,
      onScreen: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0
        && r.left < window.innerWidth && r.top < window.innerHeight,
      summary: summaries.indexOf(el),
    };
  });
}

async function checkKeyboard(page, url, waitForState) {
  const problems = [];
  const stopVisible = (f) => f.outlineStyle !== 'none' && f.outlineWidth > 0 && f.onScreen;
  const name = (f) => `${f.tag}${f.id ? `#${f.id}` : ''} «${f.text}»`;

  // 1. The skip link is the first Tab stop, shown with an outline, and moves focus to #contenido.
  await page.keyboard.press('Tab');
  const first = await focusInfo(page);
  if (!first || first.tag !== 'a' || first.text !== SKIP_TEXT) {
    problems.push(`the first Tab stop is ${first ? name(first) : 'nothing'}, not the skip link «${SKIP_TEXT}»`);
  } else {
    if (!stopVisible(first)) problems.push(`the focused skip link is not visible (outline ${first.outlineStyle} ${first.outlineWidth}px, on screen: ${first.onScreen})`);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'contenido', null, { timeout: 2000 }).catch(() => {});
    const after = await page.evaluate(() => document.activeElement && document.activeElement.id);
    if (after !== 'contenido') problems.push(`Enter on the skip link moved focus to ${after ? `#${after}` : 'no element with an id'}, not #contenido`);
  }

  // 2. Walk every Tab stop from the top of a fresh load: each has a visible focus outline, and
  //    every <summary> of a <details> is reached.
  await page.goto(url, { waitUntil: 'load' });
  await waitForState();
  const total = await page.evaluate(() => document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]').length);
  const summaries = await page.evaluate(() => document.querySelectorAll('details > summary').length);
  const reached = new Set();
  const invisible = [];
  let stops = 0;
  let firstStop = null;
  for (let i = 0; i < total + 5; i++) {
    await page.keyboard.press('Tab');
    const f = await focusInfo(page);
    if (!f) { if (stops > 0) break; continue; }
    if (f.stop === firstStop) break; // wrapped around
    if (firstStop === null) firstStop = f.stop;
    stops++;
    if (!stopVisible(f)) invisible.push(`${name(f)} (outline ${f.outlineStyle} ${f.outlineWidth}px, on screen: ${f.onScreen})`);
    if (f.summary >= 0) reached.add(f.summary);
  }
  for (const s of invisible.slice(0, 10)) problems.push(`focus not visible on ${s}`);
  if (invisible.length > 10) problems.push(`… and ${invisible.length - 10} more Tab stops without visible focus`);
  if (reached.size !== summaries) problems.push(`only ${reached.size} of ${summaries} chart data <summary> elements are Tab stops`);
  return { ok: problems.length === 0, problems, tabStops: stops, summaries, summariesReached: reached.size };
}

async function checkPage(context, p, artifacts) {
  const page = await context.newPage();
  const res = { site: p.site, path: p.path, url: p.url, errors: [] };
  page.on('pageerror', (e) => res.errors.push(`script error: ${e.message}`));
  // Failed loads are reported by the 'response' handler with their URL (the browser's own
  // /favicon.ico request, which the site does not ship, is not a page request and is ignored).
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) res.errors.push(`console error: ${m.text()}`);
  });
  // ERR_ABORTED is a request cancelled by the next navigation of this check (e.g. a search
  // index still loading), not a failure of the site; 4xx/5xx answers are caught below.
  page.on('requestfailed', (r) => {
    const why = r.failure() && r.failure().errorText;
    if (why !== 'net::ERR_ABORTED') res.errors.push(`request failed: ${r.url()} (${why})`);
  });
  page.on('response', (r) => { if (r.status() >= 400 && r.url() !== p.url) res.errors.push(`HTTP ${r.status()} for ${r.url()}`); });

  await page.setViewportSize(WIDE);
  const resp = await page.goto(p.url, { waitUntil: 'load' });
  if (!resp || resp.status() !== 200) res.errors.push(`HTTP ${resp ? resp.status() : 'no response'} for the page itself`);
  // A page with scripts is first given time until the network is idle, so that everything its
  // scripts fetch (the search index) is requested, answered and rendered before the checks.
  if (await page.evaluate(() => document.scripts.length > 0)) await page.waitForLoadState('networkidle');
  // A state reached by script (search results): wait for it before checking anything.
  const waitForState = async () => {
    if (!p.waitFor) return;
    await page.waitForSelector(p.waitFor, { timeout: 15000 })
      .catch(() => res.errors.push(`${p.waitFor} did not appear: ${p.waitForMeaning || 'the page did not reach the state to check'}`));
  };
  await waitForState();

  if (p.screenshot) {
    for (const vp of [NARROW, WIDE]) {
      await page.setViewportSize(vp);
      await page.screenshot({ path: path.join(artifacts, `${p.screenshot}-${vp.width}.png`), fullPage: true });
    }
    await page.setViewportSize(WIDE);
  }

  res.overflow = [await measureOverflow(page, WIDE.width)];
  const axeWide = await runAxe(page);
  res.keyboard = await checkKeyboard(page, p.url, waitForState);

  // Narrow screen, then every <details> opened: overflow and axe again (the data tables).
  await page.goto(p.url, { waitUntil: 'load' });
  await page.setViewportSize(NARROW);
  await waitForState();
  res.overflow.push(await measureOverflow(page, NARROW.width));
  res.detailsOpened = await page.evaluate(() => {
    const d = [...document.querySelectorAll('details')];
    d.forEach((x) => { x.open = true; });
    return d.length;
  });
  res.overflow.push({ ...(await measureOverflow(page, NARROW.width)), detailsOpen: true });
  const axeNarrow = await runAxe(page);

  // Printed: paper does not scroll, and Chromium shrinks the whole document to fit its widest
  // line (a table cell holding a long address once shrank the print page's text to about half).
  await page.emulateMedia({ media: 'print' });
  await page.setViewportSize(PRINTED);
  res.overflow.push({ ...(await measureOverflow(page, PRINTED.width)), printed: true });
  await page.emulateMedia({ media: 'screen' });

  // One list per page: the same rule on the same element counts once.
  const merge = (list) => {
    const byRule = new Map();
    for (const v of list) {
      const known = byRule.get(v.id);
      if (!known) { byRule.set(v.id, { ...v, nodes: [...v.nodes] }); continue; }
      for (const n of v.nodes) if (!known.nodes.some((k) => k.target === n.target)) known.nodes.push(n);
    }
    return [...byRule.values()];
  };
  res.axe = {
    rules: [...new Set([...axeWide.rules, ...axeNarrow.rules])],
    incomplete: merge([...axeWide.incomplete, ...axeNarrow.incomplete]),
    violations: merge([...axeWide.violations, ...axeNarrow.violations]),
  };
  await page.close();
  return res;
}

async function main() {
  const [configPath, outPath] = process.argv.slice(2);
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  fs.mkdirSync(config.artifacts, { recursive: true });
  const browser = await chromium.launch({
    executablePath: config.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  // Pages are checked by a few workers at once (each in its own browser context, so focus and
  // viewport are per page); results keep the order of the configuration.
  const results = new Array(config.pages.length);
  const workers = Math.max(1, Math.min(config.workers || 2, config.pages.length));
  let next = 0;
  const work = async () => {
    const context = await browser.newContext({ locale: 'es-MX', reducedMotion: 'reduce' });
    try {
      while (next < config.pages.length) {
        const i = next++;
        const p = config.pages[i];
        const t0 = Date.now();
        try {
          results[i] = await checkPage(context, p, config.artifacts);
        } catch (e) {
          results[i] = { site: p.site, path: p.path, url: p.url, errors: [`the check crashed: ${e.stack || e}`] };
        }
        process.stderr.write(`  browser: ${p.site} ${p.path} (${Date.now() - t0} ms)\n`);
      }
    } finally {
      await context.close();
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, work));
  } finally {
    await browser.close();
  }
  fs.writeFileSync(outPath, JSON.stringify({ axeTags: AXE_TAGS, pages: results }, null, 1));
}

main().catch((e) => { console.error(e); process.exit(2); });
