// Generates catalog documents to give to both Backstage and Playbill: every catalog document of
// the demo (examples/) and the fixtures (tests/fixtures/), each mutated field by field (dropped,
// emptied, retyped, lengthened, prefixed, mis-cased, written as a YAML 1.1 value), every
// reference field broken in every way a reference can be, plus the hand-written files in
// edge/. Deterministic: the same seed and sources give the same files.
//
// Usage: node generate.mjs OUT_DIR [--seed N] [--count N]
// Writes OUT_DIR/<case>.yaml (flat) and OUT_DIR/cases.jsonl ({file, source, mutation}).

import YAML from 'yaml';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const SOURCE_DIRS = ['examples', 'tests/fixtures'];
// Files larger than this are size tests, not shape tests.
const MAX_SOURCE_BYTES = 20000;

const args = process.argv.slice(2);
const out = args.find(a => !a.startsWith('--'));
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
if (!out) {
  console.error('usage: node generate.mjs OUT_DIR [--seed N] [--count N]');
  process.exit(2);
}
const seed = option('seed', 17);
const count = option('count', 5000);

/** mulberry32: a small seeded generator, so a run can be repeated exactly. */
function random(s) {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function walk(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...walk(p));
    else if (/\.ya?ml$/.test(entry.name) && fs.statSync(p).size <= MAX_SOURCE_BYTES) found.push(p);
  }
  return found;
}

/** Placeholders ($text, $json, $yaml) read other files; the cases inline a value instead. */
function inlinePlaceholders(value) {
  if (Array.isArray(value)) return value.map(inlinePlaceholders);
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && ['$text', '$json', '$yaml'].includes(keys[0])) {
      return keys[0] === '$text' ? `text of ${value[keys[0]]}` : { inlined: String(value[keys[0]]) };
    }
    return Object.fromEntries(keys.map(k => [k, inlinePlaceholders(value[k])]));
  }
  return value;
}

/** Every document of the sources that looks like an entity, once each. */
function sources() {
  const seen = new Set();
  const docs = [];
  for (const dir of SOURCE_DIRS) {
    for (const file of walk(path.join(repo, dir))) {
      let parsed;
      try {
        parsed = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'));
      } catch {
        continue;
      }
      for (const [i, doc] of parsed.entries()) {
        if (doc.errors.length) continue;
        let json;
        try {
          json = doc.toJSON();
        } catch {
          continue;
        }
        if (!json || typeof json !== 'object' || typeof json.kind !== 'string' || typeof json.apiVersion !== 'string') continue;
        const entity = inlinePlaceholders(json);
        const key = JSON.stringify(entity);
        if (seen.has(key)) continue;
        seen.add(key);
        docs.push({ source: `${path.relative(repo, file)}#${i}`, entity });
      }
    }
  }
  return docs;
}

/** Every path to a value in a document: [['metadata'], ['metadata','name'], ...]. */
function paths(value, prefix = []) {
  const found = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      found.push([...prefix, i], ...paths(item, [...prefix, i]));
    });
  } else if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      found.push([...prefix, key], ...paths(value[key], [...prefix, key]));
    }
  }
  return found;
}

const clone = v => structuredClone(v);
const get = (doc, p) => p.reduce((v, k) => (v == null ? undefined : v[k]), doc);

function setAt(doc, p, value) {
  const copy = clone(doc);
  const parent = get(copy, p.slice(0, -1));
  parent[p[p.length - 1]] = value;
  return copy;
}

function dropAt(doc, p) {
  const copy = clone(doc);
  const parent = get(copy, p.slice(0, -1));
  if (Array.isArray(parent)) parent.splice(p[p.length - 1], 1);
  else delete parent[p[p.length - 1]];
  return copy;
}

/** Renames the key at the end of `p`, keeping the order of the others. */
function renameAt(doc, p, name) {
  const copy = clone(doc);
  const parentPath = p.slice(0, -1);
  const parent = get(copy, parentPath);
  const renamed = Object.fromEntries(Object.entries(parent).map(([k, v]) => [k === p[p.length - 1] ? name : k, v]));
  if (parentPath.length === 0) return renamed;
  return setAt(copy, parentPath, renamed);
}

