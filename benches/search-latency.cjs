// What a citizen waits for on /buscar/: headless Debian Chromium loads the search page with a
// query and waits until every result has its link, for each query in turn, each time in a
// fresh browser context (nothing cached). Run by benches/search-latency.sh.
// Usage: node benches/search-latency.cjs http://127.0.0.1:PORT/ ROUNDS query…
const { chromium } = require('playwright-core');

const [base, rounds, ...queries] = process.argv.slice(2);

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const times = [];
  let requests = 0;
  for (let round = 0; round < Number(rounds); round += 1) {
    for (const q of queries) {
      const context = await browser.newContext();
      const page = await context.newPage();
      let n = 0;
      page.on('request', () => { n += 1; });
      const start = Date.now();
      await page.goto(`${base}buscar/?q=${encodeURIComponent(q)}`);
      await page.waitForFunction(() => {
        const results = [...document.querySelectorAll('.pagefind-ui__result')];
        return results.length > 0 && results.every((r) => r.querySelector('a[href]'));
      }, null, { timeout: 30000 });
      times.push(Date.now() - start);
      requests += n;
      await context.close();
    }
  }
  await browser.close();
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`median ${median} ms (min ${times[0]}, max ${times[times.length - 1]}, ` +
    `${times.length} searches), ${(requests / times.length).toFixed(1)} requests per search`);
})().catch((e) => { console.error(e); process.exit(1); });
