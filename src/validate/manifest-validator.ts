/**
 * The entry point: validate rendered (or user-supplied) manifests before anything is written.
 *
 * Per object: Istio kinds against their CRD's structural schema (ajv; unknown fields are errors),
 * `x-kubernetes-validations` CEL rules and istiod's validating webhook rules (webhook/); built-in
 * Kubernetes kinds against the Kubernetes OpenAPI schema; `metadata` of every known kind against
 * the API server's name and label rules. Kinds with no schema at all are counted in one summary.
 *
 * @module
 */
import {
  TrustmeshAggregateError, TrustmeshError, describeValue,
  type Diagnostic, type ErrorCode, type Severity, type SourceLocation,
} from '../errors';
import { compiledKind } from './compiled-kind';
import { CrdSchemaSet } from './crd-schema';
import { findCoreKind, validateCoreKind } from './kubernetes-schema';
import { checkMetadata, type NameRule } from './object-metadata';
import { explainSchemaErrors } from './schema-errors';
import { validateWebhook, webhookPathString, type WebhookResults } from './webhook/validate-webhook';
import { closestMatch } from '../private/did-you-mean';
import { isRecord } from '../private/records';

/** Options of {@link validateManifests}. */
export interface ValidateManifestsOptions {
  /**
   * The CRD schemas Istio kinds are validated against, e.g. the user's cluster version read with
   * `CrdSchemaSet.fromCrdYaml`.
   * @default - the bundled Istio 1.30.3 schemas (`CrdSchemaSet.bundled()`)
   */
  readonly crds?: CrdSchemaSet;
  /**
   * Where the i-th manifest came from (file and line, or construct path); attached to its diagnostics.
   * @default - diagnostics carry only the field path
   */
  readonly sources?: (index: number) => SourceLocation | undefined;
  /**
   * Also run istiod's validating webhook rules on the Istio kinds (the analyzer runs them itself,
   * so its CRD check turns this off).
   * @default true
   */
  readonly webhook?: boolean;
  /**
   * Where the webhook findings are kept for a later pass over the same objects (synth's analyzer).
   * @default - not kept
   * @internal
   */
  readonly webhookResults?: WebhookResults;
}

interface Problem {
  readonly code: ErrorCode;
  readonly severity: Severity;
  readonly path?: string;
  readonly message: string;
  readonly fix?: string;
}

/**
 * Validates manifests; never throws for invalid input.
 *
 * Codes: `TM_SCHEMA_INVALID` (CRD structural schema, including unknown fields), `TM_CEL_RULE_FAILED`
 * (an `x-kubernetes-validations` rule is false or cannot be evaluated), the webhook rule families
 * (`TM_SERVER_TLS_CERTIFICATE_SOURCE`, … see docs/validation.md), `TM_K8S_SCHEMA_INVALID` (built-in
 * kind schema), `TM_INVALID_METADATA` (name, namespace, labels, annotations),
 * `TM_UNKNOWN_API_VERSION` (a group the CRDs define, but a version or kind they do not serve),
 * `TM_UNKNOWN_KIND` (info, once: how many objects of which kinds have no schema and were not
 * validated), `TM_CEL_RULE_UNSUPPORTED` (warning: a rule of a user-supplied CRD this evaluator
 * cannot run).
 *
 * @returns diagnostics in manifest order (the unknown-kind summary last); empty when everything is valid
 * @example
 * const problems = validateManifests(app.charts.flatMap((c) => c.toJson()));
 * for (const d of problems) console.error(formatDiagnostic(d));
 */
export function validateManifests(manifests: readonly object[], options: ValidateManifestsOptions = {}): Diagnostic[] {
  const crds = options.crds ?? CrdSchemaSet.bundled();
  const diagnostics: Diagnostic[] = [];
  const state: ValidationState = {
    reportedUnsupported: new Set(), unknownKinds: new Map(), webhook: options.webhook ?? true, webhookResults: options.webhookResults,
  };
  manifests.forEach((manifest, index) => {
    const problems = validateOne(manifest, index, crds, state);
    if (problems.length === 0) return;
    const source = options.sources?.(index);
    const identity = describeObject(manifest, index);
    for (const p of problems) {
      const location = source || p.path ? { ...source, ...(p.path ? { field: p.path } : {}) } : undefined;
      diagnostics.push({
        code: p.code,
        severity: p.severity,
        message: `${identity}: ${p.path ? `${p.path}: ` : ''}${p.message}`,
        ...(location ? { location } : {}),
        ...(p.fix ? { fix: p.fix } : {}),
      });
    }
  });
  if (state.unknownKinds.size > 0) diagnostics.push(unknownKindsSummary(state.unknownKinds, crds));
  return diagnostics;
}

