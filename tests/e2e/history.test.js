'use strict';
// Trends, levels and timelines: the sparklines drawn at build time from the demo's bundled
// previous state are visible, named by their sentence and coloured from the theme (light and
// dark); payments-ledger shows a level badge and its timeline, settlement its dependency's
// changes; over http and file://. axe scans these pages in a11y.test.js.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { ENTITY, fileUrl, useSession } = require('./lib/helpers');

const SCORECARDS = 'scorecards/index.html';
const SETTLEMENT = 'catalog/default/component/settlement/index.html';

let server, page, problems;
const session = useSession({}, (s) => { ({ server, page, problems } = s); });

async function sparklines() {
  return page.$$eval('svg.sparkline', (svgs) => svgs.map((svg) => {
    const box = svg.getBoundingClientRect();
    return { label: svg.getAttribute('aria-label'), width: box.width, height: box.height,
      steps: (svg.querySelector('.spark-line').getAttribute('d').match(/V/g) || []).length };
  }));
}

for (const where of ['http', 'file']) {
  test(`sparklines, a level badge and timelines show on the demo (${where})`, async () => {
    const url = (rel) => (where === 'http' ? server.base + rel : fileUrl(session.root, rel));
    problems.reset();
    await page.goto(url(ENTITY), { waitUntil: 'load' });
    const lines = await sparklines();
    const problemsLine = lines.find((l) => l.label.startsWith('problems '));
    assert.ok(problemsLine, JSON.stringify(lines));
    assert.match(problemsLine.label, /^problems \d+ → \d+ over \d+ days$/);
    assert.ok(problemsLine.width > 60 && problemsLine.height > 10 && problemsLine.steps >= 2, JSON.stringify(problemsLine));
    assert.ok(await page.locator('.entity-badges .level-badge').isVisible(), 'no level badge in the header');
    const entries = page.locator('.timeline-card ol.timeline > li');
    assert.ok(await entries.count() >= 3, 'a short timeline');
    assert.match(await entries.first().textContent(), /2026-11-23/);

    await page.goto(url(SETTLEMENT), { waitUntil: 'load' });
    const upstream = page.locator('.timeline li.timeline-upstream', { hasText: '2.9.8' }).first();
    assert.match(await upstream.textContent(), /dependency Payments Ledger: .*2\.9\.8 → /);
    // The change's link opens its build on the "What changed" page.
    await upstream.locator('a').first().click();
    await page.waitForLoadState('load');
    assert.match(page.url(), /changes\/index\.html#set-/);

    await page.goto(url(SCORECARDS), { waitUntil: 'load' });
    const teams = (await sparklines()).filter((l) => l.label.startsWith('score '));
    assert.ok(teams.length >= 3, JSON.stringify(teams));
    assert.ok(teams.some((t) => t.steps >= 2), JSON.stringify(teams));
    assert.ok(await page.locator('#levels-title').isVisible());
    assert.deepEqual(problems.take(), []);
  });
}

test('sparkline colours follow the light and dark theme', async () => {
  const seen = {};
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(server.base + ENTITY, { waitUntil: 'load' });
    seen[scheme] = await page.$eval('svg.sparkline .spark-line', (el) => getComputedStyle(el).stroke);
  }
  assert.notEqual(seen.light, seen.dark, JSON.stringify(seen));
  await page.emulateMedia({ colorScheme: 'light' });
});

test('at 375px the scorecards table and the timeline do not scroll the page sideways', async () => {
  await page.setViewportSize({ width: 375, height: 812 });
  for (const rel of [SCORECARDS, SETTLEMENT]) {
    await page.goto(server.base + rel, { waitUntil: 'load' });
    const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(over <= 1, `${rel} scrolls sideways by ${over}px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
});
