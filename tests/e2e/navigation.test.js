'use strict';
// Getting around: entity ↔ owner ↔ docs, docs nav and TOC, the on-call path from the home page,
// keyboard access and the theme toggle.

const { test, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { ENTITY, DOCS_HOME, useSession } = require('./lib/helpers');

let server, page, problems;
useSession({}, (s) => { ({ server, page, problems } = s); });

beforeEach(() => problems.reset());

const site = (rel) => server.base + rel;
const pathOf = (url) => new URL(url).pathname.replace(/^\//, '');

function noProblems(what) {
  const p = problems.take();
  assert.deepEqual(p, [], `${what}:\n${p.join('\n')}`);
}

test('entity → owner group page, which lists the entity and the other services it owns', async () => {
  await page.goto(site(ENTITY), { waitUntil: 'load' });
  const owner = page.locator('.entity-byline a.entity-link').first();
  assert.equal((await owner.getAttribute('title')), 'group:default/team-ledger');
  await Promise.all([page.waitForURL('**/catalog/default/group/team-ledger/index.html'), owner.click()]);
  assert.equal(pathOf(page.url()), 'catalog/default/group/team-ledger/index.html');
  const owned = await page.$$eval('main table a.row-title', (as) => as.map((a) => new URL(a.href).pathname));
  assert.ok(owned.includes('/' + ENTITY), `group page does not list payments-ledger: ${owned.join(', ')}`);
  const components = owned.filter((p) => p.includes('/component/'));
  assert.ok(components.length >= 2, `expected other services next to payments-ledger, got ${components}`);
  // And the owned entity links lead back.
  await Promise.all([page.waitForURL('**/' + ENTITY), page.click(`main table a.row-title[href$="component/payments-ledger/index.html"]`)]);
  assert.equal(await page.textContent('h1'), 'Payments Ledger');
  noProblems('entity → group → entity');
});

test('entity → "Read the docs" → docs home → back to the entity', async () => {
  await page.goto(site(ENTITY), { waitUntil: 'load' });
  const read = page.getByRole('link', { name: /Read the docs/ });
  await Promise.all([page.waitForURL('**/' + DOCS_HOME), read.click()]);
  assert.equal(pathOf(page.url()), DOCS_HOME);
  assert.ok(await page.isVisible('.docs-content'), 'docs content not shown');
  const back = page.locator('.docs-kicker a');
  assert.equal((await back.textContent()).trim(), 'Payments Ledger');
  await Promise.all([page.waitForURL('**/' + ENTITY), back.click()]);
  assert.equal(pathOf(page.url()), ENTITY);
  noProblems('entity → docs → entity');
});

test('docs nav link lands on that page and marks it current', async () => {
  await page.goto(site(DOCS_HOME), { waitUntil: 'load' });
  // A visible, internal, not-current link in the docs nav (sections may be collapsed).
  const link = page.locator('.docs-nav a:not([aria-current]):not(.nav-external):visible').filter({ hasNotText: 'Payments Ledger' }).first();
  const title = (await link.textContent()).trim();
  const target = await link.evaluate((a) => a.href);
  await Promise.all([page.waitForURL(target), link.click()]);
  assert.equal(page.url(), target);
  const current = page.locator('.docs-nav a[aria-current="page"]');
  assert.equal(await current.count(), 1);
  assert.equal((await current.textContent()).trim(), title);
  assert.ok((await page.title()).startsWith(title), `title "${await page.title()}" should start with "${title}"`);
  noProblems('docs nav');
});

test('a collapsed docs nav section opens and its link works', async () => {
  await page.goto(site(DOCS_HOME), { waitUntil: 'load' });
  // A collapsed section whose summary can be seen (not one nested inside another closed one).
  const summary = page.locator('.docs-nav details:not([open]) > summary:visible').first();
  assert.equal(await summary.count(), 1, 'expected a collapsed section in the payments-ledger docs nav');
  const { section, href } = await summary.evaluate((s) => ({
    section: s.textContent.trim(),
    href: s.parentElement.querySelector(':scope > ul > li > a:not(.nav-external)').getAttribute('href'),
  }));
  const link = page.locator(`.docs-nav a[href="${href}"]`);
  assert.equal(await link.isVisible(), false, `links of the closed "${section}" section are visible`);
  await page.locator('.docs-nav summary', { hasText: section }).first().click();
  await link.waitFor({ state: 'visible' });
  const target = await link.evaluate((a) => a.href);
  await Promise.all([page.waitForURL(target), link.click()]);
  assert.equal(await page.locator('.docs-nav a[aria-current="page"]').count(), 1);
  noProblems('collapsed section');
});

test('on-page TOC link moves location.hash to an existing heading', async () => {
  // Pick a docs page with a TOC of at least two entries; use the last one so the page scrolls.
  await page.goto(site(DOCS_HOME), { waitUntil: 'load' });
  const candidates = await page.$$eval('.docs-nav a:not(.nav-external)', (as) => as.map((a) => a.href));
  let found = false;
  for (const url of [page.url(), ...candidates]) {
    await page.goto(url, { waitUntil: 'load' });
    if ((await page.locator('.docs-toc a').count()) >= 2) { found = true; break; }
  }
  assert.ok(found, 'no payments-ledger docs page has a TOC with two entries');
  const link = page.locator('.docs-toc a').last();
  const href = await link.getAttribute('href');
  assert.match(href, /^#./);
  await link.click();
  await page.waitForFunction((h) => location.hash === h, href);
  const ok = await page.evaluate(() => {
    const el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!el) return 'no element with that id';
    const r = el.getBoundingClientRect();
    return r.top >= -2 && r.top < innerHeight ? true : `heading not scrolled into view (top ${r.top})`;
  });
  assert.equal(ok, true);
  noProblems('toc');
});

test('on-call: header search "payments-ledger" + Enter → the service itself → owner, runbook and clusters', async () => {
  await page.goto(site('index.html'), { waitUntil: 'load' });
  await page.fill('#site-search', 'payments-ledger');
  // The results list opens as you type; Enter on a query that names an entity opens it.
  await page.waitForSelector('.site-search .search-popup:not([hidden]) [role="option"]');
  await Promise.all([page.waitForURL('**/' + ENTITY), page.press('#site-search', 'Enter')]);
  // Owner, in the byline and the facts.
  const owner = page.locator('.entity-byline span', { hasText: 'Owned by' }).locator('a.entity-link');
  assert.ok(await owner.isVisible(), 'owner not shown');
  assert.match(await owner.textContent(), /\S/);
  assert.match(await owner.getAttribute('href'), /group\/team-ledger\/index\.html$/);
  // Runbook: an internal link to the runbook docs page, which exists.
  const runbook = page.locator('.entity-actions a', { hasText: /runbook/i }).first();
  assert.ok(await runbook.isVisible(), 'no runbook link on the entity page');
  const rb = await runbook.evaluate((a) => a.href);
  assert.ok(rb.startsWith(server.base + 'docs/'), rb);
  const res = await page.request.get(rb);
  assert.equal(res.status(), 200);
  // Where it runs: the same page names every cluster (the third on-call question).
  const where = page.locator('.k8s-overview .k8s-where li');
  await where.first().waitFor({ state: 'visible' });
  const clusters = (await where.allTextContents()).join(' | ');
  for (const c of ['prod-eu', 'prod-us']) assert.ok(clusters.includes(c), `no ${c} in: ${clusters}`);
  noProblems('on-call path');
});

test('"/" focuses the site search, but not while typing in a field', async () => {
  await page.goto(site('catalog/index.html'), { waitUntil: 'load' });
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'site-search');
  // Inside another input "/" is a character.
  await page.focus('#filter-q');
  await page.keyboard.type('a/b');
  assert.equal(await page.inputValue('#filter-q'), 'a/b');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'filter-q');
  noProblems('slash');
});

