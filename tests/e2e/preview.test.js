'use strict';
// A pull request's docs preview (`playbill docs build DIR --preview 42 --out DIR`), served as the
// bucket holds it (under previews/<repo>/<id>/) and opened from disk: the banner on its pages,
// noindex, links that stay inside the preview, no failed request, and axe-clean (over http).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, launch, watch, fileUrl } = require('./lib/helpers');

const AXE = require.resolve('axe-core/axe.min.js');

// The preview build's output: its marker names the preview's folder, preview.json its first page.
function previewBuild() {
  const dir = process.env.PLAYBILL_PREVIEW;
  if (!dir) throw new Error('PLAYBILL_PREVIEW is not set: build a preview (playbill docs build REPO --preview 42 --out DIR) and point it there');
  const root = path.resolve(dir);
  const folder = fs.readFileSync(path.join(root, '.playbill-preview'), 'utf8').trim();
  const manifest = JSON.parse(fs.readFileSync(path.join(root, folder, 'preview.json'), 'utf8'));
  return { root, folder, manifest, entry: `${folder}/${manifest.entry}` };
}

const build = previewBuild();
let server, browser, page, problems;
before(async () => {
  server = await startServer(build.root);
  // axe is added as an inline script, which the pages' CSP refuses; this context bypasses it.
  browser = await launch({ bypassCSP: true });
  page = browser.page;
  problems = watch(page);
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

// What a reader sees of the preview on the open page.
async function seen(p) {
  return p.evaluate(() => {
    const banner = document.querySelector('.preview-banner');
    return {
      banner: banner && banner.textContent,
      bannerShown: !!banner && banner.getClientRects().length > 0
        && getComputedStyle(banner).backgroundColor !== 'rgba(0, 0, 0, 0)',
      robots: (document.querySelector('meta[name="robots"]') || {}).content,
      links: [...document.querySelectorAll('a[href], link[href], script[src], img[src], form[action]')]
        .map((e) => e.href || e.src || e.action),
    };
  });
}

async function axeViolations(p) {
  await p.addScriptTag({ path: AXE });
  const violations = await p.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
    .violations.map((v) => `[${v.impact}] ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
  return violations.filter((v) => !v.startsWith('[minor]'));
}

for (const scheme of ['http', 'file']) {
  test(`${scheme}: the preview's pages carry the banner and noindex, and links stay inside`, async () => {
    const base = scheme === 'http' ? server.base : fileUrl(build.root, '');
    const inside = scheme === 'http' ? server.base + build.folder + '/' : fileUrl(build.root, build.folder) + '/';
    const url = scheme === 'http' ? server.base + build.entry : fileUrl(build.root, build.entry);
    problems.reset();
    await page.goto(url, { waitUntil: 'load' });
    const home = await seen(page);
    assert.equal(home.banner, `Preview of pull request #${build.manifest.pull_request} of ${build.manifest.repository}: these pages are not the published docs.`);
    assert.ok(home.bannerShown, 'the banner is styled and shown');
    assert.equal(home.robots, 'noindex, nofollow');
    const own = home.links.filter((l) => l.startsWith(base));
    assert.ok(own.length > 10, `${own.length} links`);
    assert.deepEqual(own.filter((l) => !l.startsWith(inside)), [], 'every own link stays in the preview');
    // axe reads stylesheets by XHR, which file:// refuses; it runs over http.
    const axe = scheme === 'http' ? axeViolations : async () => [];
    assert.deepEqual(await axe(page), []);

    // Through the header to the entity page: still the preview, still the banner.
    const entity = page.locator('.docs-owner a').first();
    await Promise.all([page.waitForURL(`${inside}catalog/**`), entity.click()]);
    assert.match((await seen(page)).banner || '', /^Preview of pull request #/);
    assert.deepEqual(await axe(page), []);
    const p = problems.take();
    assert.deepEqual(p, [], p.join('\n'));
  });
}
