'use strict';
// The docs layout's own tools: the search box that searches only the docs site being read
// (with a toggle to the whole portal), over http and from file://, and axe on it.

const { test, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { DOCS_HOME, fileUrl, launch, useSession, assertNoProblems } = require('./lib/helpers');

const SITE = 'docs/default/component/payments-ledger/';

let server, page, problems;
const { root } = useSession({}, (s) => { ({ server, page, problems } = s); });

beforeEach(() => problems.reset());

const site = (rel) => server.base + rel;
const noProblems = (what) => assertNoProblems(problems, what);

// Types into the docs box and waits for its list; returns the results' site-relative targets.
async function docsBoxResults(q) {
  await page.fill('#docs-search', '');
  await page.fill('#docs-search', q);
  await page.waitForFunction((q) => {
    const all = document.querySelector('.docs-search .sr-all');
    return all && all.textContent.includes(q) && !document.querySelector('.docs-search .search-popup').hidden;
  }, q);
  return page.$$eval('#docs-search-results [role="option"]', (as) => as.map((a) => a.href));
}

test('the docs box finds only its own site; the toggle widens it to the portal', async () => {
  const url = site(DOCS_HOME);
  await page.goto(url, { waitUntil: 'load' });
  // "ledger" is in other entities and other docs sites too (the global box shows them).
  const mine = await docsBoxResults('ledger');
  assert.ok(mine.length > 0, 'some results in this site');
  for (const h of mine) assert.ok(h.startsWith(site(SITE)), `${h} is outside ${SITE}`);
  const all = await page.getAttribute('.docs-search .sr-all', 'href');
  assert.ok(all.includes('site=default%2Fcomponent%2Fpayments-ledger'), all);
  await page.uncheck('.docs-search .scope-toggle');
  await page.waitForFunction(() => Array.from(document.querySelectorAll('#docs-search-results [role="option"]'))
    .some((a) => !a.getAttribute('href').includes('payments-ledger/')));
  const wide = await page.$$eval('#docs-search-results [role="option"]', (as) => as.map((a) => a.href));
  assert.ok(wide.some((h) => h.includes('/catalog/')), `the portal's entities too: ${wide.join(', ')}`);
  noProblems('scoped box');
});

test('"All results" of the docs box keeps the scope on the results page', async () => {
  await page.goto(site('search/index.html?q=ledger&site=default/component/payments-ledger'), { waitUntil: 'load' });
  await page.waitForSelector('#search-results li');
  const hrefs = await page.$$eval('#search-results a', (as) => as.map((a) => a.href));
  assert.ok(hrefs.length > 0);
  for (const h of hrefs) assert.ok(h.startsWith(site(SITE)), `${h} is outside ${SITE}`);
  assert.match(await page.textContent('#search-status'), /in the docs of default\/component\/payments-ledger/);
  noProblems('scoped results page');
});

test('from file:// the docs box searches its own site', async () => {
  const url = fileUrl(root, DOCS_HOME);
  await page.goto(url, { waitUntil: 'load' });
  const mine = await docsBoxResults('ledger');
  assert.ok(mine.length > 0);
  for (const h of mine) assert.ok(h.startsWith(fileUrl(root, SITE)), `${h} is outside ${SITE}`);
  noProblems('file://');
});

test('axe: a docs page with its open results list has no serious or critical violations', async () => {
  const b = await launch({ bypassCSP: true });
  try {
    const p = b.page;
    await p.goto(site(DOCS_HOME), { waitUntil: 'load' });
    await p.fill('#docs-search', 'ledger');
    await p.waitForSelector('.docs-search .search-popup:not([hidden]) [role="option"]');
    await p.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const bad = await p.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
      .violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
    assert.deepEqual(bad, []);
  } finally {
    await b.close();
  }
});

const PRINT = SITE + 'print/index.html';

test('the print view: linked from the docs, every page once, in-page links land, print CSS hides the chrome', async () => {
  await page.goto(site(DOCS_HOME), { waitUntil: 'load' });
  await page.click('.docs-print-link');
  await page.waitForURL(/\/print\/index[.]html$/);
  const sections = await page.$$eval('section.print-page', (ss) => ss.map((s) => s.id));
  const navPages = (await page.$$eval('.print-contents a', (as) => as.map((a) => a.getAttribute('href'))));
  assert.deepEqual(navPages, sections.map((id) => '#' + id));
  assert.ok(sections.length >= 5, sections.join(', '));
  // Every in-page link names an id that exists, once.
  const bad = await page.evaluate(() => {
    const out = [];
    const ids = Array.from(document.querySelectorAll('[id]')).map((e) => e.id);
    if (new Set(ids).size !== ids.length) out.push('duplicate ids');
    document.querySelectorAll('a[href^="#"]').forEach((a) => {
      const id = decodeURIComponent(a.getAttribute('href').slice(1));
      if (id && !document.getElementById(id)) out.push(a.getAttribute('href'));
    });
    return out;
  });
  assert.deepEqual(bad, []);
  // No link leads back into the site's own pages: they are all on this one.
  const own = await page.$$eval('.print-page a[href]', (as) => as.map((a) => a.href)
    .filter((h) => h.includes('/docs/default/component/payments-ledger/') && !h.includes('/print/')));
  assert.deepEqual(own.filter((h) => h.endsWith('.html') || h.includes('.html#')), []);
  // Printed: no header, nav or footer; each page on its own sheet.
  await page.emulateMedia({ media: 'print' });
  const printed = await page.evaluate(() => ({
    header: getComputedStyle(document.querySelector('.site-header')).display,
    hint: getComputedStyle(document.querySelector('.print-hint')).display,
    brk: getComputedStyle(document.querySelector('section.print-page')).breakBefore,
  }));
  assert.deepEqual(printed, { header: 'none', hint: 'none', brk: 'page' });
  await page.emulateMedia({ media: 'screen' });
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 10000, `a PDF of ${pdf.length} bytes`);
  noProblems('print view');
});

test('the print view from file:// shows its images', async () => {
  await page.goto(fileUrl(root, PRINT), { waitUntil: 'load' });
  const broken = await page.$$eval('.print-page img', (is) => is.filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.src));
  assert.deepEqual(broken, []);
  noProblems('print view from file://');
});

// The site's own pages still carry two findings of the Markdown renderer (task-list checkboxes
// without a label, code blocks that scroll without focus); the print view must add none.
test('axe: the print view has no serious or critical violation its pages do not have', async () => {
  const b = await launch({ bypassCSP: true });
  const violations = async (url) => {
    await b.page.goto(url, { waitUntil: 'load' });
    await b.page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    return b.page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
      .violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id));
  };
  try {
    await b.page.goto(site(DOCS_HOME), { waitUntil: 'load' });
    const pages = await b.page.$$eval('.docs-nav a[href$="index.html"]', (as) => as.map((a) => a.href)
      .filter((h) => h.includes('/docs/default/component/payments-ledger/')));
    const known = new Set();
    for (const url of pages) (await violations(url)).forEach((id) => known.add(id));
    const added = (await violations(site(PRINT))).filter((id) => !known.has(id));
    assert.deepEqual(added, []);
  } finally {
    await b.close();
  }
});
