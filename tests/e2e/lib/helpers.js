'use strict';
// Shared pieces of the browser suite: the built site, a loopback static server, Chromium, and a
// collector for everything a page can do wrong (console errors, uncaught exceptions, failed or
// >= 400 requests).

const fs = require('node:fs');
const fsp = require('node:fs/promises');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { chromium } = require('playwright-core');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const CHROMIUM = process.env.PLAYBILL_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// The entity and docs pages most checks use; all are part of the bundled demo organisation.
const ENTITY = 'catalog/default/component/payments-ledger/index.html';
const DOCS_HOME = 'docs/default/component/payments-ledger/index.html';

function siteDir() {
  const dir = process.env.PLAYBILL_SITE;
  if (!dir) throw new Error('PLAYBILL_SITE is not set: point it at a built portal (playbill build --out DIR)');
  const abs = path.resolve(dir);
  if (!fs.existsSync(path.join(abs, 'index.html'))) {
    throw new Error(`PLAYBILL_SITE=${dir} has no index.html; build the portal first`);
  }
  return abs;
}

// Every index.html under the site, as site-relative paths with '/' separators, sorted.
function listPages(root) {
  const out = [];
  (function walk(dir) {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.isFile() && ent.name === 'index.html') out.push(path.relative(root, p).split(path.sep).join('/'));
    }
  })(root);
  return out.sort();
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg',
  '.gif': 'image/gif', '.webp': 'image/webp', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml', '.woff2': 'font/woff2', '.yaml': 'text/plain; charset=utf-8',
};

// The sign-in proxy's user endpoint the demo's site.toml names ([sso] userinfo_url).
const USERINFO_PATH = '/oauth2/userinfo';

// What the proxy answers when the test does not say: JSON naming nobody, so pages show no
// "My services" and request nothing that fails.
function nobody(req, res) {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{}');
}

// A minimal static file server on 127.0.0.1 and an ephemeral port. Only GET and HEAD; never
// serves anything outside `root`; no directory listings (the site names files in its links).
// Like the proxy in front of a published portal, it answers USERINFO_PATH, with
// `options.userinfo(req, res)` when given. `options.notFoundPage` answers a missing file with
// the site's 404.html (status 404), as a bucket's website hosting does.
async function startServer(root, options = {}) {
  const userinfo = options.userinfo || nobody;
  const server = http.createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405).end(); return; }
      const pathname = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
      if (pathname === USERINFO_PATH) { userinfo(req, res); return; }
      let file = path.join(root, path.normalize(pathname));
      if (file !== root && !file.startsWith(root + path.sep)) { res.writeHead(403).end(); return; }
      let st = await fsp.stat(file).catch(() => null);
      if (st && st.isDirectory()) {
        file = path.join(file, 'index.html');
        st = await fsp.stat(file).catch(() => null);
      }
      if (!st || !st.isFile()) {
        if (options.notFoundPage) {
          // Like S3 website hosting or a CDN error page: 404.html at the URL that was missing.
          const body = await fsp.readFile(path.join(root, '404.html'));
          res.writeHead(404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : body);
          return;
        }
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
        return;
      }
      const body = await fsp.readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      res.writeHead(400).end();
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    base: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections && server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

// Chromium with a fresh profile, removed again by close().
async function launch(options = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'playbill-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(15000);
  page.setDefaultNavigationTimeout(20000);
  return {
    context,
    page,
    close: async () => {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Records every problem a page reports. `reset()` before a navigation, `take()` after it.
function watch(page) {
  let problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') {
      const loc = m.location();
      problems.push(`console error: ${m.text()}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (e) => problems.push(`uncaught exception: ${e.message}`));
  page.on('requestfailed', (r) => {
    const error = (r.failure() || {}).errorText;
    // The browser cancels a favicon still loading when the next page is opened: not a failure.
    if (error === 'net::ERR_ABORTED' && /\/favicon\.[0-9a-f]+\.svg$/.test(r.url())) return;
    problems.push(`request failed: ${r.url()} (${error})`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return {
    reset() { problems = []; },
    take() { const p = problems; problems = []; return p; },
  };
}

// Fails with everything `problems` (see watch) collected since its last reset.
function assertNoProblems(problems, what) {
  const p = problems.take();
  if (p.length) throw new Error(`${what}:\n${p.join('\n')}`);
}

function fileUrl(root, rel) {
  return pathToFileURL(path.join(root, rel)).href;
}

// Rows of the catalog table as the test sees them: the data the filter works on, plus whether
// the row is actually rendered.
async function catalogRows(page) {
  return page.$$eval('#catalog-table tbody tr', (trs) => trs.map((tr) => ({
    href: tr.querySelector('a.row-title').getAttribute('href'),
    kind: tr.getAttribute('data-kind'),
    type: tr.getAttribute('data-type'),
    lifecycle: tr.getAttribute('data-lifecycle'),
    owner: tr.getAttribute('data-owner'),
    system: tr.getAttribute('data-system'),
    tags: (tr.getAttribute('data-tags') || '').split(/\s+/).filter(Boolean),
    // Everything the text box searches: name, title, description, kind, type, owner, system, tags.
    search: [tr.getAttribute('data-text'), tr.getAttribute('data-kind'), tr.getAttribute('data-type'),
      tr.getAttribute('data-owner'), tr.getAttribute('data-system'), tr.getAttribute('data-tags')].join(' ').toLowerCase(),
    visible: !tr.hidden && tr.getClientRects().length > 0 && getComputedStyle(tr).visibility !== 'hidden',
  })));
}

// Starts the loopback server and the browser before a file's tests and stops them after.
// `ready(session)` runs inside the same hook once both are up: node:test does not wait for one
// top-level before() hook to finish before starting the next, so a file's own set-up goes here.
// `serverOptions` go to startServer.
function useSession(launchOptions = {}, ready = async () => {}, serverOptions = {}) {
  return useSessionAt(siteDir(), launchOptions, ready, serverOptions);
}

// useSession for the portal in `root` rather than $PLAYBILL_SITE.
function useSessionAt(root, launchOptions = {}, ready = async () => {}, serverOptions = {}) {
  const { before, after } = require('node:test');
  const session = { root };
  before(async () => {
    session.server = await startServer(session.root, serverOptions);
    session.browser = await launch(launchOptions);
    session.page = session.browser.page;
    session.problems = watch(session.page);
    await ready(session);
  });
  after(async () => {
    if (session.browser) await session.browser.close();
    if (session.server) await session.server.close();
  });
  return session;
}

module.exports = {
  REPO_ROOT, ENTITY, DOCS_HOME, USERINFO_PATH, siteDir, listPages, startServer, launch, watch, fileUrl,
  catalogRows, useSession, useSessionAt, assertNoProblems,
};
