import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TrustmeshApp, TrustmeshAppProps } from '../src/constructs/trustmesh-app';
import { TrustmeshAggregateError, TrustmeshError } from '../src/errors';
import { DEFAULT_ISTIO_VERSION } from '../src/model/istio-version';
import { MeshSpec } from '../src/model/mesh-spec';

/** A TrustmeshApp writing into fresh temp directories. */
export function tempApp(props: TrustmeshAppProps = {}): TrustmeshApp {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trustmesh-test-'));
  return new TrustmeshApp({ outdir: path.join(dir, 'dist'), secretsOutdir: path.join(dir, 'secrets'), onWarning: () => undefined, ...props });
}

/** Synthesized objects of an app (in output order), without writing. */
export function manifestsOf(app: TrustmeshApp): Record<string, any>[] {
  return app.synthOutput().manifests.map((m) => m.manifest as Record<string, any>);
}

/** The object of a kind and name (fails the test when missing). */
export function find(manifests: readonly Record<string, any>[], kind: string, name: string, namespace?: string): Record<string, any> {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind} ${namespace ?? '*'}/${name} in [${manifests.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`).join(', ')}]`);
  return found;
}

/** Runs fn and returns the TrustmeshError it throws (fails when it does not throw one). */
export function catchTrustmesh(fn: () => unknown): TrustmeshError {
  try {
    fn();
  } catch (e) {
    if (TrustmeshError.isTrustmeshError(e)) return e;
    throw new Error(`expected a TrustmeshError, got: ${String(e)}`);
  }
  throw new Error('expected a TrustmeshError, nothing was thrown');
}

/** Every file under dir (recursively): path relative to dir → content. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** The coded errors of a synth that fails (fails the test when the synth succeeds). */
export function synthErrors(app: TrustmeshApp): { code: string; message: string }[] {
  try {
    app.synthOutput();
  } catch (e) {
    if (e instanceof TrustmeshAggregateError) return e.errors.map((x) => ({ code: x.code, message: x.message }));
    throw e;
  }
  throw new Error('synth succeeded');
}

/**
 * A whole {@link MeshSpec} for model-level tests: mesh `m`, trust domain and cluster domain
 * `cluster.local`, root namespace `istio-system`, Istio 1.30, STRICT, default deny, nothing
 * declared — with `overrides` on top.
 */
export function meshSpec(overrides: Partial<MeshSpec> = {}): MeshSpec {
  return {
    name: 'm',
    trustDomain: 'cluster.local',
    trustDomainAliases: [],
    rootNamespace: 'istio-system',
    clusterDomain: 'cluster.local',
    istioVersion: DEFAULT_ISTIO_VERSION,
    mtls: 'STRICT',
    defaultAccess: 'DENY',
    namespaces: [],
    services: [],
    issuers: [],
    intentions: [],
    ...overrides,
  };
}

/** Options of {@link crdYaml}. */
export interface CrdYamlOptions {
  /** @default 'example.com' */
  readonly group?: string;
  /** @default - the kind in lower case, plus "s" */
  readonly plural?: string;
  /** @default 'Namespaced' */
  readonly scope?: 'Namespaced' | 'Cluster';
  /** @default 'v1' */
  readonly version?: string;
  /** `metadata.name`. @default - none */
  readonly name?: string;
}

/**
 * A CustomResourceDefinition of one kind and one served, stored version, as YAML: the skeleton
 * around `schema`, the `openAPIV3Schema` (YAML written from column 0).
 */
export function crdYaml(kind: string, schema: string, options: CrdYamlOptions = {}): string {
  const indented = schema.trimEnd().split('\n').map((line) => (line ? `        ${line}` : line));
  return [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    ...(options.name ? ['metadata:', `  name: ${options.name}`] : []),
    'spec:',
    `  group: ${options.group ?? 'example.com'}`,
    `  names: {kind: ${kind}, plural: ${options.plural ?? `${kind.toLowerCase()}s`}}`,
    `  scope: ${options.scope ?? 'Namespaced'}`,
    '  versions:',
    `  - name: ${options.version ?? 'v1'}`,
    '    served: true',
    '    storage: true',
    '    schema:',
    '      openAPIV3Schema:',
    ...indented,
    '',
  ].join('\n');
}
