'use strict';
// "My services" on the home page: a stub of the sign-in proxy's user endpoint on the loopback
// server says who is reading; the page lists their team's services with catalog and cluster
// problems, finds a reader by proxy group alone, tells an unknown reader how to be listed, and
// shows nothing (and reports nothing) when the endpoint fails, answers HTML, or from file://.

const { test, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { USERINFO_PATH, fileUrl, launch, watch, useSession } = require('./lib/helpers');

// What the stub proxy answers next: [status, content type, body].
let answer;
function userinfo(req, res) {
  const [status, type, body] = answer;
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
}
function json(value) {
  return [200, 'application/json', JSON.stringify(value)];
}

let server, page, problems;
const session = useSession({}, (s) => { ({ server, page, problems } = s); }, { userinfo });
const HOME = 'index.html';
const INGRID = { user: 'ingrid', email: 'Ingrid.Halvorsen@kloudvin.example', groups: [], preferredUsername: 'ingrid' };

beforeEach(() => problems.reset());

function noProblems(what) {
  const p = problems.take();
  assert.deepEqual(p, [], `${what}:\n${p.join('\n')}`);
}

async function shown() {
  await page.goto(server.base + HOME, { waitUntil: 'load' });
  await page.waitForSelector('#my-services:not([hidden])');
  return page.locator('#my-services');
}

// The page has asked the endpoint and had its answer; the section stays hidden.
async function staysHidden(url) {
  const asked = url.startsWith('http') ? page.waitForResponse((r) => r.url().endsWith(USERINFO_PATH)) : null;
  await page.goto(url, { waitUntil: 'load' });
  if (asked) await asked;
  // Whatever the script does with the answer happens within a few tasks of it.
  await page.waitForTimeout(300);
  assert.equal(await page.locator('#my-services').isHidden(), true, 'the section is shown');
  assert.equal(await page.locator('#my-services .my-services-body').innerHTML(), '');
}

test('a signed-in demo user sees their team, its services and their problems', async () => {
  answer = json(INGRID);
  const section = await shown();
  assert.equal(await section.getAttribute('aria-labelledby'), 'my-services-title');
  assert.match(await section.locator('.my-services-who').textContent(),
    /^Signed in as Ingrid Halvorsen, member of Ledger\.$/);
  const heads = await section.locator('h3').allTextContents();
  assert.deepEqual(heads.map((h) => h.replace(/\s*\d+$/, '')), ['Ledger']);
  const rows = section.locator('table.my-services-table tbody tr');
  const names = await rows.locator('th a').allTextContents();
  assert.ok(names.includes('Payments Ledger'), names.join(' | '));
  // Failing or degraded services come first, and say where.
  const first = rows.first();
  assert.match(await first.locator('.k8s-badge').textContent(), /^(failing|degraded) in /);
  const ledger = rows.filter({ hasText: 'Payments Ledger' });
  const badge = ledger.locator('a.k8s-badge');
  assert.match(await badge.textContent(), /prod-us/);
  assert.match(await page.locator('.my-services-summary').textContent(), /^\d+ entities · /);
  // The badge leads to the service's Kubernetes page; its name to the entity page.
  assert.equal(await ledger.locator('th a').getAttribute('href'), 'catalog/default/component/payments-ledger/index.html');
  await Promise.all([page.waitForURL('**/catalog/default/component/payments-ledger/kubernetes/index.html'), badge.click()]);
  noProblems('my services → kubernetes');
});

test('catalog problems of a team\'s entities are counted and link to the entity', async () => {
  // Settlement's docs hold a redacted secret: an error on that entity.
  answer = json({ email: 'lucas.moreau@kloudvin.example' });
  const section = await shown();
  const settlement = section.locator('tbody tr', { hasText: 'Settlement' });
  const badge = settlement.locator('a.badge.sev-error');
  assert.match(await badge.textContent(), /^\d+ errors?$/);
  assert.equal(await badge.getAttribute('href'), 'catalog/default/component/settlement/index.html');
  noProblems('catalog problems');
});

test('a reader the proxy only knows by group sees that group\'s services', async () => {
  answer = json({ user: 'c123', email: 'contractor@agency.example', groups: ['kloudvin:team-payments', 'unrelated'] });
  const section = await shown();
  assert.match(await section.locator('.my-services-who').textContent(),
    /^Signed in as c123, in Payments\.$/);
  assert.deepEqual((await section.locator('h3 a').allTextContents()), ['Payments']);
  assert.ok(await section.locator('tbody tr').count() > 0);
  noProblems('by group');
});

test('an unknown reader is told how to be listed', async () => {
  answer = json({ email: 'nobody@elsewhere.example', groups: ['no-such-team'] });
  const section = await shown();
  assert.match(await section.textContent(), /No services found for you/);
  assert.equal(await section.locator('table').count(), 0);
  noProblems('unknown user');
});

test('markup in what the proxy says stays text', async () => {
  answer = json({ user: '<img src=x onerror=alert(1)>', groups: ['<b>team-fx</b>', 'team-fx'] });
  const section = await shown();
  assert.equal(await section.locator('img, b').count(), 0);
  assert.match(await section.locator('.my-services-who').textContent(), /<img src=x onerror=alert\(1\)>/);
  noProblems('markup');
});

test('an HTML sign-in page, an empty object or odd JSON leave the section hidden, silently', async () => {
  for (const a of [[200, 'text/html; charset=utf-8', '<!doctype html><title>Sign in</title><p>Sign in'],
    json({}), json([1, 2]), json('alice@example.com'), json({ email: 42, groups: 'team-fx' })]) {
    answer = a;
    await staysHidden(server.base + HOME);
    noProblems(`answer ${a[2]}`);
  }
});

test('a 401 or 404 from the endpoint hides the section; only the browser logs the request', async () => {
  for (const status of [401, 404]) {
    answer = [status, 'text/plain', 'no'];
    await staysHidden(server.base + HOME);
    // Chromium reports any request answered >= 400 itself; the page adds nothing to it.
    const own = problems.take().filter((p) => !(p.includes(USERINFO_PATH) &&
      (p.startsWith(`HTTP ${status}`) || p.includes(`status of ${status}`))));
    assert.deepEqual(own, [], `${status}:\n${own.join('\n')}`);
  }
});

test('from file:// the endpoint is never asked and the section stays hidden', async () => {
  answer = json(INGRID);
  await staysHidden(fileUrl(session.root, HOME));
  noProblems('file://');
});

test('axe: the home page with "My services" shown has no serious or critical violations', async () => {
  answer = json(INGRID);
  const AXE = require.resolve('axe-core/axe.min.js');
  // axe is injected inline, which only a context that bypasses the CSP allows.
  const browser = await launch({ bypassCSP: true });
  try {
    for (const scheme of ['light', 'dark']) {
      const p = browser.page;
      const seen = watch(p);
      await p.emulateMedia({ colorScheme: scheme });
      await p.goto(server.base + HOME, { waitUntil: 'load' });
      await p.waitForSelector('#my-services table');
      await p.addScriptTag({ path: AXE });
      const bad = await p.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.help} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      assert.deepEqual(bad, [], `${scheme}:\n${bad.join('\n')}`);
      assert.deepEqual(seen.take(), []);
    }
  } finally {
    await browser.close();
  }
});