test('Tab from the top reaches the skip link, which moves focus to #main', async () => {
  for (const rel of ['index.html', ENTITY, DOCS_HOME]) {
    await page.goto(site(rel), { waitUntil: 'load' });
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => ({ cls: document.activeElement.className, href: document.activeElement.getAttribute('href') }));
    assert.deepEqual(first, { cls: 'skip-link', href: '#main' }, `${rel}: first Tab stop`);
    assert.ok(await page.isVisible('.skip-link'));
    const box = await page.locator('.skip-link').boundingBox();
    assert.ok(box && box.y >= 0 && box.width > 1 && box.height > 1, `${rel}: focused skip link is not on screen`);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'main');
    // The next Tab continues inside main, not back in the header.
    await page.keyboard.press('Tab');
    const inMain = await page.evaluate(() => !!document.activeElement.closest('#main, .site-footer'));
    assert.ok(inMain, `${rel}: Tab after the skip link left the main content`);
  }
  noProblems('skip link');
});

test('theme toggle switches to dark, is remembered across pages, and follows the system', async () => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(site('index.html'), { waitUntil: 'load' });
  const toggle = page.locator('.theme-toggle');
  assert.ok(await toggle.isVisible());
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  const bgLight = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await toggle.click();
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  const bgDark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(bgDark, bgLight, 'background did not change');
  await page.goto(site('catalog/index.html'), { waitUntil: 'load' });
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark', 'choice not remembered');
  assert.equal(await page.getAttribute('.theme-toggle', 'aria-pressed'), 'true');
  // Back to the system setting: a dark system with no stored choice presses the toggle.
  await page.evaluate(() => localStorage.clear());
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(site('index.html'), { waitUntil: 'load' });
  assert.equal(await page.getAttribute('html', 'data-theme'), null);
  assert.equal(await page.getAttribute('.theme-toggle', 'aria-pressed'), 'true');
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), bgDark);
  await page.emulateMedia({ colorScheme: 'light' });
  noProblems('theme');
});

test('docs content tabs (.tabbed-set) switch the visible block', async () => {
  await page.goto(site('docs/default/component/payments-gateway/index.html'), { waitUntil: 'load' });
  const set = page.locator('.tabbed-set').first();
  const labels = set.locator('.tabbed-labels > label');
  const blocks = set.locator('.tabbed-content > .tabbed-block');
  assert.ok((await labels.count()) >= 2, 'expected a tab set with two tabs');
  assert.equal(await blocks.nth(0).isVisible(), true);
  assert.equal(await blocks.nth(1).isVisible(), false);
  await labels.nth(1).click();
  await blocks.nth(1).waitFor({ state: 'visible' });
  assert.equal(await blocks.nth(0).isVisible(), false);
  assert.equal(await set.locator('input[type="radio"]').nth(1).isChecked(), true);
  noProblems('tabs');
});
