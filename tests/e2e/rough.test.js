'use strict';
// The rough edges people hit: the phone layout (a header that scrolls away, pod names whole,
// the Copy button beside code rather than on it, wide tables that scroll inside their frame),
// the diagnostics badge in words, people and owners named as people read them, the portal's
// title whole at 1440 px, and docs pages with labelled task lists and keyboard-scrollable code.

const { test, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { ENTITY, useSession } = require('./lib/helpers');

const AXE = require.resolve('axe-core/axe.min.js');
const K8S = 'catalog/default/component/payments-ledger/kubernetes/index.html';
const TASKS = 'docs/default/component/go-service-kit/upgrading/index.html';

// axe is added as an inline script, which the pages' CSP refuses; this context bypasses it.
let server, page, problems;
useSession({ bypassCSP: true }, (s) => { ({ server, page, problems } = s); });

beforeEach(() => problems.reset());

function noProblems(what) {
  const p = problems.take();
  assert.deepEqual(p, [], `${what}:\n${p.join('\n')}`);
}

async function phone() {
  await page.setViewportSize({ width: 375, height: 812 });
}

test('375 px: the header scrolls away instead of holding a fifth of the screen', async () => {
  await phone();
  await page.goto(server.base + ENTITY, { waitUntil: 'load' });
  await page.evaluate(() => window.scrollTo(0, 600));
  const bottom = await page.evaluate(() => document.querySelector('.site-header').getBoundingClientRect().bottom);
  assert.ok(bottom <= 0, `the header still covers ${bottom}px after scrolling`);
  noProblems('entity at 375');
});

test('375 px: pod names stay whole, the first column stays put, the page never scrolls sideways', async () => {
  await phone();
  await page.goto(server.base + K8S, { waitUntil: 'load' });
  await page.waitForSelector('th.pod-name');
  const lines = await page.$$eval('th.pod-name', (ths) => ths.map((th) => {
    const range = document.createRange();
    range.selectNodeContents(th);
    const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
    return { name: th.textContent, lines: tops.size };
  }));
  assert.ok(lines.length > 0);
  for (const l of lines) assert.ok(l.lines <= 2, `${l.name} is broken over ${l.lines} lines`);
  // Scrolled sideways inside its frame, the pod table keeps its name column in view.
  const held = await page.evaluate(() => {
    const th = document.querySelector('th.pod-name');
    const wrap = th.closest('.table-wrap');
    const before = th.getBoundingClientRect().left;
    wrap.scrollLeft = wrap.scrollWidth;
    return { scrolled: wrap.scrollLeft, moved: th.getBoundingClientRect().left - before };
  });
  if (held.scrolled > 0) assert.equal(Math.round(held.moved), 0, 'the first column scrolled away');
  for (const rel of [K8S, 'clusters/index.html', 'issues/index.html', TASKS]) {
    await page.goto(server.base + rel, { waitUntil: 'load' });
    const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(over <= 1, `${rel} scrolls sideways by ${over}px`);
  }
  noProblems('wide tables at 375');
});

test('375 px: the Copy button does not cover code', async () => {
  await phone();
  await page.goto(server.base + TASKS, { waitUntil: 'load' });
  const overlaps = await page.$$eval('.code-copy', (buttons) => buttons.map((b) => {
    const pre = b.parentNode.querySelector('pre');
    const [x, y] = [b.getBoundingClientRect(), pre.getBoundingClientRect()];
    return x.bottom > y.top && x.top < y.bottom && x.right > y.left && x.left < y.right;
  }));
  assert.ok(overlaps.length > 0, 'no code block on the page');
  assert.deepEqual(overlaps.filter(Boolean), []);
  noProblems('copy at 375');
});

test('the header badge says what it counts, in words', async () => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(server.base + 'index.html', { waitUntil: 'load' });
  await page.waitForSelector('.diag-badge .diag-part');
  const parts = await page.$$eval('.diag-badge .diag-part', (l) => l.map((p) => p.textContent.trim()));
  assert.ok(parts.length > 0);
  for (const p of parts) assert.match(p, /^\d+ catalog errors?$|^\d+ warnings?$|^No catalog errors$/);
  noProblems('badge');
});

test('1440 px: the portal title is shown whole', async () => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(server.base + ENTITY, { waitUntil: 'load' });
  const cut = await page.$eval('.brand-name', (el) => el.scrollWidth - el.clientWidth);
  assert.equal(cut, 0, 'the title is truncated');
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(over <= 1, `the page scrolls sideways by ${over}px`);
  noProblems('title at 1440');
});

test('owners and systems say what they are; people are shown by their display names', async () => {
  await page.goto(server.base + ENTITY, { waitUntil: 'load' });
  const meta = (await page.textContent('.entity-header')).replace(/\s+/g, ' ');
  assert.match(meta, /Owned by team \S/);
  assert.match(meta, /Part of system \S/);
  await page.goto(server.base + 'catalog/default/group/team-onboarding/index.html', { waitUntil: 'load' });
  const members = await page.$$eval('a[href*="/user/"]', (as) => as.map((a) => a.textContent.trim()));
  assert.ok(members.includes('Isabela Costa'), members.slice(0, 10).join(', '));
  assert.ok(!members.includes('isabela.costa'), 'a login is shown instead of the name');
  noProblems('names');
});

test('docs: task-list checkboxes are labelled and scrolling code is reachable by keyboard (axe)', async () => {
  await page.goto(server.base + TASKS, { waitUntil: 'load' });
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: ['label', 'scrollable-region-focusable'] });
    return { bad: r.violations.map((v) => `${v.id}: ${v.nodes.length}`), passed: r.passes.map((v) => v.id) };
  });
  assert.deepEqual(violations.bad, []);
  assert.ok(violations.passed.includes('label'), `label not checked: ${violations.passed}`);
  assert.ok(await page.$$eval('.task-list-item input', (l) => l.length) > 0);
  assert.ok(await page.$$eval('.highlight > pre[tabindex="0"]', (l) => l.length) > 0);
  noProblems('docs axe');
});

test('issues page: a long diagnostic code stays inside its column, clear of the line number', async () => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(server.base + 'issues/index.html', { waitUntil: 'load' });
  const overlaps = await page.evaluate(() => {
    const bad = [];
    for (const row of document.querySelectorAll('.diag-table tbody tr')) {
      const code = row.querySelector('.diag-code');
      const line = row.querySelector('td[data-label="Line"]');
      if (!code || !line) continue;
      const c = code.getBoundingClientRect();
      const l = line.getBoundingClientRect();
      if (c.right > l.left + 0.5) bad.push(`${code.textContent}: ${c.right} > ${l.left}`);
    }
    return { bad, rows: document.querySelectorAll('.diag-table tbody tr').length };
  });
  assert.ok(overlaps.rows > 0, 'the demo has diagnostics to show');
  assert.deepEqual(overlaps.bad, []);
  noProblems('issues page');
});
