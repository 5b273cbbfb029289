'use strict';
// Site search: the header box (combobox, keyboard, "/"), search/index.html?q= with filters, over
// http and from file://; a query loads only its own shards; and the browser agrees with the
// build on terms and rankings (tests/fixtures/search/terms.json and the rankings snapshot
// tests/it/snapshots/it__search__demo_rankings.snap, both also checked by tests/it/search.rs).

const { test, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { REPO_ROOT, ENTITY, DOCS_HOME, fileUrl, catalogRows, launch, useSession } = require('./lib/helpers');

const FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures', 'search');
const LEDGER_SYSTEM = 'catalog/default/system/ledger/index.html';

let server, page, problems;
const { root } = useSession({}, (s) => { ({ server, page, problems } = s); });

beforeEach(() => problems.reset());

const site = (rel) => server.base + rel;

function noProblems(what) {
  const p = problems.take();
  assert.deepEqual(p, [], `${what}:\n${p.join('\n')}`);
}

// Site-relative path of a link, whatever page it is on.
async function targets(selector) {
  return page.$$eval(selector, (as) => as.map((a) => a.href));
}
function rel(url, base) {
  return url.slice(base.length);
}

async function typeInBox(q) {
  await page.fill('#site-search', q);
  await page.waitForFunction((q) => {
    const all = document.querySelector('.site-search .sr-all');
    return all && all.textContent.includes(q) && !document.querySelector('.site-search .search-popup').hidden;
  }, q);
}

test('the header box lists catalog entities and docs sections, exact name first', async () => {
  await page.goto(site(ENTITY), { waitUntil: 'load' });
  await typeInBox('ledger');
  assert.equal(await page.getAttribute('#site-search', 'aria-expanded'), 'true');
  assert.equal(await page.getAttribute('#site-search-results', 'role'), 'listbox');
  const labels = await page.$$eval('#site-search-results [role="group"]', (gs) => gs.map((g) =>
    document.getElementById(g.getAttribute('aria-labelledby')).textContent));
  assert.deepEqual(labels, ['Catalog', 'Docs']);
  const entities = (await targets('#site-search-results [role="group"]:first-child [role="option"]')).map((u) => rel(u, server.base));
  assert.equal(entities[0], LEDGER_SYSTEM, 'an entity named exactly "ledger" comes first');
  assert.equal(entities[1], 'catalog/default/component/payments-ledger/index.html');
  const docs = (await targets('#site-search-results [role="group"]:nth-child(2) [role="option"]')).map((u) => rel(u, server.base));
  assert.ok(docs.length > 0 && docs.every((u) => u.startsWith('docs/') && u.includes('#')), docs.join(', '));
  // Snippets mark the query's words.
  const marks = await page.$$eval('#site-search-results mark', (ms) => ms.map((m) => m.textContent.toLowerCase()));
  assert.ok(marks.length > 0 && marks.every((m) => m.startsWith('ledger')), marks.join(', '));
  noProblems('header box');
});

test('"/" focuses the box; arrows move through the results; Enter opens one; Escape closes', async () => {
  await page.goto(site(DOCS_HOME), { waitUntil: 'load' });
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'site-search');
  await page.keyboard.type('payments-ledger');
  await page.waitForSelector('.search-popup:not([hidden]) [role="option"]');
  await page.waitForFunction(() => document.querySelector('.site-search .sr-all').textContent.includes('payments-ledger'));
  const ids = await page.$$eval('#site-search-results [role="option"]', (os) => os.map((o) => o.id));
  assert.ok(ids.length >= 3);
  const activeOf = () => page.evaluate(() => {
    const box = document.getElementById('site-search');
    const id = box.getAttribute('aria-activedescendant');
    const sel = Array.from(document.querySelectorAll('#site-search-results [aria-selected="true"]')).map((o) => o.id);
    return { id, sel, focus: document.activeElement.id };
  });
  await page.keyboard.press('ArrowDown');
  assert.deepEqual(await activeOf(), { id: ids[0], sel: [ids[0]], focus: 'site-search' });
  await page.keyboard.press('ArrowDown');
  assert.deepEqual(await activeOf(), { id: ids[1], sel: [ids[1]], focus: 'site-search' });
  await page.keyboard.press('ArrowUp');
  assert.deepEqual(await activeOf(), { id: ids[0], sel: [ids[0]], focus: 'site-search' });
  await page.keyboard.press('Escape');
  assert.equal(await page.isHidden('.site-search .search-popup'), true);
  assert.equal(await page.getAttribute('#site-search', 'aria-expanded'), 'false');
  assert.equal(await page.getAttribute('#site-search', 'aria-activedescendant'), null);
  // Open again and take the first result.
  await page.keyboard.press('ArrowDown');
  await page.waitForSelector('.search-popup:not([hidden]) [role="option"]');
  await page.keyboard.press('ArrowDown');
  await Promise.all([page.waitForURL('**/' + ENTITY), page.keyboard.press('Enter')]);
  assert.equal(await page.textContent('h1'), 'Payments Ledger');
  noProblems('keyboard');
});

