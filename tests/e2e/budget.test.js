'use strict';
// The pages a large organisation bounds to keep within the page budget, in the portal built
// from the synthetic organisation (PLAYBILL_LARGE_SITE; run.sh builds one with
// benches/synth_org.py): the scorecards ranking's second page, a team's full list of what it
// owns, an API entity page that links its long definition, an API reference whose schemas are
// expanded once. Over http and from file://, each "+N more" link leads to the rest with no
// failed request or script error, and axe finds nothing of moderate impact or worse. Without
// PLAYBILL_LARGE_SITE the tests are skipped, unless PLAYBILL_REQUIRE_SERVERS=1, where they fail.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { useSessionAt, fileUrl, assertNoProblems } = require('./lib/helpers');

const ROOT = process.env.PLAYBILL_LARGE_SITE ? path.resolve(process.env.PLAYBILL_LARGE_SITE) : '';
const missing = !ROOT || !fs.existsSync(path.join(ROOT, 'scorecards', '2', 'index.html'));
if (missing && process.env.PLAYBILL_REQUIRE_SERVERS === '1') {
  throw new Error(`PLAYBILL_LARGE_SITE=${ROOT || '(unset)'} is not a large portal with a second scorecards page`);
}
const skip = missing ? 'PLAYBILL_LARGE_SITE is not set to a large built portal' : false;
const AXE = require.resolve('axe-core/axe.min.js');

// The first directory under `dir` (sorted) whose `file` exists and holds `text`, site-relative.
function firstWith(dir, file, text = '') {
  for (const name of fs.readdirSync(path.join(ROOT, dir)).sort()) {
    const rel = `${dir}/${name}`;
    const full = path.join(ROOT, rel, file);
    if (fs.existsSync(full) && fs.readFileSync(full, 'utf8').includes(text)) return rel;
  }
  throw new Error(`no ${dir}/*/${file} with "${text}" in ${ROOT}`);
}

let server, page, problems, team, api;
if (!skip) {
  // axe is added as an inline script, which the pages' CSP refuses; this context bypasses it.
  useSessionAt(ROOT, { bypassCSP: true }, async (session) => {
    ({ server, page, problems } = session);
    team = firstWith('catalog/default/group', 'owned/index.html');
    api = firstWith('catalog/default/api', 'api/index.html', 'expanded at its first use');
  });
}

// axe reads the style sheets, which a file:// page may not: it runs over http only.
async function axeClean(what) {
  if (page.url().startsWith('file:')) return;
  await page.addScriptTag({ path: AXE });
  const bad = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact !== 'minor').map((v) => `${v.id}: ${v.help}`);
  });
  assert.deepEqual(bad, [], `${what}: ${bad.join('; ')}`);
}

for (const scheme of ['http', 'file']) {
  const url = (rel) => (scheme === 'http' ? server.base + rel : fileUrl(ROOT, rel));

  test(`${scheme}: the scorecards ranking continues on its second page`, { skip }, async () => {
    problems.reset();
    await page.goto(url('scorecards/index.html'));
    await page.click('nav.ranking-pages a:text-is("2")');
    await page.waitForURL(/scorecards\/2\/index\.html$/);
    assert.equal(await page.textContent('.score-table tbody tr:first-child td[data-label="Rank"]'), '21');
    await axeClean('scorecards page 2');
    assertNoProblems(problems, 'scorecards page 2');
  });

  test(`${scheme}: "+N more" on a team page leads to every entity it owns`, { skip }, async () => {
    problems.reset();
    await page.goto(url(`${team}/index.html`));
    const total = Number(await page.textContent('#owned-title .count'));
    await page.click('a[href="owned/index.html"]');
    await page.waitForURL(/\/owned\/index\.html$/);
    let rows = await page.locator('.entity-table tbody tr').count();
    const next = page.locator('nav a:text-is("2")');
    if (await next.count()) {
      await next.click();
      await page.waitForURL(/\/owned\/2\/index\.html$/);
      rows += await page.locator('.entity-table tbody tr').count();
    }
    assert.equal(rows, total);
    await axeClean('owned entities');
    assertNoProblems(problems, 'owned entities');
  });

  test(`${scheme}: a long definition is a link away, and reused schemas link to their first use`, { skip }, async () => {
    problems.reset();
    await page.goto(url(`${api}/index.html`));
    assert.ok(fs.existsSync(path.join(ROOT, api, 'definition.txt')));
    await axeClean('API entity page');
    const text = await page.getAttribute('#definition-title ~ p a[href="definition.txt"]', 'href');
    assert.equal(text, 'definition.txt');
    await page.goto(url(`${api}/api/index.html`));
    const link = page.locator('a.schema-stop').first();
    const target = (await link.getAttribute('href')).slice(1);
    await link.click();
    assert.ok(await page.locator(`[id="${target}"]`).isVisible(), `#${target} is shown`);
    await axeClean('API reference');
    assertNoProblems(problems, 'API pages');
  });
}
