'use strict';
// Cluster status: the on-call question "which clusters does payments-ledger run in?" answered
// from its entity page in one click, the Kubernetes and clusters pages filled from their status
// files, over http and from file://, with no console error.

const { test, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { ENTITY, fileUrl, useSession } = require('./lib/helpers');

let server, page, problems;
const session = useSession({}, (s) => { ({ server, page, problems } = s); });
const root = session.root;

const K8S = 'catalog/default/component/payments-ledger/kubernetes/index.html';
const CLUSTERS = 'clusters/index.html';

beforeEach(() => problems.reset());

function noProblems(what) {
  const p = problems.take();
  assert.deepEqual(p, [], `${what}:\n${p.join('\n')}`);
}

async function runningClusters() {
  await page.waitForSelector('.k8s-card', { state: 'attached' });
  return page.$$eval('.k8s-card.k8s-running h2', (hs) => hs.map((h) => h.firstChild.textContent.trim()));
}

for (const [how, url] of [['http', (rel) => server.base + rel], ['file://', (rel) => fileUrl(root, rel)]]) {
  test(`${how}: the entity page says where payments-ledger runs, and one click shows each cluster`, async () => {
    await page.goto(url(ENTITY), { waitUntil: 'load' });
    const where = page.locator('.k8s-overview .k8s-where li');
    await where.first().waitFor({ state: 'visible' });
    const chips = await where.allTextContents();
    for (const c of ['prod-eu', 'prod-us', 'staging', 'dev']) {
      assert.ok(chips.some((t) => t.includes(c)), `overview does not name ${c}: ${chips.join(' | ')}`);
    }
    const link = page.getByRole('link', { name: /^Kubernetes/ });
    await Promise.all([page.waitForURL('**/' + K8S), link.click()]);
    const running = await runningClusters();
    assert.deepEqual(running, ['prod-eu', 'prod-us', 'staging', 'dev']);
    assert.match(await page.textContent('.k8s-answer'), /Runs in prod-eu, prod-us, staging, dev/);
    // Problems come first in a card; the OOMKilled pod in prod-us is flagged.
    const prodUs = page.locator('#cluster-prod-us');
    assert.match(await prodUs.locator('.k8s-problems li').first().textContent(), /oom-killed/);
    // The dev cluster's data is stale and says how old it is, against the reader's clock.
    assert.equal(await page.locator('#cluster-dev .badge-stale').textContent(), 'stale');
    assert.match(await page.locator('#cluster-dev .k8s-meta time[data-age]').textContent(), / ago$/);
    noProblems(`${how} entity → kubernetes`);
  });
}

test('a cluster chip on the overview leads to that cluster card', async () => {
  await page.goto(server.base + ENTITY, { waitUntil: 'load' });
  const chip = page.locator('.k8s-where a', { hasText: 'staging' });
  await Promise.all([page.waitForURL('**/' + K8S + '#cluster-staging'), chip.click()]);
  await page.waitForSelector('#cluster-staging');
  assert.match(await page.textContent('#cluster-staging'), /rollout-stuck/);
  noProblems('chip → card');
});

for (const [how, url] of [['http', (rel) => server.base + rel], ['file://', (rel) => fileUrl(root, rel)]]) {
  test(`${how}: the clusters page shows every service × cluster with drift and unowned workloads`, async () => {
    await page.goto(url(CLUSTERS), { waitUntil: 'load' });
    await page.waitForSelector('.k8s-matrix', { state: 'attached' });
    const heads = await page.$$eval('.k8s-matrix thead th', (ths) => ths.map((t) => t.textContent.trim()));
    assert.deepEqual(heads, ['Service', 'prod-eu', 'prod-us', 'staging', 'dev']);
    const ledger = page.locator('.k8s-matrix tbody tr', { hasText: 'Payments Ledger' });
    assert.equal(await ledger.count(), 1);
    assert.match(await ledger.textContent(), /version drift/);
    assert.ok(await page.locator('.k8s-matrix .health-failing').count() > 0, 'no failing service shown');
    assert.match(await page.textContent('#unowned-title'), /Unowned workloads/);
    // A row leads to that service's Kubernetes page.
    await Promise.all([page.waitForURL('**/' + K8S), ledger.locator('a').first().click()]);
    await runningClusters();
    noProblems(`${how} clusters page`);
  });
}

test('the home page counts failing services and links to the clusters page', async () => {
  await page.goto(server.base + 'index.html', { waitUntil: 'load' });
  const line = page.locator('.home-clusters');
  await line.locator('a').first().waitFor({ state: 'visible' });
  assert.match(await line.textContent(), /\d+ failing/);
  noProblems('home clusters line');
});