test('a docs phrase leads to the right section anchor', async () => {
  await page.goto(site('index.html'), { waitUntil: 'load' });
  await typeInBox('idempotency keys');
  const first = page.locator('#site-search-results [role="group"]:nth-child(2) [role="option"]').first();
  const href = await first.getAttribute('href');
  assert.equal(href, 'docs/default/component/payments-ledger/integrating/index.html#idempotency-keys');
  await Promise.all([page.waitForURL('**/integrating/index.html#idempotency-keys'), first.click()]);
  assert.equal(await page.locator('#idempotency-keys').count(), 1);
  noProblems('docs phrase');
});

test('Enter without a chosen result opens search/index.html?q=, which ranks the same', async () => {
  await page.goto(site('teams/index.html'), { waitUntil: 'load' });
  // Not an entity's exact name (that opens the entity: oncall.test.js).
  await typeInBox('ledger postings');
  const first = (await targets('#site-search-results [role="option"]')).map((u) => rel(u, server.base))[0];
  await Promise.all([page.waitForURL('**/search/index.html?q=ledger+postings'), page.press('#site-search', 'Enter')]);
  await page.waitForSelector('#search-results li');
  assert.equal(await page.inputValue('#search-q'), 'ledger postings');
  const urls = (await targets('#search-results a')).map((u) => rel(u, server.base));
  assert.equal(urls[0], first, 'the page ranks as the box did');
  assert.match(await page.textContent('#search-status'), /^\d+ results? for “ledger postings”$/);
  noProblems('results page');
});

test('the home page\'s big search box opens the results page, catalog and docs alike', async () => {
  await page.goto(site('index.html'), { waitUntil: 'load' });
  await page.fill('#home-search', 'idempotency keys');
  await Promise.all([page.waitForURL('**/search/index.html?q=idempotency+keys'), page.press('#home-search', 'Enter')]);
  await page.waitForSelector('#search-results li');
  const urls = (await targets('#search-results a')).map((u) => rel(u, server.base));
  assert.ok(urls.some((u) => u.startsWith('docs/')), urls.join('\n'));
  noProblems('home search');
});

