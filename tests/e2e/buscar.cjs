// Search, for real: Pagefind's own UI in headless Debian Chromium against a built site.
// Usage: node tests/e2e/buscar.cjs http://127.0.0.1:PORT/ [minimo|informe|historia]
// Each query must return the expected page and action-line anchor; accents are optional and
// Spanish stemming must join singular and plural; filters by quarter and unit are offered, and
// the Content-Security-Policy is never violated. `minimo` is tests/fixtures/minimo (the
// default); `informe` is the shipped report, whose six pages repeat their publication data;
// `historia` is tests/fixtures/historia built with one quarter per part of the index, so a
// query must find pages of every part (the search page merges them).
const { chromium } = require('playwright-core');

const base = process.argv[2];
const site = process.argv[3] || 'minimo';
const sites = {
  minimo: [
    // [query, expected href suffix, why, hrefs that must not come back]
    ['capacitacion', '/informes/2023/t2/datos/#linea-1', 'no accent finds «capacitación»'],
    ['capacitaciones', '/informes/2023/t2/datos/#linea-1', 'plural finds the singular by stemming'],
    ['informaticos', '/informes/2023/t2/datos/#linea-1', 'no accent finds «informáticos»'],
    ['mantenimiento', '/informes/2023/t2/datos/#linea-1', 'a word of the activities'],
    ['documento', '/informes/2023/t2/datos/#linea-2', 'a word only in line 2'],
  ],
  informe: [
    // What every page repeats (publication data, download links) is not searched: only what
    // a page says of itself counts.
    ['corte', '/informes/2023/t2/uaa/',
      'a word of one unit\'s text, also in every page\'s «Fecha de corte», finds that unit only',
      ['/juridica/', '/archivo/', '/dsepd/', '/transparencia/', '/vinculacion/']],
    ['descargar', '/informes/2023/t2/dsepd/',
      'the unit whose text speaks of «descargas», not every page with download links',
      ['/juridica/', '/archivo/', '/uaa/', '/transparencia/', '/vinculacion/']],
    ['interconexion', '/informes/2023/t2/dsepd/', 'a word of one unit\'s activities'],
  ],
  historia: [
    // An expected list: every one must come back.
    ['atendieron', ['/informes/2023/t3/datos/', '/informes/2023/t4/datos/', '/informes/2024/t1/datos/'],
      'one unit\'s activities in each of the three quarters, each quarter in its own part'],
  ],
};
const cases = sites[site];

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  let failures = 0;
  // The pages carry a strict Content-Security-Policy; search must work within it.
  const violations = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  for (const [q, expected, why, forbidden = []] of cases) {
    await page.goto(`${base}buscar/?q=${encodeURIComponent(q)}`);
    // Pagefind's UI puts a placeholder for each result first and its link once the result's
    // fragment has loaded: waiting for the first result alone once read no links at all on a
    // cold first query. Every result must have its link.
    await page.waitForFunction(() => {
      const results = [...document.querySelectorAll('.pagefind-ui__result')];
      return results.length > 0 && results.every((r) => r.querySelector('a[href]'));
    }, null, { timeout: 30000 }).catch(() => {});
    const hrefs = await page.$$eval('.pagefind-ui__result a', (as) => as.map((a) => a.getAttribute('href')));
    const hits = (e) => hrefs.some((h) => h && (h.endsWith(e) || h.includes(`${e}#`)));
    const found = Array.isArray(expected) ? expected.every(hits) : hits(expected);
    const stray = hrefs.filter((h) => h && forbidden.some((f) => h.includes(f)));
    const ok = found && stray.length === 0;
    console.log(`${ok ? 'ok  ' : 'FAIL'} «${q}» → ${expected} (${why}); got ${JSON.stringify(hrefs.slice(0, 8))}`);
    if (!ok) failures += 1;
  }
  // Filters by quarter and unit are offered.
  await page.goto(`${base}buscar/?q=${encodeURIComponent(cases[0][0])}`);
  await page.waitForSelector('.pagefind-ui__filter-panel', { timeout: 10000 }).catch(() => {});
  const filters = await page.$$eval('.pagefind-ui__filter-name', (els) => els.map((e) => e.textContent.trim()));
  const filtersOk = filters.includes('Trimestre') && filters.includes('Unidad');
  console.log(`${filtersOk ? 'ok  ' : 'FAIL'} filters offered: ${JSON.stringify(filters)}`);
  if (!filtersOk) failures += 1;
  await browser.close();
  console.log(`${violations.length ? 'FAIL' : 'ok  '} Content-Security-Policy violations: ${violations.length}`);
  for (const v of violations) console.log(`     ${v}`);
  failures += violations.length ? 1 : 0;
  if (failures) {
    console.error(`${failures} search check(s) failed`);
    process.exit(1);
  }
})().catch((e) => { console.error(e); process.exit(1); });
