'use strict';
// Relation pictures drawn at build time: payments-ledger's neighbourhood and the payments system
// map are visible SVG whose boxes open the entity they name, over http and file://, under the
// CSP, coloured by the light and dark theme, and readable at 375px (the picture scrolls, the
// page does not). The ledger team's heatmap fills in from its status file.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { ENTITY, fileUrl, useSession } = require('./lib/helpers');

const SYSTEM = 'catalog/default/system/payments/index.html';

let server, page, problems;
const session = useSession({}, (s) => { ({ server, page, problems } = s); });

async function pictures() {
  return page.$$eval('.graph-card', (cards) => cards.map((card) => {
    const svg = card.querySelector('svg.graph');
    const box = svg.getBoundingClientRect();
    return {
      id: card.getAttribute('aria-labelledby'),
      width: box.width, height: box.height,
      boxes: svg.querySelectorAll('g.node').length,
      links: [...svg.querySelectorAll('a')].map((a) => a.getAttribute('href')),
      listed: card.querySelectorAll('details.graph-text li').length,
    };
  }));
}

for (const where of ['http', 'file']) {
  test(`relation pictures are visible and their boxes open entities (${where})`, async () => {
    const url = (rel) => (where === 'http' ? server.base + rel : fileUrl(session.root, rel));
    problems.reset();
    await page.goto(url(ENTITY), { waitUntil: 'load' });
    const [near] = await pictures();
    assert.equal(near.id, 'graph-near-title');
    assert.ok(near.width > 300 && near.height > 80, JSON.stringify(near));
    assert.ok(near.boxes >= 5 && near.listed >= 3, JSON.stringify(near));
    const db = near.links.find((h) => h.includes('/resource/ledger-db/'));
    assert.ok(db, `no box links to the ledger database: ${near.links}`);
    // Following a box opens that entity's page, from disk too.
    await page.locator(`svg.graph a[href="${db}"]`).first().click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('h1').first().textContent(), /Ledger database/);

    await page.goto(url(SYSTEM), { waitUntil: 'load' });
    const map = (await pictures()).find((p) => p.id === 'graph-map-title');
    assert.ok(map, 'no system map on the payments page');
    assert.ok(map.boxes >= 4, JSON.stringify(map));
    assert.ok(await page.locator('#graph-map-title ~ .graph-scroll svg text', { hasText: 'Payments Gateway' }).count() > 0);
    assert.deepEqual(problems.take(), []);
  });
}

test('picture colours follow the light and dark theme', async () => {
  const seen = {};
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(server.base + ENTITY, { waitUntil: 'load' });
    seen[scheme] = await page.$eval('svg.graph .node-title', (el) => ({
      text: getComputedStyle(el).fill,
      page: getComputedStyle(document.body).color,
      box: getComputedStyle(el.parentElement.querySelector('rect')).fill,
    }));
    assert.equal(seen[scheme].text, seen[scheme].page, `${scheme}: ${JSON.stringify(seen[scheme])}`);
  }
  assert.notEqual(seen.light.box, seen.dark.box);
  await page.emulateMedia({ colorScheme: 'light' });
});

test('at 375px the picture scrolls inside its card and the page does not', async () => {
  await page.setViewportSize({ width: 375, height: 812 });
  for (const rel of [ENTITY, SYSTEM]) {
    await page.goto(server.base + rel, { waitUntil: 'load' });
    const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(over <= 1, `${rel} scrolls sideways by ${over}px`);
    // Text in the picture keeps its size: it is scrolled, not shrunk.
    const size = await page.$eval('svg.graph .node-title', (el) => el.getBoundingClientRect().height);
    assert.ok(size >= 11, `${rel}: picture text ${size}px high`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
});

for (const where of ['http', 'file']) {
  test(`a team page's heatmap loads from its status file (${where})`, async () => {
    const rel = 'catalog/default/group/team-ledger/index.html';
    problems.reset();
    await page.goto(where === 'http' ? server.base + rel : fileUrl(session.root, rel), { waitUntil: 'load' });
    const table = page.locator('.heatmap-card table.heatmap');
    await table.waitFor();
    const row = table.locator('tr', { hasText: 'Payments Ledger' });
    assert.equal(await row.locator('td.health-failing').count() > 0, true, 'payments-ledger is failing somewhere');
    assert.match(await row.textContent(), /version drift/);
    const colours = await table.evaluate((t) => ({
      failing: getComputedStyle(t.querySelector('td.health-failing')).backgroundColor,
      healthy: getComputedStyle(t.querySelector('td.health-healthy')).backgroundColor,
    }));
    assert.notEqual(colours.failing, colours.healthy);
    assert.deepEqual(problems.take(), []);
  });
}