/** What one {@link validateManifests} call carries from object to object. */
interface ValidationState {
  /** Compiled kinds whose unsupported CEL rules were already reported. */
  readonly reportedUnsupported: Set<object>;
  /** Objects without a schema, counted by `apiVersion kind`. */
  readonly unknownKinds: Map<string, number>;
  readonly webhook: boolean;
  readonly webhookResults?: WebhookResults;
}

// One line for every kind nothing validates (Gateway API objects, other operators' CRDs): they are
// not problems of the input, and a warning per object drowned the findings that are.
function unknownKindsSummary(kinds: ReadonlyMap<string, number>, crds: CrdSchemaSet): Diagnostic {
  const list = [...kinds.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const total = list.reduce((n, [, c]) => n + c, 0);
  return {
    code: 'TM_UNKNOWN_KIND',
    severity: 'info',
    message: `${total} object${total === 1 ? '' : 's'} of kinds with no schema not validated: ${list.map(([k, c]) => `${k} (${c})`).join(', ')}`,
    fix: `trustmesh validates the kinds of ${crds.source.file} and the built-in Kubernetes kinds; to validate these too, add their CRDs to the CRD file.`,
  };
}

/**
 * {@link validateManifests} against `crds` as the analyzer's `manifestCheck` (the same signature,
 * structurally, so the analyzer does not depend on the validator).
 *
 * @example
 * analyze(config, { manifestCheck: crdManifestCheck(CrdSchemaSet.fromFile('crds.yaml')) });
 */
export function crdManifestCheck(crds: CrdSchemaSet): (
  manifests: readonly object[],
  options: { readonly sources: (index: number) => SourceLocation | undefined },
) => Diagnostic[] {
  return (manifests, { sources }) => validateManifests(manifests, { crds, sources, webhook: false });
}

/**
 * Validates manifests and throws if any has an error (warnings are returned).
 *
 * @throws TrustmeshAggregateError `TM_INVALID_OUTPUT` listing every error diagnostic
 * @returns the warnings
 */
export function assertValidManifests(manifests: readonly object[], options: ValidateManifestsOptions = {}): Diagnostic[] {
  const diagnostics = validateManifests(manifests, options);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new TrustmeshAggregateError(
      'TM_INVALID_OUTPUT',
      `${errors.length} manifest problem${errors.length === 1 ? '' : 's'} (schema, CEL rules, istiod's webhook rules or metadata)`,
      errors.map((d) => TrustmeshError.fromDiagnostic({ ...d, location: d.location ? withoutField(d.location) : undefined })),
    );
  }
  return diagnostics.filter((d) => d.severity !== 'error');
}

