'use strict';
// Every docs page of the demo and of the manual passes axe's `label` (task-list checkboxes and
// other controls are labelled) and `scrollable-region-focusable` (code and tables that scroll
// can be reached by keyboard), at phone width, where most of them scroll. The print views hold
// the same pages again; docs-tools.test.js checks them.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { listPages, launch, siteDir, startServer } = require('./lib/helpers');

const AXE = require.resolve('axe-core/axe.min.js');
const RULES = ['label', 'scrollable-region-focusable'];

function manualDir() {
  const dir = process.env.PLAYBILL_MANUAL;
  if (!dir || !fs.existsSync(path.join(dir, 'index.html'))) {
    throw new Error(`PLAYBILL_MANUAL=${dir || '(unset)'} is not a built manual (playbill docs build . --out DIR)`);
  }
  return path.resolve(dir);
}

const SITES = { demo: siteDir(), manual: manualDir() };
const servers = {};
let browser;

before(async () => {
  for (const [name, root] of Object.entries(SITES)) servers[name] = await startServer(root);
  // axe is added as an inline script, which the pages' CSP refuses; this context bypasses it.
  browser = await launch({ bypassCSP: true });
});

after(async () => {
  if (browser) await browser.close();
  for (const s of Object.values(servers)) await s.close();
});

// The rules' violations on one page, and which of them had something to check.
async function check(url) {
  const page = browser.page;
  await page.goto(url, { waitUntil: 'load' });
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async (rules) => {
    const r = await window.axe.run(document, { runOnly: rules });
    return {
      bad: r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      checked: r.passes.map((v) => v.id),
    };
  }, RULES);
}

for (const name of Object.keys(SITES)) {
  test(`axe ${RULES.join(', ')}: every docs page of the ${name} at 375 px`, async () => {
    await browser.page.setViewportSize({ width: 375, height: 812 });
    const pages = listPages(SITES[name]).filter((p) => p.startsWith('docs/') && !p.endsWith('/print/index.html'));
    assert.ok(pages.length > 5, `${name} has only ${pages.length} docs pages`);
    const bad = [];
    const checked = new Set();
    for (const rel of pages) {
      const r = await check(servers[name].base + rel);
      r.bad.forEach((v) => bad.push(`${rel}: ${v}`));
      r.checked.forEach((id) => checked.add(id));
    }
    assert.deepEqual(bad, []);
    // Each rule found something to check somewhere, so a pass means something.
    assert.deepEqual([...checked].filter((id) => RULES.includes(id)).sort(), [...RULES].sort());
  });
}
