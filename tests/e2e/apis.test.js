'use strict';
// API reference pages: from an API's entity page, one click leads to its reference, whose table
// of contents jumps to an operation with its request schema expanded from `$ref`s; the AsyncAPI
// and GraphQL references of the demo show their channels, messages and types. Over http and
// from file://, with no console error.

const { test, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { fileUrl, useSession } = require('./lib/helpers');

let server, page, problems;
const session = useSession({}, (s) => { ({ server, page, problems } = s); });
const root = session.root;

const PAYMENTS = 'catalog/default/api/payments-api/index.html';
const PAYMENTS_REF = 'catalog/default/api/payments-api/api/index.html';
const LEDGER_EVENTS_REF = 'catalog/default/api/ledger-events/api/index.html';
const ONBOARDING_REF = 'catalog/default/api/onboarding-graphql/api/index.html';

beforeEach(() => problems.reset());

function noProblems(what) {
  const p = problems.take();
  assert.deepEqual(p, [], `${what}:\n${p.join('\n')}`);
}

for (const [how, url] of [['http', (rel) => server.base + rel], ['file://', (rel) => fileUrl(root, rel)]]) {
  test(`${how}: the payments API's entity page leads to its reference, operations grouped by tag`, async () => {
    await page.goto(url(PAYMENTS), { waitUntil: 'load' });
    const link = page.locator('.entity-actions').getByRole('link', { name: 'API reference' });
    await Promise.all([page.waitForURL('**/' + PAYMENTS_REF), link.click()]);
    assert.equal((await page.textContent('h1')).trim(), 'Kloudvin Payments API');
    const groups = await page.$$eval('.api-group-title', (hs) => hs.map((h) => h.firstChild.textContent.trim()));
    assert.deepEqual(groups, ['payments', 'refunds']);
    // The contents jump to createPayment, whose body schema comes from #/components/schemas.
    await Promise.all([page.waitForURL('**#op-createpayment'), page.locator('.api-toc a[href="#op-createpayment"]').click()]);
    const op = page.locator('section.api-op', { has: page.locator('#op-createpayment') });
    assert.match(await op.locator('.api-op-title').textContent(), /POST\s*\/payments/);
    const body = op.locator('.api-media').first();
    assert.match(await body.locator('.schema > .schema-line').textContent(), /CreatePayment/);
    for (const property of ['amount', 'currency', 'method', 'capture']) {
      assert.ok(await body.locator('.schema-name', { hasText: new RegExp(`^${property}$`) }).first().isVisible(), `${property} shown`);
    }
    noProblems(`${how} payments reference`);
  });

  test(`${how}: the AsyncAPI and GraphQL references show channels, messages and types`, async () => {
    await page.goto(url(LEDGER_EVENTS_REF), { waitUntil: 'load' });
    const channels = await page.$$eval('.api-group-title code', (cs) => cs.map((c) => c.textContent));
    assert.deepEqual(channels.sort(), ['ledger.balance-snapshot.v1', 'ledger.journal-entry-posted.v2']);
    const posted = page.locator('section.api-group', { hasText: 'ledger.journal-entry-posted.v2' });
    assert.match(await posted.locator('.api-message-name').first().textContent(), /JournalEntryPosted/);
    assert.ok(await posted.locator('.schema-name', { hasText: /^postings$/ }).isVisible());
    noProblems(`${how} ledger events`);

    await page.goto(url(ONBOARDING_REF), { waitUntil: 'load' });
    const headings = await page.$$eval('h2', (hs) => hs.map((h) => h.textContent));
    assert.ok(headings.some((h) => h.startsWith('Queries')), headings.join(' | '));
    assert.ok(headings.some((h) => h.startsWith('Mutations')), headings.join(' | '));
    const query = page.locator('section.api-op', { has: page.locator('h2', { hasText: 'Queries' }) });
    await Promise.all([page.waitForURL('**#type-application'), query.getByRole('link', { name: 'Application' }).first().click()]);
    assert.ok(await page.locator('#type-application').isVisible());
    noProblems(`${how} onboarding graphql`);
  });
}
