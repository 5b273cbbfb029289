'use strict';
// axe-core finds no accessibility violations of moderate impact or worse on the main page types,
// in the light and the dark theme; minor ones are listed.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { ENTITY, DOCS_HOME, useSession } = require('./lib/helpers');

const AXE = require.resolve('axe-core/axe.min.js');
const PAGES = ['index.html', 'catalog/index.html', ENTITY, 'teams/index.html', 'issues/index.html', DOCS_HOME,
  'catalog/default/component/payments-ledger/kubernetes/index.html', 'clusters/index.html', 'search/index.html',
  'scorecards/index.html', 'changes/index.html', 'catalog/default/component/settlement/index.html',
  'catalog/default/api/payments-api/api/index.html', 'catalog/default/api/ledger-events/api/index.html',
  'catalog/default/api/onboarding-graphql/api/index.html',
  'catalog/default/system/payments/index.html', 'catalog/default/domain/money-movement/index.html',
  'catalog/default/group/team-ledger/index.html'];

// addScriptTag inserts axe as an inline script, which the pages' CSP rightly refuses; this
// context alone bypasses the CSP. The other test files run with it enforced.
let server, page, problems;
useSession({ bypassCSP: true }, (s) => { ({ server, page, problems } = s); });

function describe(v) {
  return `[${v.impact}] ${v.id}: ${v.help}\n` + v.nodes.slice(0, 8).map((n) =>
    `    ${n.target.join(' ')}\n      ${(n.failureSummary || '').replace(/\n/g, '\n      ')}`).join('\n');
}

for (const scheme of ['light', 'dark']) {
  for (const rel of PAGES) {
    test(`axe: ${rel} (${scheme}) has no violations of moderate impact or worse`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      problems.reset();
      await page.goto(server.base + rel, { waitUntil: 'load' });
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
        }));
      });
      const bad = violations.filter((v) => v.impact !== 'minor');
      const minor = violations.filter((v) => !bad.includes(v));
      if (minor.length) console.log(`# ${rel} (${scheme}) minor: ${minor.map((v) => `${v.id}(${v.impact})`).join(', ')}`);
      assert.equal(bad.length, 0, `${rel} (${scheme}):\n${bad.map(describe).join('\n')}`);
      const p = problems.take();
      assert.deepEqual(p, [], p.join('\n'));
    });
  }
}
