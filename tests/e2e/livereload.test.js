'use strict';
// Live reload: `playbill serve` and `playbill docs serve` on a loopback port, a page open in
// Chromium, a source file edited in a temporary copy of the demo (never the repository's own
// files): the page reloads by itself and shows the change within a bounded time. And neither a
// built portal nor the files `serve` writes carry the live-reload script.
//
// Needs the binary: PLAYBILL_BIN (tests/run-all.sh and tests/e2e/run.sh set it). Without it the
// tests are skipped, unless PLAYBILL_REQUIRE_SERVERS=1, where they fail.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { REPO_ROOT, launch, siteDir, watch } = require('./lib/helpers');

const BIN = process.env.PLAYBILL_BIN ? path.resolve(process.env.PLAYBILL_BIN) : '';
const REQUIRED = process.env.PLAYBILL_REQUIRE_SERVERS === '1';
const missing = !BIN || !fs.existsSync(BIN);
if (missing && REQUIRED) {
  throw new Error(`PLAYBILL_BIN=${BIN || '(unset)'} is not the playbill binary; the live-reload tests need it`);
}
const skip = missing ? 'PLAYBILL_BIN is not set to the playbill binary' : false;

// How long an edit may take to show: the poll (1 s), a debug build of the demo, the page's own
// poll (1 s) and the reload, with room for a busy machine.
const RELOAD_WITHIN_MS = 45000;
const ENTITY = 'catalog/default/component/payments-ledger/index.html';

let tmp, browser;
const servers = [];

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'playbill-live-reload-'));
  fs.cpSync(path.join(REPO_ROOT, 'site.toml'), path.join(tmp, 'site.toml'));
  fs.cpSync(path.join(REPO_ROOT, 'examples'), path.join(tmp, 'examples'), { recursive: true });
  browser = await launch();
});

after(async () => {
  for (const s of servers) await stop(s);
  if (browser) await browser.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// A port nobody listens on now.
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// Whether the child has ended, by itself or by a signal.
const ended = (child) => child.exitCode !== null || child.signalCode !== null;

// Starts `playbill ARGS --port P` and waits until `probe` answers 200.
async function startServe(args, probe) {
  const port = await freePort();
  const child = spawn(BIN, [...args, '--port', String(port)], { cwd: tmp, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
  const server = { child, base: `http://127.0.0.1:${port}/`, log: () => log };
  servers.push(server);
  const deadline = Date.now() + 120000;
  while (Date.now() < deadline) {
    if (ended(child)) throw new Error(`playbill ${args.join(' ')} exited:\n${log}`);
    const ok = await fetch(server.base + probe).then((r) => r.ok, () => false);
    if (ok) return server;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`playbill ${args.join(' ')} did not answer ${probe}:\n${log}`);
}

function stop(server) {
  if (ended(server.child)) return Promise.resolve();
  return new Promise((resolve) => {
    server.child.once('exit', resolve);
    server.child.kill();
  });
}

// Every HTML file below `dir` that mentions the live-reload script.
function withLiveReload(dir) {
  const found = [];
  (function walk(d) {
    for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith('.html') && /__playbill|live-reload/.test(fs.readFileSync(p, 'utf8'))) found.push(p);
    }
  })(dir);
  return found;
}

// Opens `url`, runs `edit`, and waits for the page to reload by itself and show `expected`;
// returns the milliseconds the change took to show.
async function reloadsAfter(url, edit, expected) {
  const page = browser.page;
  const problems = watch(page);
  await page.goto(url, { waitUntil: 'load' });
  assert.equal(await page.locator('script[src="/__playbill/live-reload.js"]').count(), 1, 'the served page has no live-reload script');
  assert.ok(!(await page.textContent('body')).includes(expected), 'the change is there before the edit');
  // Let the page's script read the current build generation before anything changes.
  await page.waitForTimeout(1500);
  await page.evaluate(() => { window.__notReloaded = true; });
  const started = Date.now();
  edit();
  while (Date.now() - started < RELOAD_WITHIN_MS) {
    await page.waitForEvent('load', { timeout: RELOAD_WITHIN_MS - (Date.now() - started) }).catch(() => {});
    const state = await page.evaluate((text) => ({
      reloaded: !window.__notReloaded, shows: document.body.textContent.includes(text),
    }), expected).catch(() => ({}));
    if (state.reloaded && state.shows) {
      assert.deepEqual(problems.take().filter((p) => !/__playbill\/generation/.test(p)), []);
      return Date.now() - started;
    }
  }
  assert.fail(`the page did not reload with "${expected}" within ${RELOAD_WITHIN_MS} ms`);
}

test('a built portal carries no live-reload script', () => {
  assert.deepEqual(withLiveReload(siteDir()), []);
});

test('serve: editing a catalog file reloads the open entity page with the change', { skip }, async () => {
  const out = path.join(tmp, 'served');
  const server = await startServe(['serve', '--config', 'site.toml', '--out', out], ENTITY);
  const file = path.join(tmp, 'examples/demo-org/payments-ledger/catalog-info.yaml');
  const text = fs.readFileSync(file, 'utf8');
  const marker = `Edited while served ${Date.now()}`;
  const ms = await reloadsAfter(server.base + ENTITY, () => {
    fs.writeFileSync(file, text.replace(/^( {2}description: ).*$/m, `$1${marker}.`));
  }, marker);
  console.log(`serve: the change showed ${ms} ms after the edit`);
  assert.deepEqual(withLiveReload(out), [], 'the files serve writes must not carry the script');
  await stop(server);
});

test('docs serve: editing a docs page reloads it with the change', { skip }, async () => {
  const repo = path.join(tmp, 'examples/demo-org/payments-ledger');
  const out = path.join(tmp, 'docs-served');
  const page = 'docs/default/component/payments-ledger/index.html';
  const server = await startServe(['docs', 'serve', repo, '--out', out], page);
  const file = path.join(repo, 'docs/index.md');
  const marker = `Edited while served ${Date.now()}`;
  const ms = await reloadsAfter(server.base + page, () => {
    fs.appendFileSync(file, `\n\n${marker}\n`);
  }, marker);
  console.log(`docs serve: the change showed ${ms} ms after the edit`);
  assert.deepEqual(withLiveReload(out), []);
  await stop(server);
});
