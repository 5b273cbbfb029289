'use strict';
// The 404 page where servers really deliver it: at the missing URL, one to three folders deep
// (S3 website hosting, CloudFront error pages and `playbill serve` all do this), over http
// with and without script, and opened from disk. Its stylesheet, its scripts (theme, search
// typeahead) and its links must work wherever it is shown.

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { fileUrl, launch, watch, useSession } = require('./lib/helpers');

let server, page, problems;
const { root } = useSession({}, (s) => { ({ server, page, problems } = s); }, { notFoundPage: true });

beforeEach(() => problems.reset());

const DEPTHS = ['gone.html', 'catalog/gone/index.html', 'docs/default/gone/page.html', 'a/b/c/missing/'];

// Problems other than the ones a 404 page at a missing URL must have: the page's own 404
// status, and the copy of its loader addressed beside the page (meant for file://), which a
// server answers with this same page.
function unexpected(list, url) {
  return list.filter((p) => !p.includes(url) && !/notfound\.[0-9a-f]+\.js/.test(p)
    && !/MIME type \('text\/html'\) is not executable/.test(p));
}

// What the page looks like to a person: styled (the stylesheet's layout applies), its scripts
// ran (the theme toggle is shown), and where its links lead.
async function state(p) {
  return p.evaluate(() => ({
    styled: getComputedStyle(document.querySelector('.nf-actions')).display === 'flex',
    scripted: !document.querySelector('.theme-toggle').hidden,
    home: document.querySelector('.nf-actions a').href,
    brand: document.querySelector('a.brand').href,
    search: document.querySelector('form.hero-search').action,
  }));
}

for (const rel of DEPTHS) {
  test(`http: ${rel} shows the styled 404 page with working scripts and links`, async () => {
    const url = server.base + rel;
    const response = await page.goto(url, { waitUntil: 'load' });
    assert.equal(response.status(), 404);
    await page.waitForFunction(() => !document.querySelector('.theme-toggle').hidden);
    const s = await state(page);
    assert.deepEqual(s, {
      styled: true, scripted: true, home: server.base + 'index.html', brand: server.base + 'index.html',
      search: server.base + 'search/index.html',
    });
    // The typeahead loads the search index from the portal's root, not from the missing folder.
    await page.fill('#nf-search', 'ledger');
    await page.waitForSelector('form:has(#nf-search) .search-popup:not([hidden]) [role="option"]');
    await Promise.all([page.waitForURL(server.base + 'index.html'), page.click('.nf-actions a')]);
    // The home page asks who is signed in; let it finish, or the next test's navigation aborts
    // the request and reports it there.
    await page.waitForLoadState('networkidle');
    assert.deepEqual(unexpected(problems.take(), url), []);
  });
}

test('file://: 404.html opened from disk is styled, scripted and links home', async () => {
  await page.goto(fileUrl(root, '404.html'), { waitUntil: 'load' });
  await page.waitForFunction(() => !document.querySelector('.theme-toggle').hidden);
  const s = await state(page);
  assert.equal(s.styled, true);
  assert.equal(s.home, fileUrl(root, 'index.html'));
  await page.fill('#nf-search', 'ledger');
  await page.waitForSelector('form:has(#nf-search) .search-popup:not([hidden]) [role="option"]');
  // The root-absolute loader, meant for servers, is the one request that fails from disk.
  const left = problems.take().filter((p) => !/notfound\.[0-9a-f]+\.js/.test(p));
  assert.deepEqual(left, []);
});

let noScript;
before(async () => { noScript = await launch({ javaScriptEnabled: false }); });
after(async () => { if (noScript) await noScript.close(); });

test('without script, the 404 page three folders deep is still styled and links home', async () => {
  const url = server.base + DEPTHS[3];
  const seen = watch(noScript.page);
  await noScript.page.goto(url, { waitUntil: 'load' });
  const s = await state(noScript.page);
  assert.equal(s.styled, true);
  assert.equal(s.scripted, false);
  assert.equal(s.home, server.base + 'index.html');
  await Promise.all([noScript.page.waitForURL(server.base + 'index.html'), noScript.page.click('.nf-actions a')]);
  assert.deepEqual(unexpected(seen.take(), url), []);
});
