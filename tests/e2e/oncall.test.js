'use strict';
// What an on-call engineer meets first: ages against the reader's (faked) clock with amber, red
// and the site-wide banner; the incident card at the top of a service's page; search that
// forgives a typo or joined words and opens an exact entity on Enter.

const { test, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ENTITY, fileUrl, useSession } = require('./lib/helpers');

let server, page, problems;
const { root } = useSession({}, (s) => { ({ server, page, problems } = s); });

beforeEach(() => problems.reset());

const site = (rel) => server.base + rel;

function noProblems(what) {
  const p = problems.take();
  assert.deepEqual(p, [], `${what}:\n${p.join('\n')}`);
}

// The times the portal's data scripts carry (status/*.js), in Unix seconds.
function freshness() {
  const read = (f) => fs.readFileSync(path.join(root, 'status', f), 'utf8');
  return {
    snapshot: Number(/"taken_at":(\d+)/.exec(read('snapshot.js'))[1]),
    built: Number(/"built":(\d+)/.exec(read('build.js'))[1]),
    amber: Number(/"amber":(\d+)/.exec(read('build.js'))[1]),
    red: Number(/"red":(\d+)/.exec(read('build.js'))[1]),
  };
}

// Opens the service page with the browser's clock at `at` (Unix seconds) and waits for the
// cluster status to be filled in.
async function openAt(at, rel = ENTITY) {
  await page.clock.setFixedTime(new Date(at * 1000));
  await page.goto(site(rel), { waitUntil: 'load' });
  await page.waitForSelector('.incident-live[data-status-loaded]');
}

async function snapshotAges() {
  return page.$$eval('.k8s-overview .k8s-meta time[data-age]', (ts) => ts.map((t) => ({
    text: t.textContent, level: t.getAttribute('data-age-level'), title: t.title,
  })));
}

