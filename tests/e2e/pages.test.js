'use strict';
// Every page of the portal loads cleanly over http, and a sample also works from file://.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { ENTITY, DOCS_HOME, listPages, fileUrl, useSession } = require('./lib/helpers');

let server, page, problems;
const session = useSession({}, (s) => { ({ server, page, problems } = s); });
const root = session.root;
const pages = listPages(root);

test('the site has the pages the suite relies on', () => {
  for (const p of ['index.html', 'catalog/index.html', 'teams/index.html', 'issues/index.html', ENTITY, DOCS_HOME]) {
    assert.ok(pages.includes(p), `missing ${p}`);
  }
  assert.ok(pages.some((p) => p.startsWith('docs/') && p !== DOCS_HOME), 'expected more than one docs page');
  assert.ok(pages.length >= 50, `only ${pages.length} pages found`);
});

test('every page loads over http without console errors or failed requests', async () => {
  const failures = [];
  for (const rel of pages) {
    problems.reset();
    let status = 0;
    try {
      const res = await page.goto(server.base + rel, { waitUntil: 'load' });
      status = res ? res.status() : 0;
    } catch (e) {
      failures.push(`${rel}: navigation failed: ${e.message.split('\n')[0]}`);
      continue;
    }
    const p = problems.take();
    if (status !== 200) p.unshift(`document status ${status}`);
    const h1 = await page.locator('h1, #doc-title').count();
    if (h1 === 0) p.push('no h1 / page title');
    for (const msg of p) failures.push(`${rel}: ${msg}`);
  }
  // Anything that arrives after the last load (late requests) still counts.
  await page.goto('about:blank');
  for (const msg of problems.take()) failures.push(`(late) ${msg}`);
  assert.deepEqual(failures, [], `${failures.length} problem(s) over ${pages.length} pages:\n${failures.join('\n')}`);
});

// From disk there is no server: the CSP, classic <script src> and relative links must do it alone.
const FILE_SAMPLE = ['index.html', 'catalog/index.html', ENTITY, DOCS_HOME];

for (const rel of FILE_SAMPLE) {
  test(`file:// ${rel} loads without errors and its scripts run`, async () => {
    problems.reset();
    await page.goto(fileUrl(root, rel), { waitUntil: 'load' });
    assert.equal(new URL(page.url()).protocol, 'file:');
    // theme.js un-hides the toggle and site.js answers "/": both must have run.
    await page.waitForSelector('.theme-toggle:not([hidden])', { state: 'visible' });
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'site-search',
      '"/" did not focus the search box (site.js did not run)');
    if (rel === 'catalog/index.html') {
      await page.waitForSelector('#catalog-filters', { state: 'visible' });
      // The filter really filters from disk too.
      await page.selectOption('#filter-kind', 'api');
      await page.waitForFunction(() => /\d+ of \d+/.test(document.getElementById('catalog-count').textContent));
      const kinds = await page.$$eval('#catalog-table tbody tr:not([hidden])', (trs) => trs.map((t) => t.dataset.kind));
      assert.ok(kinds.length > 0 && kinds.every((k) => k === 'api'), `visible kinds from file://: ${kinds}`);
    }
    if (rel === ENTITY) {
      await page.waitForSelector('.copy-btn[data-copy]:not([hidden])', { state: 'visible' });
    }
    if (rel === DOCS_HOME) {
      // Relative links resolve to files on disk: follow one docs nav link.
      const href = await page.$eval('.docs-nav a[href$=".html"]:not([aria-current])', (a) => a.href);
      await page.goto(href, { waitUntil: 'load' });
      assert.ok(page.url().startsWith('file://'), page.url());
      await page.waitForSelector('#doc-title', { state: 'attached' });
    }
    const p = problems.take();
    assert.deepEqual(p, [], `problems on file:// ${rel}:\n${p.join('\n')}`);
  });
}
