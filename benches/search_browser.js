'use strict';
// Queries Playbill's index and Pagefind's in headless Chromium, over http on loopback:
//
//   node benches/search_browser.js OUT PAGEFIND(0|1) QUERY...
//
// For each tool and query, in a fresh page: the time of a first query (loading included) and of
// the same query again, and the files and bytes the browser fetched for the index (responses'
// Content-Length), with the first ten results' data. Prints JSON. Uses tests/e2e/lib's server
// and playwright-core (npm ci --prefix tests/e2e).

const { startServer, launch } = require('../tests/e2e/lib/helpers');

const SHOW = 10;

// Every response under `prefix` while `run` runs, workers' included, by its Content-Length
// (the loopback server sends files as they are, uncompressed).
async function measure(browser, base, prefix, run) {
  const { page, context } = browser;
  await page.goto(base + 'index.html', { waitUntil: 'load' });
  const sizes = [];
  const onResponse = (r) => {
    if (new URL(r.url()).pathname.startsWith(prefix)) sizes.push(Number(r.headers()['content-length'] || 0));
  };
  context.on('response', onResponse);
  const r = await page.evaluate(run.fn, run.arg);
  await page.waitForTimeout(100);
  context.off('response', onResponse);
  return { ...r, requests: sizes.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

const PLAYBILL = {
  prefix: '/search/',
  fn: async ({ q, show }) => {
    const t0 = performance.now();
    const first = await window.PlaybillSearch.query(q, show);
    const t1 = performance.now();
    await window.PlaybillSearch.query(q, show);
    const t2 = performance.now();
    return { results: first.length, shown: first.length, first_ms: t1 - t0, again_ms: t2 - t1 };
  },
};

const PAGEFIND = {
  prefix: '/pagefind/',
  fn: async ({ q, show }) => {
    const t0 = performance.now();
    const pf = await import('/pagefind/pagefind.js');
    await pf.init();
    const s = await pf.search(q);
    const shown = await Promise.all(s.results.slice(0, show).map((r) => r.data()));
    const t1 = performance.now();
    const again = await pf.search(q);
    await Promise.all(again.results.slice(0, show).map((r) => r.data()));
    const t2 = performance.now();
    return { results: s.results.length, shown: shown.length, first_ms: t1 - t0, again_ms: t2 - t1 };
  },
};

(async () => {
  const [out, withPagefind, ...queries] = process.argv.slice(2);
  const server = await startServer(require('node:path').resolve(out));
  // Pagefind instantiates WebAssembly, which the portal's CSP (rightly) does not allow.
  const browser = await launch({ bypassCSP: true });
  const rows = [];
  try {
    const tools = [['playbill', PLAYBILL]].concat(withPagefind === '1' ? [['pagefind', PAGEFIND]] : []);
    for (const q of queries) {
      for (const [name, tool] of tools) {
        const r = await measure(browser, server.base, tool.prefix, { fn: tool.fn, arg: { q, show: SHOW } });
        rows.push({ tool: name, query: q, ...r });
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  process.stdout.write(JSON.stringify({ rows }, null, 2) + '\n');
})().catch((e) => { console.error(e); process.exit(1); });