function validateOne(manifest: unknown, index: number, crds: CrdSchemaSet, state: ValidationState): Problem[] {
  if (!isRecord(manifest)) {
    return [{ code: 'TM_SCHEMA_INVALID', severity: 'error', message: `manifest ${index} is not an object (received ${describeValue(manifest)})` }];
  }
  const { apiVersion, kind } = manifest;
  if (typeof apiVersion !== 'string' || apiVersion === '' || typeof kind !== 'string' || kind === '') {
    return [{
      code: 'TM_SCHEMA_INVALID',
      severity: 'error',
      path: typeof apiVersion !== 'string' || apiVersion === '' ? 'apiVersion' : 'kind',
      message: `is missing (apiVersion ${describeValue(apiVersion)}, kind ${describeValue(kind)})`,
      fix: 'Every object needs apiVersion and kind, e.g. security.istio.io/v1 AuthorizationPolicy.',
    }];
  }

  const core = findCoreKind(apiVersion, kind);
  if (core) {
    const problems: Problem[] = validateCoreKind(core, manifest).map((f) => ({
      code: 'TM_K8S_SCHEMA_INVALID', severity: 'error', path: f.path, message: detail(f.message, f.received, f.allowed),
    }));
    return [...problems, ...metadataProblems(manifest.metadata, core.nameRule, core.namespaced)];
  }

  const hit = crds.lookup(apiVersion, kind);
  if (!hit.found) {
    if (hit.reason === 'unknown-group') {
      const key = `${apiVersion} ${kind}`;
      state.unknownKinds.set(key, (state.unknownKinds.get(key) ?? 0) + 1);
      return [];
    }
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    const served = hit.reason === 'unknown-version' ? hit.known.map((v) => `${group}/${v}`) : hit.known;
    const guess = hit.reason === 'unknown-kind' ? closestMatch(kind, hit.known) : undefined;
    return [{
      code: 'TM_UNKNOWN_API_VERSION',
      severity: 'error',
      path: hit.reason === 'unknown-version' ? 'apiVersion' : 'kind',
      message: hit.reason === 'unknown-version'
        ? detail(`${kind} is not served at this version (${crds.source.file})`, describeValue(apiVersion), served.join(', '))
        : detail(`${group} has no kind ${kind} (${crds.source.file})`, describeValue(kind), served.join(', ')),
      fix: guess ? `Did you mean ${guess}?` : undefined,
    }];
  }

  const compiled = compiledKind(crds, hit.schema);
  const problems: Problem[] = [];
  if (compiled.rules.reports.some((r) => r.status === 'unsupported') && !state.reportedUnsupported.has(compiled)) {
    state.reportedUnsupported.add(compiled);
    const unsupported = compiled.rules.reports.filter((r) => r.status === 'unsupported');
    problems.push({
      code: 'TM_CEL_RULE_UNSUPPORTED',
      severity: 'warning',
      message: `${unsupported.length} x-kubernetes-validations rule(s) of ${kind} are not evaluated: ${unsupported.map((r) => `${r.schemaPath}: ${r.rule.replace(/\s+/g, ' ')} (${r.problem})`).join('; ')}`,
    });
  }
  // The quick check first: ajv's validator (and its errors) only for an object that fails it.
  if (!compiled.isValid(manifest) && !compiled.validate(manifest)) {
    for (const f of explainSchemaErrors(compiled.validate.errors ?? [], manifest, compiled.ajvSchema)) {
      problems.push({ code: 'TM_SCHEMA_INVALID', severity: 'error', path: f.path, message: detail(f.message, f.received, f.allowed), fix: f.fix });
    }
  }
  for (const failure of compiled.rules.evaluate(manifest)) {
    const reason = failure.reason === 'FieldValueInvalid' ? '' : ` [${failure.reason}]`;
    const message = failure.evaluationError
      ? `${failure.message}${reason}: the rule could not be evaluated (${failure.evaluationError})`
      : `${failure.message}${reason}`;
    problems.push({
      code: 'TM_CEL_RULE_FAILED',
      severity: 'error',
      path: failure.path,
      message: detail(message, describeReceived(failure.value), undefined, failure.rule.replace(/\s+/g, ' ')),
    });
  }
  if (state.webhook) {
    for (const f of state.webhookResults ? state.webhookResults.validate(manifest) : validateWebhook(manifest)) {
      problems.push({ code: f.code, severity: f.severity, path: webhookPathString(f.path) || undefined, message: f.message, fix: f.fix });
    }
  }
  problems.push(...metadataProblems(manifest.metadata, 'dns1123-subdomain', hit.crd.scope === 'Namespaced'));
  return problems;
}

function metadataProblems(metadata: unknown, nameRule: NameRule, namespaced: boolean): Problem[] {
  return checkMetadata(metadata, nameRule, namespaced).map((f) => ({
    code: 'TM_INVALID_METADATA', severity: 'error', path: f.path, message: detail(f.message, f.received, f.allowed),
  }));
}

function detail(message: string, received: string | undefined, allowed: string | undefined, rule?: string): string {
  let out = message;
  if (received !== undefined) out += `; received ${received}`;
  if (allowed !== undefined && allowed !== '') out += `; allowed: ${allowed}`;
  if (rule !== undefined) out += `; rule: ${rule}`;
  return out;
}

/** `Kind namespace/name`, or `Kind name`, or `Kind #index` for an unnamed object. */
function describeObject(manifest: unknown, index: number): string {
  if (!isRecord(manifest)) return `manifest #${index}`;
  const kind = typeof manifest.kind === 'string' && manifest.kind !== '' ? manifest.kind : `manifest #${index}`;
  const meta = isRecord(manifest.metadata) ? manifest.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : undefined;
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : undefined;
  if (name === undefined) return kind.startsWith('manifest') ? kind : `${kind} #${index}`;
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** Scalars as they are; for an object, which fields it has (the rule is usually about those). */
function describeReceived(value: unknown): string {
  if (isRecord(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    return keys.length > 0 ? `an object with ${keys.join(', ')}` : 'an empty object';
  }
  return describeValue(value);
}

function withoutField(location: SourceLocation): SourceLocation | undefined {
  const { field: _field, ...rest } = location;
  return Object.keys(rest).length > 0 ? rest : undefined;
}
