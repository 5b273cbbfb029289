'use strict';
// "What changed": the demo compares with a bundled earlier state, so its change page lists
// builds newest first — onboarded and removed services, an owner move, roll-outs per cluster, a
// new problem — links each entity, filters by kind of change, and names its Atom feed; over
// http and from file://, with no console error.

const { test, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { fileUrl, useSession } = require('./lib/helpers');

let server, page, problems;
const session = useSession({}, (s) => { ({ server, page, problems } = s); });
const root = session.root;

const CHANGES = 'changes/index.html';

beforeEach(() => problems.reset());

function noProblems(what) {
  const p = problems.take();
  assert.deepEqual(p, [], `${what}:\n${p.join('\n')}`);
}

for (const [how, url] of [['http', (rel) => server.base + rel], ['file://', (rel) => fileUrl(root, rel)]]) {
  test(`${how}: the change page lists builds newest first with links, and filters by kind`, async () => {
    await page.goto(url(CHANGES), { waitUntil: 'load' });
    const times = await page.$$eval('.change-set h2 time', (ts) => ts.map((t) => t.getAttribute('datetime')));
    assert.ok(times.length >= 2, `expected a history, got ${times.join(', ')}`);
    assert.deepEqual([...times].sort().reverse(), times, 'newest first');
    const text = await page.textContent('main');
    for (const expected of ['Merchant Webhooks', 'Owner changed', 'Version changed', 'New problem', 'Removed']) {
      assert.ok(text.includes(expected), `the page does not show "${expected}"`);
    }
    const feed = await page.getAttribute('link[rel=alternate][type="application/atom+xml"]', 'href');
    assert.equal(feed, '../changes/feed.xml');

    // Only version changes, then everything again.
    const filter = page.locator('.change-filter');
    await filter.waitFor({ state: 'visible' });
    for (const box of await filter.locator('input').all()) {
      if ((await box.getAttribute('value')) !== 'version') await box.uncheck();
    }
    const shown = await page.$$eval('.change-list .change', (lis) => lis.filter((li) => !li.hidden).map((li) => li.dataset.change));
    assert.ok(shown.length > 0 && shown.every((c) => c === 'version'), `shown: ${shown.join(', ')}`);
    for (const box of await filter.locator('input').all()) await box.check();
    const all = await page.$$eval('.change-list .change', (lis) => lis.filter((li) => !li.hidden).length);
    assert.ok(all > shown.length);

    // A change leads to the entity's page.
    const link = page.locator('.change-added a', { hasText: 'Merchant Webhooks' }).first();
    await Promise.all([page.waitForURL('**/catalog/default/component/merchant-webhooks/index.html'), link.click()]);
    noProblems(`${how} change page`);
  });
}

test('the home page and the navigation lead to the change page', async () => {
  await page.goto(server.base + 'index.html', { waitUntil: 'load' });
  assert.match(await page.textContent('#changes-title'), /What changed/);
  const nav = page.locator('.site-nav a', { hasText: 'Changes' });
  await Promise.all([page.waitForURL('**/' + CHANGES), nav.click()]);
  assert.equal(await page.getAttribute('.site-nav a[aria-current=page]', 'href'), '../changes/index.html');
  noProblems('home → changes');
});
