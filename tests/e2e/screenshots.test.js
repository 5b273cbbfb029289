'use strict';
// Screenshots of the main page types at phone and desktop widths, light and dark, for review.
// Written to .artifacts/screenshots/ at the repository root. At 375 px no page may scroll
// sideways. Also the 404 page where a server delivers it (three folders deep), the top of the
// service page with its incident card, and the phone layout as a phone's screen shows it (the
// viewport, part-way down the page).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { REPO_ROOT, ENTITY, DOCS_HOME, useSession } = require('./lib/helpers');

const OUT = path.join(REPO_ROOT, '.artifacts', 'screenshots');
const PAGES = { home: 'index.html', catalog: 'catalog/index.html', entity: ENTITY, docs: DOCS_HOME,
  kubernetes: 'catalog/default/component/payments-ledger/kubernetes/index.html', clusters: 'clusters/index.html',
  scorecards: 'scorecards/index.html', 'system-map': 'catalog/default/system/payments/index.html',
  'domain-map': 'catalog/default/domain/money-movement/index.html',
  'team-heatmap': 'catalog/default/group/team-ledger/index.html',
  'dependency-timeline': 'catalog/default/component/settlement/index.html' };
const WIDTHS = [375, 1440];

let server, page, problems;
useSession({}, (s) => {
  fs.mkdirSync(OUT, { recursive: true });
  ({ server, page, problems } = s);
}, { notFoundPage: true });

async function shoot(name, fullPage) {
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage, animations: 'disabled' });
  const head = fs.readFileSync(file).subarray(0, 8);
  assert.ok(head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${file} is not a PNG`);
}

for (const width of WIDTHS) {
  for (const scheme of ['light', 'dark']) {
    test(`screenshots at ${width}px, ${scheme}`, async () => {
      await page.setViewportSize({ width, height: width < 800 ? 812 : 900 });
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, rel] of Object.entries(PAGES)) {
        problems.reset();
        await page.goto(server.base + rel, { waitUntil: 'load' });
        await page.evaluate(() => document.fonts && document.fonts.ready);
        const file = path.join(OUT, `${name}-${width}-${scheme}.png`);
        await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
        const head = fs.readFileSync(file).subarray(0, 8);
        assert.ok(head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${file} is not a PNG`);
        if (width < 800) {
          const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          assert.ok(over <= 1, `${rel} scrolls sideways by ${over}px at ${width}px`);
        }
        assert.deepEqual(problems.take(), [], rel);
      }
    });
  }
}

test('screenshots of the 404 page three folders deep, the service page top, and the phone layout', async () => {
  await page.emulateMedia({ colorScheme: 'light' });
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width < 800 ? 812 : 900 });
    problems.reset();
    const missing = server.base + 'catalog/default/gone/index.html';
    await page.goto(missing, { waitUntil: 'load' });
    await page.waitForFunction(() => !document.querySelector('.theme-toggle').hidden);
    await shoot(`notfound-${width}-light`, true);
    // The page's own 404 and its loader addressed beside it (meant for file://) are expected.
    const left = problems.take().filter((p) => !p.includes(missing) && !/notfound\.[0-9a-f]+\.js/.test(p)
      && !/MIME type/.test(p));
    assert.deepEqual(left, [], 'notfound');
  }
  // The top of the service page as on-call first sees it: the incident card with its cluster
  // status loaded, in view without scrolling.
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width < 800 ? 812 : 900 });
    problems.reset();
    await page.goto(server.base + ENTITY, { waitUntil: 'load' });
    await page.waitForSelector('.incident-live[data-status-loaded]');
    // Its heading and first lines show without scrolling.
    const top = await page.$eval('section.incident', (s) => s.getBoundingClientRect().top);
    assert.ok(top < (width < 800 ? 812 : 900) - 150, `the incident card starts ${top}px down`);
    await shoot(`service-top-${width}-light`, false);
    assert.deepEqual(problems.take(), [], ENTITY);
  }
  await page.setViewportSize({ width: 375, height: 812 });
  for (const [name, rel] of [['entity', ENTITY], ['kubernetes', PAGES.kubernetes], ['docs', DOCS_HOME]]) {
    problems.reset();
    await page.goto(server.base + rel, { waitUntil: 'load' });
    await page.evaluate(() => window.scrollTo(0, 500));
    await shoot(`phone-${name}`, false);
    assert.deepEqual(problems.take(), [], rel);
  }
});
