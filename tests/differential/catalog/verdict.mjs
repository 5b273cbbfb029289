// Backstage's verdict on every YAML document under a directory, one JSON line each:
// {"file", "index", "valid", "reason"}. It runs Backstage's own code from npm in the order the
// catalog backend applies it to a file it reads (plugin-catalog-backend 4.0.5,
// DefaultCatalogProcessingOrchestrator):
//   parse (plugin-catalog-node's parseEntityYaml: yaml 2, merge keys off, documents that are
//   null skipped) -> the output collector's envelope check and location annotations ->
//   envelope again -> pre-processing (AnnotateLocationEntityProcessor's merge) -> the default
//   entity policies -> the entity schema -> the kind validators (BuiltinKindsEntityProcessor's
//   and the scaffolder module's Template v1beta3) -> Location reading (type and target checks,
//   file targets globbed) -> post-processing (relation fields parsed with parseEntityRef).
//
// Not modelled: errors in the files a Location reads (Backstage counts a target's YAML errors
// against the Location), URL targets (not fetched: a URL target counts as readable), and
// placeholders ($text, $json, $yaml; generate.mjs inlines them).
//
// Usage: node verdict.mjs DIR   (run with DIR as the working directory: Backstage resolves a
// file target that does not start with "." against its working directory).

import {
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  entityEnvelopeSchemaValidator,
  entitySchemaValidator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  makeValidator,
  parseEntityRef,
  resourceEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import { glob } from 'glob';
import lodash from 'lodash';
import YAML from 'yaml';
import fs from 'node:fs';
import path from 'node:path';

const LOCATION_ANNOTATION = 'backstage.io/managed-by-location';
const ORIGIN_ANNOTATION = 'backstage.io/managed-by-origin-location';

const validateEnvelope = entityEnvelopeSchemaValidator();
const validateEntity = entitySchemaValidator();
const policy = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(makeValidator()),
]);
const kindValidators = [
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  templateEntityV1beta3Validator,
];

// BuiltinKindsEntityProcessor.postProcessEntity and ScaffolderEntitiesProcessor: the fields
// whose values are parsed as entity references, per kind, with their default kind.
const RELATION_FIELDS = {
  Component: [
    ['owner', 'Group'],
    ['subcomponentOf', 'Component'],
    ['providesApis', 'API'],
    ['consumesApis', 'API'],
    ['dependsOn', undefined],
    ['dependencyOf', undefined],
    ['system', 'System'],
  ],
  API: [
    ['owner', 'Group'],
    ['system', 'System'],
  ],
  Resource: [
    ['owner', 'Group'],
    ['dependsOn', undefined],
    ['dependencyOf', undefined],
    ['system', 'System'],
  ],
  User: [['memberOf', 'Group']],
  Group: [
    ['parent', 'Group'],
    ['children', 'Group'],
    ['members', 'User'],
  ],
  System: [
    ['owner', 'Group'],
    ['domain', 'Domain'],
  ],
  Domain: [
    ['owner', 'Group'],
    ['subdomainOf', 'Domain'],
  ],
};

/** The output collector (ProcessorOutputCollector.receive) for an emitted entity. */
function collect(json, location) {
  const entity = validateEnvelope(json);
  const annotations = entity.metadata.annotations || {};
  if (typeof annotations !== 'object' || Array.isArray(annotations)) {
    throw new Error('metadata.annotations must be a valid object');
  }
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: {
        ...annotations,
        [ORIGIN_ANNOTATION]: location,
        [LOCATION_ANNOTATION]: location,
      },
    },
  };
}

