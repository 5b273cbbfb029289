'use strict';
// The catalog table's sortable columns and its health column. Expected orders and cells come
// from the data files (window.PLAYBILL_CATALOG, catalog/status.js) and, for cluster health, are
// checked against the clusters page's own data (clusters/status.js); never from
// static/catalog.js.

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { fileUrl, launch, useSession, watch } = require('./lib/helpers');

const CATALOG = 'catalog/index.html';
let server, page, problems, data;
const session = useSession({}, async (s) => {
  ({ server, page, problems } = s);
  await page.goto(server.base + CATALOG, { waitUntil: 'load' });
  data = await page.evaluate(() => ({
    rows: window.PLAYBILL_CATALOG.rows,
    links: window.PLAYBILL_CATALOG.links,
    health: (window.PlaybillStatus || {}).catalog,
  }));
  assert.ok(data.health && data.health.has_snapshot, 'catalog/status.js did not load');
});

beforeEach(async () => {
  problems.reset();
  await page.goto(server.base + CATALOG, { waitUntil: 'load' });
  await page.waitForSelector('#catalog-filters', { state: 'visible' });
});

const refOf = (r) => `${r[0]}:${r[1]}/${r[2]}`.toLowerCase();
const hrefOf = (r) => '../' + r[10];
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
const RANK = { healthy: 1, degraded: 2, failing: 3 };

// What each column sorts by, read straight from the data: null for an empty cell.
const KEYS = {
  name: (r) => r[3] || r[2],
  owner: (r) => (r[6] >= 0 ? data.links[r[6]][1] : null),
  score: (r) => (r[11] >= 0 ? r[11] : null),
  health: (r) => {
    const h = data.health.services[refOf(r)];
    return h ? (RANK[h[0]] || 0) * 1e6 + h[1] : null;
  },
};

// The rows in the order a stable sort by `key` gives, empty cells last either way.
function expectedOrder(rows, key, dir) {
  const keyed = rows.map((r, i) => ({ r, i, v: KEYS[key](r) }));
  keyed.sort((a, b) => {
    if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
    const c = typeof a.v === 'number' ? a.v - b.v : collator.compare(a.v, b.v);
    return c * dir || a.i - b.i;
  });
  return keyed.map((k) => hrefOf(k.r));
}

const shownHrefs = () => page.$$eval('#catalog-table tbody tr a.row-title', (as) => as.map((a) => a.getAttribute('href')));
const ariaSort = () => page.$$eval('#catalog-table thead th', (ths) => Object.fromEntries(ths
  .filter((th) => th.hasAttribute('aria-sort')).map((th) => [th.dataset.sort, th.getAttribute('aria-sort')])));

async function clickHeader(key) {
  await page.click(`#catalog-table thead th[data-sort="${key}"] > button`);
}

async function expectOrder(want, what) {
  const deadline = Date.now() + 5000;
  let got = [];
  while (Date.now() < deadline) {
    got = await shownHrefs();
    if (JSON.stringify(got) === JSON.stringify(want)) break;
    await page.waitForTimeout(50);
  }
  assert.deepEqual(got, want, what);
}

test('every column header is a button inside its <th>; only the sorted one has aria-sort', async () => {
  const heads = await page.$$eval('#catalog-table thead th', (ths) => ths.map((th) => ({
    key: th.dataset.sort, button: !!th.querySelector(':scope > button[type="button"]'), sort: th.getAttribute('aria-sort'),
  })));
  assert.deepEqual(heads.map((h) => h.key), ['name', 'kind', 'type', 'owner', 'system', 'lifecycle', 'tags', 'health', 'score']);
  assert.ok(heads.every((h) => h.button && h.sort === null), JSON.stringify(heads));
  await clickHeader('score');
  assert.deepEqual(await ariaSort(), { score: 'ascending' });
  assert.match(await page.textContent('#catalog-table caption'), /sorted by score, ascending/);
  await clickHeader('score');
  assert.deepEqual(await ariaSort(), { score: 'descending' });
  await clickHeader('name');
  assert.deepEqual(await ariaSort(), { name: 'ascending' });
  assert.deepEqual(problems.take(), []);
});

test('score sorts as numbers both ways, stable, entities without a score last', async () => {
  const scores = new Set(data.rows.map((r) => r[11]));
  // 100 before 44 as text, after it as a number.
  assert.ok(scores.has(-1) && scores.has(100) && [...scores].some((s) => s >= 0 && s < 100),
    `the demo needs unscored, perfect and lower scores to test this: ${[...scores]}`);
  await clickHeader('score');
  await expectOrder(expectedOrder(data.rows, 'score', 1), 'score ascending');
  await clickHeader('score');
  await expectOrder(expectedOrder(data.rows, 'score', -1), 'score descending');
  const last = await page.$$eval('#catalog-table tbody tr .col-score', (tds) => tds.at(-1).textContent.trim());
  assert.equal(last, '\u2014', 'an entity without a score comes last');
});

test('name and owner sort as text; a second click reverses', async () => {
  for (const key of ['name', 'owner']) {
    await clickHeader(key);
    await expectOrder(expectedOrder(data.rows, key, 1), `${key} ascending`);
    await clickHeader(key);
    await expectOrder(expectedOrder(data.rows, key, -1), `${key} descending`);
  }
});