const lengthen = (s, n) => (s.length >= n ? s.slice(0, n) : s + 'a'.repeat(n - s.length));

/** The values a field is replaced with, by its current value. */
function replacements(value) {
  const out = [
    ['empty string', ''],
    ['null', null],
    ['number', 42],
    ['zero', 0],
    ['boolean', true],
    ['false', false],
    ['empty list', []],
    ['empty mapping', {}],
  ];
  if (typeof value === 'string') {
    out.push(
      ['list of it', [value]],
      ['mapping of it', { [value || 'k']: value }],
      ['63 chars', lengthen(value, 63)],
      ['64 chars', lengthen(value, 64)],
      ['254 chars', lengthen(value, 254)],
      ['dotted 253', [lengthen('a', 63), lengthen('b', 63), lengthen('c', 63), lengthen('d', 61)].join('.')],
      ['dotted 254', [lengthen('a', 63), lengthen('b', 63), lengthen('c', 63), lengthen('d', 62)].join('.')],
      ['prefix x/', `x/${value}`],
      ['prefix example.com/', `example.com/${value}`],
      ['prefix Bad_Prefix/', `Bad_Prefix/${value}`],
      ['prefix -', `-${value}`],
      ['prefix .', `.${value}`],
      ['prefix _', `_${value}`],
      ['prefix kind:', `group:${value}`],
      ['suffix -', `${value}-`],
      ['double dash', `${value}--x`],
      ['two slashes', `a/b/${value}`],
      ['space', `${value} x`],
      ['leading space', ` ${value}`],
      ['non-ascii', `${value}é`],
      ['upper case', value.toUpperCase()],
      ['lower case', value.toLowerCase()],
      ['capitalised', value.charAt(0).toUpperCase() + value.slice(1)],
      ['url', 'https://example.com/x'],
      ['not a url', 'not a url'],
      ['relative url', './x'],
      ['trailing slash', `${value}/`],
      ['number text', '12'],
    );
  } else if (Array.isArray(value)) {
    out.push(['string', 'a'], ['doubled', [...value, ...value]], ['list in list', [value]]);
  } else if (value && typeof value === 'object') {
    out.push(['string', 'a'], ['list of it', [value]]);
  } else {
    out.push(['string of it', String(value)]);
  }
  return out;
}

// Reference forms, well- and ill-formed, for the fields Backstage parses as references.
const REFERENCES = [
  'group:', ':team-a', 'group:default/', 'group:/team-a', '/team-a', 'default/', 'team-a',
  'Group:Default/Team-A', 'user:team-a', 'group:default/team-a', 'group:a/b/c', 'a:b:c',
  'ns/a:b', 'component:x', 'team a', 'group:team-a', 'resource:default/db', 'api:x/y',
  'x:', ':', '/', 'a/', 'Team_A', 'group:default/team-a/extra',
];
const REFERENCE_FIELDS = new Set([
  'owner', 'system', 'subcomponentOf', 'domain', 'subdomainOf', 'providesApis', 'consumesApis',
  'dependsOn', 'dependencyOf', 'memberOf', 'parent', 'children', 'members',
]);

// Scalars that YAML 1.1 and YAML 1.2 read differently, and other tokens parsers disagree on,
// written raw into the text.
const RAW_TOKENS = [
  'yes', 'no', 'on', 'off', 'y', 'n', 'Yes', 'NO', 'True', 'FALSE', '~', 'Null', '0777', '0o17',
  '0x1f', '0b101', '1_000', '.inf', '-.Inf', '.NaN', '2024-01-01', '2001-12-14t21:59:43.10-05:00',
  '1e3', '+12', '1:20', '"yes"', "'no'", '!!str 12', '!!int "3"', '!!binary aGk=', '!!null ""',
  '!custom x', '|\n  block\n', '>-\n  folded\n', '"a\\tb"', '"\\u00e9"', '[a, b]', '{a: b}',
];