/** DefaultCatalogProcessingOrchestrator.runSpecialLocationStep, for a file-read Location. */
async function readLocation(entity, file) {
  const { type = 'file', presence = 'required' } = entity.spec;
  // CatalogBuilder's default allowedLocationTypes is ["url"]; the declaring location's own
  // type is always allowed.
  if (type !== 'file' && type !== 'url') {
    throw new Error(`Registered locations must be of an allowed type ["url"], not "${type}"`);
  }
  const targets = [];
  if (entity.spec.target) targets.push(entity.spec.target);
  if (entity.spec.targets) targets.push(...entity.spec.targets);
  for (const target of targets) {
    if (type === 'file' && target.endsWith(path.sep)) {
      throw new Error(`file location target "${target}" ends with a path separator`);
    }
    if (type === 'url') {
      // UrlReaderProcessor: the target must be an absolute URL that an integration reads. It is
      // not fetched here (no network in tests); see INTENTIONAL in compare.
      if (!/^https?:\/\/[^/]/.test(target)) {
        throw new Error(`url location target "${target}" is not a URL that can be read`);
      }
      continue;
    }
    // toAbsoluteUrl: a target starting with "." is relative to the declaring file.
    const resolved = target.startsWith('.') ? path.join(path.dirname(file), target) : target;
    const matches = await glob(resolved, { windowsPathsNoEscape: true });
    if (matches.length === 0 && presence !== 'optional') {
      throw new Error(`file "${resolved}" does not exist`);
    }
    if (matches.length > 0 && path.relative(process.cwd(), path.resolve(resolved)).startsWith('..')) {
      return OUTSIDE;
    }
  }
  return undefined;
}

// Where Backstage's verdict is not Playbill's on purpose. The test lists these documents
// instead of counting them.
const OUTSIDE =
  'a Location target outside the repository that exists: Backstage reads any file the backend can, ' +
  'Playbill never reads outside the repository it checks and rejects the Location';

/** Relation fields parsed as BuiltinKindsEntityProcessor and the scaffolder module do. */
function parseRelations(entity) {
  const namespace = entity.metadata.namespace ?? 'default';
  const fields =
    entity.kind === 'Template' && entity.apiVersion === 'scaffolder.backstage.io/v1beta3'
      ? [['owner', 'Group']]
      : RELATION_FIELDS[entity.kind] ?? [];
  for (const [field, defaultKind] of fields) {
    const targets = entity.spec?.[field];
    if (!targets) continue;
    for (const target of [targets].flat()) {
      parseEntityRef(target, { defaultKind, defaultNamespace: namespace });
    }
  }
}

async function ingest(json, file) {
  const location = `file:${path.normalize(file)}`;
  let entity = collect(json, location);
  entity = validateEnvelope(entity);
  entity = lodash.merge(
    { metadata: { annotations: { [LOCATION_ANNOTATION]: location, [ORIGIN_ANNOTATION]: location } } },
    entity,
  );
  entity = await policy.enforce(entity);
  validateEntity(entity);
  let known = false;
  for (const validator of kindValidators) {
    if (await validator.check(entity)) known = true;
  }
  if (!known) {
    throw new Error('No processor recognized the entity as valid, possibly caused by a foreign kind or apiVersion');
  }
  const intentional = entity.kind === 'Location' ? await readLocation(entity, file) : undefined;
  parseRelations(entity);
  return intentional;
}

/** Every document of one file, as parseEntityYaml yields them (null documents skipped). */
async function verdicts(file, rel) {
  const text = fs.readFileSync(file, 'utf8');
  const out = [];
  let documents;
  try {
    documents = YAML.parseAllDocuments(text, { merge: false });
  } catch (e) {
    return [{ file: rel, index: 0, valid: false, reason: `yaml: ${e}` }];
  }
  let unreadable = '';
  for (const [index, document] of documents.entries()) {
    let verdict = { valid: true, reason: '' };
    let json;
    try {
      json = unreadable || document.errors?.length ? undefined : document.toJSON();
    } catch (e) {
      // parseEntityYaml throws out of its generator: FileReaderProcessor reports the file as
      // unreadable and reads none of its later documents.
      unreadable = `file could not be read, ${e.message}`;
    }
    if (unreadable) {
      verdict = { valid: false, reason: unreadable };
    } else if (document.errors?.length) {
      verdict = { valid: false, reason: `yaml: ${document.errors[0].code}` };
    } else {
      if (json === null) continue;
      if (!lodash.isPlainObject(json)) {
        verdict = { valid: false, reason: `Expected object at root, got ${typeof json}` };
      } else {
        try {
          const intentional = await ingest(json, file);
          if (intentional) verdict.intentional = intentional;
        } catch (e) {
          verdict = { valid: false, reason: String(e?.message ?? e).split('\n')[0] };
        }
      }
    }
    out.push({ file: rel, index, ...verdict });
  }
  return out;
}

const root = path.resolve(process.argv[2] ?? '.');
const files = (await glob('**/*.{yaml,yml}', { cwd: root, nodir: true })).sort();
for (const rel of files) {
  for (const line of await verdicts(path.join(root, rel), rel)) {
    console.log(JSON.stringify(line));
  }
}
