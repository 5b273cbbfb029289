'use strict';
// Catalog filters: each control narrows the table to exactly the rows it should, and a
// filtered view can be shared as a URL. Expected rows are computed from the page's data file
// (window.PLAYBILL_CATALOG), independently of static/catalog.js; the page's HTML holds only the
// first rows.

const { test, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { catalogRows, useSession } = require('./lib/helpers');

let server, page, problems, all;
useSession({}, async (s) => {
  ({ server, page, problems } = s);
  await page.goto(server.base + 'catalog/index.html', { waitUntil: 'load' });
  all = await dataRows(page);
  assert.ok(all.length >= 20, `catalog has only ${all.length} rows`);
});

// Every entity in the data file, in the shape catalogRows() reads from the table.
function dataRows(page) {
  return page.evaluate(() => {
    const d = window.PLAYBILL_CATALOG;
    const root = document.getElementById('catalog-table').getAttribute('data-root');
    return d.rows.map((r) => {
      const owner = r[6] >= 0 ? d.links[r[6]][0] : '';
      const system = r[7] >= 0 ? d.links[r[7]][0] : '';
      const tags = r[8].map((t) => t.toLowerCase());
      return {
        href: root + r[10], kind: r[0].toLowerCase(), type: r[4], lifecycle: r[5], owner, system, tags,
        search: [r[2], r[3], r[9], r[0], r[4], owner, system, tags.join(' ')].join(' ').toLowerCase(),
      };
    });
  });
}

test('the page carries the first rows; the script shows every entity', async () => {
  const res = await page.request.get(server.base + 'catalog/index.html');
  const html = await res.text();
  const first = (html.match(/class="row-title"/g) || []).length;
  assert.ok(first > 0 && first < all.length, `${first} rows in the HTML of ${all.length}`);
  assert.match(html, new RegExp(`The first ${first} of ${all.length} entities`));
  const shown = await catalogRows(page);
  assert.deepEqual(hrefs(shown), hrefs(all));
  assert.deepEqual(shown.slice(0, first).map((r) => r.href), all.slice(0, first).map((r) => r.href),
    'the script keeps the order of the first paint');
  assert.equal(await page.isVisible('#catalog-more'), false);
});

beforeEach(async () => {
  problems.reset();
  await page.goto(server.base + 'catalog/index.html', { waitUntil: 'load' });
  await page.waitForSelector('#catalog-filters', { state: 'visible' });
});

const hrefs = (rows) => rows.map((r) => r.href).sort();

// Waits until the visible rows are exactly `expected` (the filter may debounce), then checks
// the count line too.
async function expectVisible(expected, what) {
  assert.ok(expected.length > 0, `${what}: the test picked a value with no rows`);
  assert.ok(expected.length < all.length, `${what}: the test picked a value that matches every row`);
  const want = hrefs(expected);
  let got = [];
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    got = hrefs((await catalogRows(page)).filter((r) => r.visible));
    if (JSON.stringify(got) === JSON.stringify(want)) break;
    await page.waitForTimeout(50);
  }
  assert.deepEqual(got, want, `${what}: visible rows differ`);
  const count = (await page.textContent('#catalog-count')).trim();
  assert.equal(count, `${expected.length} of ${all.length} entities`, `${what}: count line`);
  assert.deepEqual(problems.take(), [], `${what}: page problems`);
}

