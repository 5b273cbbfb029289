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