test('the snapshot reads "7 min ago" against the reader\'s clock, the date kept in its title', async () => {
  const f = freshness();
  await openAt(f.snapshot + 7 * 60);
  const [age] = await snapshotAges();
  assert.equal(age.text, '7 min ago');
  assert.equal(age.level, 'fresh');
  assert.match(age.title, /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  assert.equal(await page.isHidden('.stale-banner'), true, 'no banner while fresh');
  noProblems('fresh');
});

test('past the amber threshold the age turns amber, past the red one red with a banner', async () => {
  const f = freshness();
  await openAt(f.snapshot + f.amber + 60);
  let [age] = await snapshotAges();
  assert.equal(age.level, 'amber');
  assert.equal(await page.isHidden('.stale-banner'), true);
  await openAt(f.snapshot + f.red + 3600);
  [age] = await snapshotAges();
  assert.equal(age.level, 'red');
  assert.equal(age.text, '25 h ago');
  const banner = await page.textContent('.stale-banner');
  assert.match(banner, /Cluster status is out of date: the last snapshot was taken 25 h ago/);
  // The same banner on a page with no cluster status of its own.
  await page.goto(site('teams/index.html'), { waitUntil: 'load' });
  assert.match(await page.textContent('.stale-banner'), /last snapshot was taken 25 h ago/);
  noProblems('amber and red');
});

test('the footer says how long ago the portal was built; an old build gets the banner too', async () => {
  const f = freshness();
  await openAt(f.built + 3 * 86400);
  assert.equal(await page.isVisible('.footer-built'), true);
  assert.equal(await page.textContent('.footer-built time'), '3 days ago');
  assert.match(await page.textContent('.stale-banner'), /This portal was built 3 days ago/);
  noProblems('build age');
});

test('without script the page shows plain dates and no banner', async () => {
  const { launch } = require('./lib/helpers');
  const b = await launch({ javaScriptEnabled: false });
  try {
    await b.page.goto(fileUrl(root, 'clusters/index.html'), { waitUntil: 'load' });
    assert.equal(await b.page.isHidden('.stale-banner'), true);
    assert.equal(await b.page.isHidden('.footer-built'), true);
    await b.page.goto(fileUrl(root, ENTITY), { waitUntil: 'load' });
    const whens = await b.page.$$eval('.run-list time[data-age]', (ts) => ts.map((t) => t.textContent));
    assert.ok(whens.length > 0 && whens.every((w) => /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/.test(w)), whens.join(', '));
  } finally {
    await b.close();
  }
});

test('the incident card: team, chat, e-mail, on-call, the one runbook and where it runs', async () => {
  const f = freshness();
  await openAt(f.snapshot + 120);
  const card = page.locator('section.incident');
  assert.equal(await card.count(), 1);
  // It comes first, before the definition's issues and the other cards.
  const firstSection = await page.$eval('article.entity > section', (s) => s.className);
  assert.match(firstSection, /incident/);
  const text = await card.textContent();
  assert.match(text, /Ledger/);
  const hrefs = await card.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(hrefs.includes('https://chat.kloudvin.example/channels/team-ledger'), hrefs.join('\n'));
  assert.ok(hrefs.includes('mailto:team-ledger@kloudvin.example'), hrefs.join('\n'));
  assert.ok(hrefs.includes('https://oncall.kloudvin.example/services/payments-ledger'), hrefs.join('\n'));
  assert.equal(await card.locator('a.incident-runbook').getAttribute('href'), 'https://runbooks.kloudvin.example/payments-ledger');
  const others = await card.locator('.incident-more-runbooks a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(others.some((h) => h.endsWith('docs/default/component/payments-ledger/runbook/index.html')), others.join('\n'));
  // Where it runs, from kubernetes/status.js: one line per cluster it runs in, with its age.
  const where = await card.locator('.incident-where li').evaluateAll((ls) => ls.map((l) => l.textContent));
  assert.ok(where.length >= 3, where.join('\n'));
  assert.ok(where.some((l) => /^Production EU|prod-eu/i.test(l) && /ledger/.test(l)), where.join('\n'));
  assert.ok(where.every((l) => /(min|h|days) ago|just now/.test(l)), where.join('\n'));
  noProblems('incident card');
});

test('the incident card lists the last deploys and new problems from the change history', async () => {
  // The expected lines come from the change feed's data (changes/changes.json), newest first.
  const feed = JSON.parse(fs.readFileSync(path.join(root, 'changes', 'changes.json'), 'utf8'));
  const ref = 'component:default/payments-ledger';
  const mine = feed.change_sets.flatMap((s) => s.changes.filter((c) => c.entity === ref
    && (c.change === 'version' || c.change === 'problem')).map((c) => ({ ...c, at: s.at })));
  mine.sort((a, b) => b.at.localeCompare(a.at));
  assert.ok(mine.some((c) => c.change === 'version') && mine.some((c) => c.change === 'problem'),
    'the demo history has a deploy and a new problem of payments-ledger');
  await openAt(freshness().snapshot + 60);
  const lines = await page.locator('section.incident .incident-recent li')
    .evaluateAll((ls) => ls.map((l) => l.textContent.replace(/\s+/g, ' ').trim()));
  const expected = mine.slice(0, lines.length);
  assert.ok(lines.length >= 2 && lines.length === Math.min(mine.length, 5), lines.join('\n'));
  lines.forEach((line, i) => {
    const c = expected[i];
    const what = c.change === 'version' ? `${c.old} → ${c.new}` : c.new;
    assert.ok(line.includes(what) && line.includes(c.cluster), `line ${i + 1} "${line}" should say "${what}" in ${c.cluster}`);
    assert.match(line, c.change === 'version' ? /^Version changed/ : /^New problem/);
    assert.match(line, /on \d+ (min|h|days) ago$|on just now$|on \d{4}-\d\d-\d\d$/);
  });
  noProblems('recent changes');
});

test('the incident card names the dependencies in trouble and where', async () => {
  // fx-hedging depends on fx-quotes; the demo snapshot has services failing or degraded.
  const status = fs.readFileSync(path.join(root, 'clusters', 'status.js'), 'utf8');
  const services = JSON.parse(/"services":(\{.*\})\};\s*$/s.exec(status)[1]);
  const troubled = Object.keys(services).filter((k) => services[k][0] !== 'healthy');
  assert.ok(troubled.length > 0, 'the demo has a service in trouble');
  // Find a component page whose card lists one of them.
  const catalog = path.join(root, 'catalog', 'default', 'component');
  let found = null;
  for (const name of fs.readdirSync(catalog)) {
    const js = path.join(catalog, name, 'kubernetes', 'status.js');
    if (fs.existsSync(js) && fs.readFileSync(js, 'utf8').includes('incident-deps')) { found = name; break; }
  }
  assert.ok(found, 'some service depends on one in trouble');
  await openAt(freshness().snapshot + 60, `catalog/default/component/${found}/index.html`);
  const deps = await page.locator('.incident-deps li').evaluateAll((ls) => ls.map((l) => l.textContent));
  assert.ok(deps.length > 0 && deps.every((d) => /^Depends on .+, (failing|degraded) in /.test(d)), deps.join('\n'));
  const links = await page.locator('.incident-deps a').evaluateAll((as) => as.map((a) => a.href));
  for (const l of links) assert.ok(troubled.some((t) => l.includes(t.split('/')[1] + '/index.html')), l);
  noProblems('dependencies');
});

async function typeIn(selector, q) {
  await page.fill(selector, q);
  const form = selector === '#site-search' ? '.site-search' : `form:has(${selector})`;
  // Shown, and for this query: the popup names it (results "for “q”", or "No results for “q”").
  await page.waitForFunction(([f, q]) => {
    const popup = document.querySelector(f + ' .search-popup');
    return popup && !popup.hidden && popup.textContent.includes('“' + q + '”');
  }, [form, q]);
  return form;
}

test('one typo in a long word, and joined words, still find it, with "did you mean"', async () => {
  await page.goto(site('teams/index.html'), { waitUntil: 'load' });
  for (const [typo, fixed, expect] of [
    ['legder', 'ledger', 'payments-ledger'],
    ['setlement', 'settlement', 'settlement'],
    ['paymentsledger', 'payments ledger', 'payments-ledger'],
  ]) {
    await typeIn('#site-search', typo);
    const note = await page.textContent('.site-search .sr-didyoumean');
    assert.equal(note, `No results for “${typo}”. Did you mean ${fixed}? Showing its results.`);
    const hrefs = await page.locator('.site-search [role="option"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.some((h) => h.includes(`/component/${expect}/`)), `${typo}: ${hrefs.join('\n')}`);
  }
  // Short words are not guessed at: nothing found, nothing claimed.
  await typeIn('#site-search', 'zqxw').catch(() => {});
  assert.equal(await page.locator('.site-search .sr-didyoumean').count(), 0);
  noProblems('typos');
});

test('the typo index loads only when a query finds nothing', async () => {
  await page.goto(site('teams/index.html'), { waitUntil: 'load' });
  const loaded = [];
  const onRequest = (r) => { if (r.url().includes('/search/typo')) loaded.push(r.url()); };
  page.on('request', onRequest);
  await typeIn('#site-search', 'ledger');
  assert.deepEqual(loaded, []);
  await typeIn('#site-search', 'legder');
  page.off('request', onRequest);
  assert.ok(loaded.some((u) => u.endsWith('/search/typo.js')), loaded.join('\n'));
  noProblems('typo index on demand');
});

test('the results page says "did you mean" too, also from file://', async () => {
  await page.goto(fileUrl(root, 'search/index.html') + '?q=setlement', { waitUntil: 'load' });
  await page.waitForSelector('#search-results li');
  assert.match(await page.textContent('#search-status'), /Did you mean settlement\?/);
  noProblems('results page typo');
});

test('Enter on an exact entity name opens the entity, from the header and the home page', async () => {
  await page.goto(site('teams/index.html'), { waitUntil: 'load' });
  await typeIn('#site-search', 'payments-ledger');
  await Promise.all([page.waitForURL('**/catalog/default/component/payments-ledger/index.html'), page.press('#site-search', 'Enter')]);
  // The home page's big box has the same typeahead, and Enter at once still works.
  await page.goto(site('index.html'), { waitUntil: 'load' });
  await typeIn('#home-search', 'ledger');
  assert.equal(await page.getAttribute('#home-search', 'aria-expanded'), 'true');
  await page.fill('#home-search', 'settlement');
  await Promise.all([page.waitForURL('**/catalog/default/component/settlement/index.html'), page.press('#home-search', 'Enter')]);
  noProblems('exact Enter');
});

test('the 404 page\'s big box has the typeahead too', async () => {
  await page.goto(site('404.html'), { waitUntil: 'load' });
  await typeIn('#nf-search', 'legder');
  assert.match(await page.textContent('form:has(#nf-search) .sr-didyoumean'), /Did you mean ledger/);
  noProblems('404 typeahead');
});