// The option value of a select whose rows form a proper, non-empty subset of the catalog.
async function pickOption(selectId, rowsFor) {
  const values = await page.$$eval(`#${selectId} option`, (os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(values.length > 1, `#${selectId} has ${values.length} options`);
  const v = values.find((x) => { const n = rowsFor(x).length; return n > 0 && n < all.length; });
  assert.ok(v, `#${selectId}: no option narrows the catalog`);
  return v;
}

test('filter controls are shown once the script runs', async () => {
  for (const id of ['filter-q', 'filter-kind', 'filter-type', 'filter-lifecycle', 'filter-owner', 'filter-tag']) {
    assert.ok(await page.isVisible(`#${id}`), `#${id} is not visible`);
  }
  assert.equal((await page.textContent('#catalog-count')).trim(), `${all.length} entities`);
});

test('kind=api shows only the API rows, all of them', async () => {
  const apis = all.filter((r) => r.kind === 'api');
  await page.selectOption('#filter-kind', 'api');
  await expectVisible(apis, 'kind=api');
  assert.match(page.url(), /[?&]kind=api\b/);
});

test('lifecycle filter', async () => {
  const v = await pickOption('filter-lifecycle', (x) => all.filter((r) => r.lifecycle.toLowerCase() === x));
  await page.selectOption('#filter-lifecycle', v);
  await expectVisible(all.filter((r) => r.lifecycle.toLowerCase() === v), `lifecycle=${v}`);
});

test('owner filter', async () => {
  const v = 'group:default/team-ledger';
  await page.selectOption('#filter-owner', v);
  const expected = all.filter((r) => r.owner === v);
  assert.ok(expected.some((r) => r.href.includes('/payments-ledger/')), 'payments-ledger is owned by team-ledger');
  await expectVisible(expected, `owner=${v}`);
});

test('tag filter', async () => {
  const v = await pickOption('filter-tag', (x) => all.filter((r) => r.tags.includes(x)));
  await page.selectOption('#filter-tag', v);
  await expectVisible(all.filter((r) => r.tags.includes(v)), `tag=${v}`);
});

test('text box narrows by name as you type', async () => {
  await page.fill('#filter-q', 'ledger');
  const expected = all.filter((r) => r.search.includes('ledger'));
  assert.ok(expected.some((r) => r.href.includes('/payments-ledger/')));
  await expectVisible(expected, 'q=ledger');
  // A term matching nothing shows the empty state; Reset brings every row back.
  await page.fill('#filter-q', 'zz-no-such-entity-zz');
  await page.waitForSelector('#catalog-empty', { state: 'visible' });
  await page.click('#catalog-empty-reset');
  await page.waitForFunction((n) => document.querySelectorAll('#catalog-table tbody tr:not([hidden])').length === n, all.length);
  assert.equal(await page.inputValue('#filter-q'), '');
});

test('filters combine: kind, lifecycle and owner together', async () => {
  await page.selectOption('#filter-kind', 'component');
  await page.selectOption('#filter-lifecycle', 'production');
  await page.selectOption('#filter-owner', 'group:default/team-ledger');
  await expectVisible(all.filter((r) => r.kind === 'component' && r.lifecycle.toLowerCase() === 'production'
    && r.owner === 'group:default/team-ledger'), 'kind+lifecycle+owner');
});

test('?kind=component&q=ledger in the URL is applied on load', async () => {
  await page.goto(server.base + 'catalog/index.html?kind=component&q=ledger', { waitUntil: 'load' });
  assert.equal(await page.inputValue('#filter-kind'), 'component');
  assert.equal(await page.inputValue('#filter-q'), 'ledger');
  const expected = all.filter((r) => r.kind === 'component' && r.search.includes('ledger'));
  assert.ok(expected.some((r) => r.href.includes('/payments-ledger/')));
  assert.ok(expected.length < all.filter((r) => r.kind === 'component').length, 'q=ledger should exclude some components');
  await expectVisible(expected, '?kind=component&q=ledger');
});

test('each filter value shows how many rows choosing it gives, with the other filters as they are', async () => {
  const counts = (id) => page.$$eval(`#${id} option`, (os) => Object.fromEntries(os.filter((o) => o.value)
    .map((o) => [o.value, Number((o.textContent.match(/\((\d+)\)$/) || [])[1])])));
  const waitFor = async (id, value, n) => {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await counts(id))[value] !== n) await page.waitForTimeout(50);
    assert.equal((await counts(id))[value], n, `#${id} ${value}`);
  };
  const owner = 'group:default/team-ledger';
  const components = all.filter((r) => r.kind === 'component');
  await waitFor('filter-kind', 'component', components.length);
  assert.equal((await counts('filter-owner'))[owner], all.filter((r) => r.owner === owner).length);

  // Choosing an owner narrows the other filters' counts, not its own.
  await page.selectOption('#filter-owner', owner);
  const owned = all.filter((r) => r.owner === owner);
  await waitFor('filter-kind', 'component', owned.filter((r) => r.kind === 'component').length);
  assert.ok(owned.length < all.length);
  assert.equal((await counts('filter-owner'))[owner], owned.length);
  const tag = owned.flatMap((r) => r.tags)[0];
  assert.equal((await counts('filter-tag'))[tag], owned.filter((r) => r.tags.includes(tag)).length);
  assert.deepEqual(problems.take(), []);
});