/** Every case one source document gives: [mutation, a function that makes the document]. */
function mutations({ entity }) {
  const cases = [];
  for (const p of paths(entity)) {
    const name = p.join('.');
    const value = get(entity, p);
    cases.push([`${name}: dropped`, () => dropAt(entity, p)]);
    for (const [what, replacement] of replacements(value)) {
      cases.push([`${name}: ${what}`, () => setAt(entity, p, replacement)]);
    }
    const key = p[p.length - 1];
    if (typeof key === 'string') {
      cases.push([`${name}: key upper case`, () => renameAt(entity, p, key.toUpperCase())]);
      cases.push([`${name}: key capitalised`, () => renameAt(entity, p, key.charAt(0).toUpperCase() + key.slice(1))]);
      cases.push([`${name}: key prefixed`, () => renameAt(entity, p, `x.io/${key}`)]);
      cases.push([`${name}: key lengthened`, () => renameAt(entity, p, lengthen(key, 64))]);
    }
    const field = p[1];
    if (p[0] === 'spec' && REFERENCE_FIELDS.has(field) && (p.length === 2 || p.length === 3)) {
      for (const ref of REFERENCES) cases.push([`${name}: reference ${JSON.stringify(ref)}`, () => setAt(entity, p, ref)]);
    }
    if (typeof value !== 'object' || value === null) {
      for (const [i, token] of RAW_TOKENS.entries()) {
        cases.push([`${name}: raw ${JSON.stringify(token)}`, () => ({ raw: setAt(entity, p, `RAWTOKEN${i}X`), token })]);
      }
    }
  }
  // Reference fields the source does not have yet, so every kind meets every form.
  for (const field of ['dependsOn', 'dependencyOf', 'providesApis', 'memberOf', 'children', 'subdomainOf', 'domain', 'parent', 'members']) {
    if (entity.spec && typeof entity.spec === 'object' && !(field in entity.spec)) {
      for (const ref of REFERENCES) {
        cases.push([`spec.${field}: added as [${JSON.stringify(ref)}]`, () => setAt(entity, ['spec', field], [ref])]);
      }
    }
  }
  return cases;
}

function render(doc) {
  if (doc && doc.raw) {
    const text = YAML.stringify(doc.raw, { lineWidth: 0 });
    const i = RAW_TOKENS.indexOf(doc.token);
    const token = doc.token.includes('\n') ? doc.token.replace(/\n/g, '\n' + ' '.repeat(8)) : doc.token;
    return text.replace(`RAWTOKEN${i}X`, token);
  }
  return YAML.stringify(doc, { lineWidth: 0 });
}

function shuffle(items, next) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

const next = random(seed);
const bases = sources();
const unchanged = bases.map(base => ({ source: base.source, mutation: 'unchanged', make: () => base.entity }));
const mutated = bases.flatMap(base => mutations(base).map(([mutation, make]) => ({ source: base.source, mutation, make })));
// Every source unchanged, then a seeded sample of the mutations, each text once.
const chosen = [];
const seenText = new Set();
for (const c of [...unchanged, ...shuffle(mutated, next)]) {
  if (chosen.length >= count) break;
  const text = render(c.make());
  if (seenText.has(text)) continue;
  seenText.add(text);
  chosen.push({ ...c, text });
}

fs.mkdirSync(out, { recursive: true });
const manifest = [];
chosen.forEach((c, i) => {
  const file = `case-${String(i).padStart(5, '0')}.yaml`;
  fs.writeFileSync(path.join(out, file), c.text);
  manifest.push({ file, source: c.source, mutation: c.mutation });
});
const edge = path.join(here, 'edge');
for (const name of fs.readdirSync(edge).sort()) {
  fs.copyFileSync(path.join(edge, name), path.join(out, `edge-${name}`));
  manifest.push({ file: `edge-${name}`, source: `edge/${name}`, mutation: 'hand-written' });
}
fs.writeFileSync(path.join(out, 'cases.jsonl'), manifest.map(m => JSON.stringify(m)).join('\n') + '\n');
console.error(`${manifest.length} files from ${bases.length} source documents (${mutated.length} candidate mutations, seed ${seed})`);
