'use strict';
// The manual (mkdocs.yml + docs/ at the repository root, built with `playbill docs build .`)
// reads in a browser like any docs site: its home page, its nav, a page reached through it.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, launch, watch } = require('./lib/helpers');

const HOME = 'docs/default/component/playbill/index.html';

function manualDir() {
  const dir = process.env.PLAYBILL_MANUAL;
  if (!dir) throw new Error('PLAYBILL_MANUAL is not set: build the manual (playbill docs build . --out DIR) and point it there');
  const abs = path.resolve(dir);
  if (!fs.existsSync(path.join(abs, HOME))) throw new Error(`PLAYBILL_MANUAL=${dir} has no ${HOME}`);
  return abs;
}

let server, browser, page, problems;
before(async () => {
  server = await startServer(manualDir());
  browser = await launch();
  page = browser.page;
  problems = watch(page);
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

test('the manual opens on its overview and its nav leads to the other pages', async () => {
  await page.goto(server.base + HOME, { waitUntil: 'load' });
  assert.match(await page.title(), /Playbill/);
  const nav = page.getByRole('link', { name: 'Getting started', exact: true }).first();
  assert.ok(await nav.isVisible(), 'the nav links to Getting started');
  await Promise.all([page.waitForURL('**/getting-started/index.html'), nav.click()]);
  assert.match(await page.locator('h1').first().textContent(), /Getting started/i);
  assert.deepEqual(problems.take(), []);
});
