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

// The ranking as shown: team name, size and average (null for "—").
async function ranking() {
  return page.$$eval('.score-table tbody tr', (trs) => trs.map((tr) => {
    const avg = tr.querySelector('td[data-label="Average"]').textContent.trim();
    const members = tr.querySelector('td[data-label="Members"]').textContent.trim();
    return {
      team: tr.querySelector('th').textContent.trim(),
      ref: tr.getAttribute('data-team'),
      entities: Number(tr.querySelector('td[data-label="Entities"]').textContent.trim()),
      members: /^\d+$/.test(members) ? Number(members) : null,
      average: /^\d+%$/.test(avg) ? Number(avg.replace('%', '')) : null,
    };
  }));
}

// The documented, size-aware order (docs/scorecards.md): a team's average blended with five
// entities at the organisation's average. Averages are shown rounded, so allow a point.
function rankedBySize(rows, organisation) {
  const rank = (r) => (r.average * r.entities + 5 * organisation) / (r.entities + 5);
  const scored = rows.filter((r) => r.average !== null);
  return scored.every((r, i) => i === 0 || rank(scored[i - 1]) >= rank(r) - 0.5);
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
    const organisation = Number(/(\d+)% on average/.exec(await page.textContent('.lead'))[1]);
    assert.ok(rankedBySize(rows, organisation), `not in the size-aware order: ${JSON.stringify(rows)}`);
    assert.ok(rows.some((r) => r.members > 0), 'no team size shown');
    assert.match(await page.textContent('.rank-rule'), /5 entities at the organisation's average/);
    assert.ok(scores[0] - Math.min(...scores) >= 25, `scores barely differ: ${scores.join(', ')}`);
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

test('checks that do not apply fold away; a service in cluster trouble loses points', async () => {
  // A database: most checks are for services, so most do not apply to it.
  await page.goto(server.base + 'catalog/default/resource/ledger-db/index.html', { waitUntil: 'load' });
  const shown = await page.$$eval('.scorecard > .check-list > li', (lis) => lis.map((li) => li.className));
  assert.ok(shown.length > 0 && shown.every((c) => !c.includes('not-applicable')), shown.join(', '));
  const folded = page.locator('.scorecard details.check-na');
  assert.equal(await folded.evaluate((d) => d.open), false);
  assert.match(await folded.locator('summary').textContent(), /^\d+ checks not applicable$/);
  assert.equal(await folded.locator('li.check-not-applicable').first().isVisible(), false);
  await folded.locator('summary').click();
  assert.ok(await folded.locator('li.check-not-applicable').first().isVisible());
  await page.goto(server.base + 'catalog/default/component/payments-ledger/index.html', { waitUntil: 'load' });
  // payments-ledger is failing in prod-us and staging in the demo snapshot (its Kubernetes tab).
  const health = page.locator('.scorecard li[data-check="healthy-in-clusters"]');
  assert.match(await health.locator('.check-badge').textContent(), /fail/);
  assert.match(await health.locator('.check-reason').textContent(), /failing in prod-us/);
  const score = Number((await page.locator('#scorecard-title .score').textContent()).replace('%', ''));
  assert.ok(score < 80, `a service failing in two clusters scores ${score}%`);
  noProblems('payments-ledger scorecard');
});