test('the health column says in words where a service is in trouble, as the clusters page does', async () => {
  const clusters = await page.evaluate(() => new Promise((resolve) => {
    const s = document.createElement('script');
    s.src = '../clusters/status.js';
    s.onload = () => resolve(window.PlaybillStatus.clusters.services);
    document.head.appendChild(s);
  }));
  const cells = await page.$$eval('#catalog-table tbody tr', (trs) => Object.fromEntries(trs.map((tr) => [
    tr.querySelector('a.row-title').getAttribute('href'),
    { text: tr.querySelector('.col-health').textContent.trim(),
      classes: [...tr.querySelectorAll('.col-health .badge')].map((b) => b.className) },
  ])));
  let troubled = 0;
  for (const r of data.rows) {
    const cell = cells[hrefOf(r)];
    const status = clusters[refOf(r)];
    if (!status) {
      if (!data.health.services[refOf(r)]) assert.equal(cell.text, '\u2014', `${refOf(r)} has no workloads`);
      continue;
    }
    const [worst, problemCount, unhealthy] = status;
    if (worst === 'healthy') {
      assert.equal(cell.text, 'healthy', refOf(r));
      continue;
    }
    troubled += 1;
    assert.match(cell.text, new RegExp(`^${worst} in `), refOf(r));
    for (const c of unhealthy) assert.ok(cell.text.includes(c), `${refOf(r)}: ${cell.text} does not name ${c}`);
    assert.ok(cell.text.endsWith(`${problemCount} problem${problemCount === 1 ? '' : 's'}`), `${refOf(r)}: ${cell.text}`);
    assert.ok(cell.classes.some((c) => c.includes(`health-${worst}`)), `${refOf(r)}: ${cell.classes}`);
  }
  assert.ok(troubled >= 3, `only ${troubled} troubled services in the demo`);
  assert.match(cells['../catalog/default/component/payments-ledger/index.html'].text, /^failing in .*prod-us/);
  assert.deepEqual(problems.take(), []);
});

test('health sorts worst first when descending, and sorting keeps the filters, the count and the URL', async () => {
  await page.selectOption('#filter-kind', 'component');
  await clickHeader('health');
  await clickHeader('health');
  const components = data.rows.filter((r) => r[0].toLowerCase() === 'component');
  const want = expectedOrder(components, 'health', -1);
  await expectOrder(want, 'components by health, worst first');
  const first = data.health.services[refOf(components.find((r) => hrefOf(r) === want[0]))];
  assert.equal(first[0], 'failing');
  assert.equal((await page.textContent('#catalog-count')).trim(), `${components.length} of ${data.rows.length} entities`);
  assert.match(page.url(), /[?&]kind=component&sort=-health$/);
  // The shared URL gives the same view.
  await page.goto(page.url(), { waitUntil: 'load' });
  await expectOrder(want, 'components by health from the URL');
  assert.deepEqual(await ariaSort(), { health: 'descending' });
  // A filter changed after sorting keeps the sort.
  await page.selectOption('#filter-lifecycle', 'production');
  const production = components.filter((r) => r[5].toLowerCase() === 'production');
  await expectOrder(expectedOrder(production, 'health', -1), 'production components by health');
  assert.deepEqual(problems.take(), []);
});

test('from file:// the health column and sorting work too', async () => {
  await page.goto(fileUrl(session.root, CATALOG), { waitUntil: 'load' });
  await page.waitForSelector('#catalog-filters', { state: 'visible' });
  await clickHeader('score');
  await clickHeader('score');
  await expectOrder(expectedOrder(data.rows, 'score', -1), 'score descending from file://');
  const ledger = await page.textContent('#catalog-table tbody tr:has(a[href$="/payments-ledger/index.html"]) .col-health');
  assert.match(ledger.trim(), /^failing in /);
});

let noScript;
before(async () => { noScript = await launch({ javaScriptEnabled: false }); });
after(async () => { if (noScript) await noScript.close(); });

test('without script the first rows keep their order, with scores and a link to cluster status', async () => {
  const seen = watch(noScript.page);
  await noScript.page.goto(server.base + CATALOG, { waitUntil: 'load' });
  const rows = await noScript.page.$$eval('#catalog-table tbody tr', (trs) => trs.map((tr) => ({
    href: tr.querySelector('a.row-title').getAttribute('href'),
    health: tr.querySelector('.col-health').textContent.trim(),
    healthLink: (tr.querySelector('.col-health a') || {}).href || '',
    score: tr.querySelector('.col-score').textContent.trim(),
  })));
  assert.deepEqual(rows.map((r) => r.href), data.rows.slice(0, rows.length).map(hrefOf));
  rows.forEach((row, i) => {
    const r = data.rows[i];
    assert.equal(row.score, r[11] >= 0 ? `${r[11]}%` : '\u2014', row.href);
    if (data.health.services[refOf(r)]) {
      assert.equal(row.health, 'Cluster status', row.href);
      assert.ok(row.healthLink.endsWith(r[10].replace(/index\.html$/, 'kubernetes/index.html')), row.healthLink);
    } else {
      assert.equal(row.health, '\u2014', row.href);
    }
  });
  assert.equal(await noScript.page.$$eval('#catalog-table thead button', (bs) => bs.length), 0);
  assert.deepEqual(seen.take(), []);
});
