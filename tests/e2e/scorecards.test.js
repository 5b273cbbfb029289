'use strict';
// Scorecards: the page a platform lead opens to see which team to help first — teams ranked by
// average score, the entities failing each check one click away, and each entity's card saying
// why a check failed and how to fix it. Over http and from file://, with no console error.

const { test, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { fileUrl, useSession } = require('./lib/helpers');

let server, page, problems;
const session = useSession({}, (s) => { ({ server, page, problems } = s); });
const root = session.root;

const PAGE = 'scorecards/index.html';
const SETTLEMENT = 'catalog/default/component/settlement/index.html';

beforeEach(() => problems.reset());

function noProblems(what) {
  const p = problems.take();
  assert.deepEqual(p, [], `${what}:\n${p.join('\n')}`);
}

// The ranking as shown: team name and average (null for "—").
async function ranking() {
  return page.$$eval('.score-table tbody tr', (trs) => trs.map((tr) => {
    const avg = tr.querySelector('td[data-label="Average"]').textContent.trim();
    return {
      team: tr.querySelector('th').textContent.trim(),
      ref: tr.getAttribute('data-team'),
      average: /^\d+%$/.test(avg) ? Number(avg.replace('%', '')) : null,
    };
  }));
}

for (const [how, url] of [['http', (rel) => server.base + rel], ['file://', (rel) => fileUrl(root, rel)]]) {
  test(`${how}: the navigation leads to teams ranked best first, with real spread`, async () => {
    await page.goto(url('index.html'), { waitUntil: 'load' });
    const nav = page.locator('.site-nav').getByRole('link', { name: 'Scorecards' });
    await Promise.all([page.waitForURL('**/' + PAGE), nav.click()]);
    assert.equal(await page.textContent('h1'), 'Scorecards');
    const rows = await ranking();
    assert.ok(rows.length >= 5, `only ${rows.length} teams ranked`);
    const scores = rows.map((r) => r.average).filter((a) => a !== null);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'teams are not ranked by average');
    assert.ok(scores[0] - scores[scores.length - 1] >= 30, `scores barely differ: ${scores.join(', ')}`);
    const checks = await page.$$eval('.rate-table tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-check')));
    assert.ok(checks.includes('no-secrets') && checks.includes('has-runbook'), checks.join(', '));
    noProblems(`${how} scorecards page`);
  });

  test(`${how}: a failing check opens to its entities, and the entity card says how to fix it`, async () => {
    await page.goto(url(PAGE), { waitUntil: 'load' });
    const payments = page.locator('.score-table tbody tr[data-team="group:default/team-payments"]');
    const secrets = payments.locator('details[data-check="no-secrets"]');
    await secrets.locator('summary').click();
    const link = secrets.getByRole('link', { name: 'Settlement' });
    await link.waitFor({ state: 'visible' });
    await Promise.all([page.waitForURL('**/' + SETTLEMENT), link.click()]);
    const check = page.locator('.scorecard li[data-check="no-secrets"]');
    assert.match(await check.locator('.check-badge').textContent(), /fail/);
    assert.match(await check.locator('.check-reason').textContent(), /runbook\.md/);
    assert.match(await check.locator('.check-fix').textContent(), /rotate/);
    assert.match(await page.locator('#scorecard-title .score').textContent(), /^\d+%$/);
    noProblems(`${how} scorecards → settlement`);
  });
}

test('the home page links to the scorecards', async () => {
  await page.goto(server.base + 'index.html', { waitUntil: 'load' });
  const card = page.locator('.link-card', { hasText: 'Scorecards' });
  await Promise.all([page.waitForURL('**/' + PAGE), card.click()]);
  noProblems('home → scorecards');
});
