'use strict';
// Diagrams drawn at build time: the demo's Mermaid and Graphviz fences show as pictures (not
// source), break no CSP rule, and take their colours from the theme in light and dark.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { fileUrl, useSession } = require('./lib/helpers');

const PAGE = 'docs/default/component/payments-ledger/architecture/index.html';

let server, page, problems;
const session = useSession({}, (s) => { ({ server, page, problems } = s); });

// Each diagram's size on screen, its labels, and any CSP violation the page reported.
async function inspect(url) {
  problems.reset();
  await page.goto(url, { waitUntil: 'load' });
  // A violation that happened during the load is still queued as an event: listen, then wait.
  await page.evaluate(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
  });
  await page.waitForTimeout(100);
  const diagrams = await page.$$eval('figure.diagram > svg', (svgs) => svgs.map((svg) => {
    const box = svg.getBoundingClientRect();
    return { width: box.width, height: box.height, text: svg.textContent, kind: svg.parentElement.className };
  }));
  return { diagrams, violations: await page.evaluate(() => window.__violations), problems: problems.take() };
}

for (const where of ['http', 'file']) {
  test(`diagrams are visible pictures with no CSP violation (${where})`, async () => {
    const url = where === 'http' ? server.base + PAGE : fileUrl(session.root, PAGE);
    const { diagrams, violations, problems: p } = await inspect(url);
    assert.ok(diagrams.length >= 3, `only ${diagrams.length} diagrams`);
    assert.ok(diagrams.some((d) => d.kind.includes('diagram-mermaid')) && diagrams.some((d) => d.kind.includes('diagram-dot')));
    for (const d of diagrams) {
      assert.ok(d.width > 80 && d.height > 40, `a diagram too small to see: ${JSON.stringify(d)}`);
    }
    assert.match(diagrams.map((d) => d.text).join(' '), /ledger API[\s\S]*Pending[\s\S]*outbox relay/);
    assert.equal(await page.locator('pre.mermaid').count(), 0, 'Mermaid source shown instead of a picture');
    assert.deepEqual(violations, []);
    assert.deepEqual(p, [], p.join('\n'));
  });
}

test('diagram colours follow the light and dark theme', async () => {
  const colours = {};
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(server.base + PAGE, { waitUntil: 'load' });
    colours[scheme] = await page.$eval('figure.diagram svg .dg-fill-text', (el) => ({
      text: getComputedStyle(el).fill,
      page: getComputedStyle(document.body).color,
      background: getComputedStyle(document.querySelector('figure.diagram svg .dg-fill-node')).fill,
    }));
    // Labels are drawn in the page's own text colour.
    assert.equal(colours[scheme].text, colours[scheme].page, `${scheme}: ${JSON.stringify(colours[scheme])}`);
  }
  assert.notEqual(colours.light.text, colours.dark.text);
  assert.notEqual(colours.light.background, colours.dark.background);
  await page.emulateMedia({ colorScheme: 'light' });
});
