'use strict';
// The docs version switcher: a <details> list of plain links in the docs navigation that opens
// the same page in another version (or that version's home when it has no such page), and the
// banner on an older version's pages that leads back to latest; over http and from file://,
// and axe on the open list and the banner in both themes.

const { test, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { fileUrl, launch, useSession, assertNoProblems } = require('./lib/helpers');

// The demo's payments ledger keeps its 1.x docs (no architecture page there) as an archive.
const SITE = 'docs/default/component/payments-ledger/';
const OLD = SITE + 'v/1.x/';

let server, page, problems;
const { root } = useSession({}, (s) => { ({ server, page, problems } = s); });

beforeEach(() => problems.reset());

// Opens the switcher and follows the entry named `name`; the entries seen, in order.
async function switchTo(name) {
  await page.click('.docs-versions summary');
  const names = await page.$$eval('.docs-versions a', (as) => as.map((a) => a.textContent.trim()));
  await Promise.all([page.waitForEvent('load'), page.click(`.docs-versions a:text-is("${name}")`)]);
  return names;
}

// Walks latest -> 1.x -> latest through the switcher and the banner, from `at(rel)` URLs.
async function walk(at) {
  await page.goto(at(SITE + 'runbook/index.html'), { waitUntil: 'load' });
  assert.equal(await page.textContent('.docs-version-current'), 'latest');
  assert.equal(await page.$('.docs-version-banner'), null, 'latest has no banner');
  assert.deepEqual(await switchTo('1.x'), ['latest', '1.x']);
  assert.equal(page.url(), at(OLD + 'runbook/index.html'), 'the same page in 1.x');
  assert.match(await page.textContent('.docs-version-banner'), /You are reading version 1\.x/);
  assert.match(await page.textContent('h1'), /Runbook \(1\.x\)/);
  await Promise.all([page.waitForEvent('load'), page.click('.docs-version-banner a')]);
  assert.equal(page.url(), at(SITE + 'runbook/index.html'), 'the banner leads to the same page in latest');

  // A page 1.x does not have: its home instead.
  await page.goto(at(SITE + 'architecture/index.html'), { waitUntil: 'load' });
  await switchTo('1.x');
  assert.equal(page.url(), at(OLD + 'index.html'));
  await switchTo('latest');
  assert.equal(page.url(), at(SITE + 'index.html'));
}

test('over http the switcher opens the same page in another version and the banner leads back', async () => {
  await walk((rel) => server.base + rel);
  assertNoProblems(problems, 'version switcher over http');
});

test('from file:// the switcher and the banner work the same', async () => {
  await walk((rel) => fileUrl(root, rel));
  assertNoProblems(problems, 'version switcher from file://');
});

for (const scheme of ['light', 'dark']) {
  test(`axe: the open switcher and the banner (${scheme}) have no violations of moderate impact or worse`, async () => {
    const b = await launch({ bypassCSP: true, colorScheme: scheme });
    try {
      await b.page.goto(server.base + OLD + 'index.html', { waitUntil: 'load' });
      await b.page.click('.docs-versions summary');
      await b.page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
      const bad = await b.page.evaluate(async () => (await window.axe.run(
        { include: [['.docs-versions'], ['.docs-version-banner']] }, { resultTypes: ['violations'] }))
        .violations.filter((v) => v.impact !== 'minor')
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
      assert.deepEqual(bad, []);
    } finally {
      await b.close();
    }
  });
}