test('search/index.html?q= with kind and owner filters, shareable by URL', async () => {
  await page.goto(site('search/index.html?q=ledger&kind=api'), { waitUntil: 'load' });
  await page.waitForSelector('#search-results li');
  assert.equal(await page.inputValue('#search-kind'), 'api');
  let urls = (await targets('#search-results a')).map((u) => rel(u, server.base));
  assert.ok(urls.length > 0 && urls.every((u) => /^(catalog|docs)\/default\/api\//.test(u)), urls.join('\n'));
  // Owner: every result is an entity of team-ledger, or a section of its docs.
  await page.goto(site('catalog/index.html'), { waitUntil: 'load' });
  const owned = (await catalogRows(page)).filter((r) => r.owner === 'group:default/team-ledger')
    .map((r) => r.href.replace(/^\.\.\//, '').replace(/\/index\.html$/, '').replace(/^catalog\//, ''));
  assert.ok(owned.length > 1);
  await page.goto(site('search/index.html?q=ledger&owner=group%3Adefault%2Fteam-ledger'), { waitUntil: 'load' });
  await page.waitForSelector('#search-results li');
  assert.equal(await page.inputValue('#search-owner'), 'group:default/team-ledger');
  urls = (await targets('#search-results a')).map((u) => rel(u, server.base));
  assert.ok(urls.length > 0);
  for (const u of urls) {
    const entity = u.replace(/^(catalog|docs)\//, '').split('/').slice(0, 3).join('/');
    assert.ok(owned.includes(entity), `${u} is not owned by team-ledger`);
  }
  // Changing a filter re-ranks and updates the address.
  await page.selectOption('#search-owner', '');
  await page.waitForFunction(() => !location.search.includes('owner='));
  await page.waitForFunction(() => document.querySelector('#search-results a') &&
    document.querySelector('#search-results a').getAttribute('href').endsWith('system/ledger/index.html'));
  noProblems('filters');
});

test('a query loads the manifest, its own shards and a few document tables, nothing else', async () => {
  await page.goto(site(ENTITY), { waitUntil: 'load' });
  const loaded = [];
  const onRequest = (r) => { if (r.url().includes('/search/')) loaded.push(new URL(r.url()).pathname.split('/search/')[1]); };
  page.on('request', onRequest);
  await typeInBox('ledger');
  page.off('request', onRequest);
  assert.ok(loaded.includes('manifest.js'), loaded.join(', '));
  const shards = loaded.filter((f) => !/^(manifest|docs-\d+|facets)[.]/.test(f));
  assert.ok(shards.length >= 1, loaded.join(', '));
  for (const f of shards) {
    const key = f.split('.')[0];
    assert.ok('ledger'.startsWith(key) || key.startsWith('ledger'), `shard ${f} is not one of "ledger"'s`);
  }
  assert.ok(!loaded.some((f) => f.startsWith('facets.')), 'the header box does not need the facets');
  const tables = loaded.filter((f) => f.startsWith('docs-'));
  assert.ok(tables.length >= 1 && tables.length <= 10, tables.join(', '));
  noProblems('shards');
});

test('from file:// the box and the results page work', async () => {
  await page.goto(fileUrl(root, ENTITY), { waitUntil: 'load' });
  await typeInBox('ledger');
  const first = await page.getAttribute('#site-search-results [role="option"]', 'href');
  assert.equal(first, '../../../../' + LEDGER_SYSTEM);
  await page.goto(fileUrl(root, 'search/index.html') + '?q=rotate%20signing%20keys', { waitUntil: 'load' });
  await page.waitForSelector('#search-results li');
  const href = await page.getAttribute('#search-results a', 'href');
  assert.equal(href, '../docs/default/component/identity-provider/runbook/index.html#rotate-the-signing-keys');
  noProblems('file://');
});

test('the browser cuts terms and ranks the demo as the build does (tests/fixtures/search, tests/it/snapshots)', async () => {
  await page.goto(site('index.html'), { waitUntil: 'load' });
  const cases = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'terms.json'), 'utf8'));
  for (const [input, want] of cases) {
    assert.deepEqual(await page.evaluate((s) => window.PlaybillSearch.terms(s), input), want, input);
  }
  // The rankings the Rust test records, as JSON after the snapshot file's header.
  const snap = fs.readFileSync(path.join(REPO_ROOT, 'tests', 'it', 'snapshots', 'it__search__demo_rankings.snap'), 'utf8');
  const rankings = JSON.parse(snap.slice(snap.indexOf('\n---\n') + 5));
  for (const [q, want] of Object.entries(rankings)) {
    const got = await page.evaluate((q) => window.PlaybillSearch.query(q, 5).then((rs) => rs.map((r) => r.url)), q);
    assert.deepEqual(got, want, q);
  }
  noProblems('agreement');
});

test('axe: the search page and the open results list have no serious or critical violations', async () => {
  const b = await launch({ bypassCSP: true });
  try {
    const p = b.page;
    const AXE = require.resolve('axe-core/axe.min.js');
    const check = async (what) => {
      await p.addScriptTag({ path: AXE });
      const bad = await p.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
        .violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
      assert.deepEqual(bad, [], what);
    };
    await p.goto(site('search/index.html?q=ledger'), { waitUntil: 'load' });
    await p.waitForSelector('#search-results li');
    await check('search page');
    await p.goto(site(ENTITY), { waitUntil: 'load' });
    await p.fill('#site-search', 'ledger');
    await p.waitForSelector('.search-popup:not([hidden]) [role="option"]');
    await p.keyboard.press('ArrowDown');
    await check('open results list');
  } finally {
    await b.close();
  }
});
