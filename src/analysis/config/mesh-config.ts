/**
 * The MeshConfig settings that change authorization decisions, read from the same file
 * `istioctl analyze --meshConfigFile` takes.
 *
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/
 * @module
 */
import { parseYamlDocuments } from './yaml-source';
import { TrustmeshError } from '../../errors';
import { readTextFile } from '../../private/fs-read';
import { isRecord } from '../../private/records';
import { PATH_NORMALIZATIONS, PathNormalization } from '../../semantics/path-normalization';

/** MeshConfig, reduced to what the analysis needs. */
export interface MeshConfig {
  /** Policies here apply mesh-wide. @default 'istio-system' */
  readonly rootNamespace: string;
  /** @default 'cluster.local' */
  readonly trustDomain: string;
  /** Identities in these trust domains are treated as the mesh's own. @default [] */
  readonly trustDomainAliases: readonly string[];
  /** Path normalization before authorization. @default 'BASE' */
  readonly pathNormalization: PathNormalization;
  /**
   * `defaultConfig.gatewayTopology.numTrustedProxies`: with 0, `remote.ip` is the downstream
   * connection address; with N > 0 it is the Nth address from the right of `X-Forwarded-For`
   * (the downstream address when the header has fewer entries).
   * @default 0
   */
  readonly numTrustedProxies: number;
  /** Names of `extensionProviders` (targets of CUSTOM policies). @default [] */
  readonly extensionProviders: readonly string[];
  /** @default true */
  readonly enableAutoMtls: boolean;
  /** The file this came from, if any. */
  readonly file?: string;
  /**
   * The MeshConfig document as written, for settings read only by single analyzer rules
   * (`defaultConfig.proxyMetadata`, `defaultProviders`, `extensionProviders[]` types, …).
   * @default - absent: Istio's defaults
   */
  readonly raw?: Readonly<Record<string, unknown>>;
}

/** Istio's defaults (`pkg/config/mesh/mesh.go` `DefaultMeshConfig`). */
export const DEFAULT_MESH_CONFIG: MeshConfig = Object.freeze({
  rootNamespace: 'istio-system',
  trustDomain: 'cluster.local',
  trustDomainAliases: Object.freeze([]) as readonly string[],
  pathNormalization: 'BASE',
  numTrustedProxies: 0,
  extensionProviders: Object.freeze([]) as readonly string[],
  enableAutoMtls: true,
});

/** A MeshConfig with the given fields and Istio's defaults for the rest. */
export function meshConfig(overrides: Partial<MeshConfig> = {}): MeshConfig {
  return { ...DEFAULT_MESH_CONFIG, ...overrides };
}

/**
 * Reads a MeshConfig file. Accepts the MeshConfig document itself (what `istioctl analyze
 * --meshConfigFile` reads), the `istio` ConfigMap (its `data.mesh`), or an IstioOperator
 * (`spec.meshConfig`). Fields not read here are ignored.
 *
 * @throws TrustmeshError `TM_FILE_NOT_FOUND`, `TM_YAML_PARSE` or `TM_MESH_CONFIG_INVALID`.
 */
export function loadMeshConfig(file: string): MeshConfig {
  const text = readTextFile(file, 'cannot read the mesh config file',
    'Pass the path of a MeshConfig YAML file (as for istioctl analyze --meshConfigFile).');
  return parseMeshConfig(text, file);
}

/** Parses MeshConfig YAML text; see {@link loadMeshConfig}. */
export function parseMeshConfig(text: string, file = '<mesh-config>'): MeshConfig {
  const root = parseSingleYaml(text, file);
  let mesh: unknown = root;
  if (isRecord(root) && root.kind === 'ConfigMap') {
    const data = isRecord(root.data) ? root.data : {};
    const meshText = typeof data.mesh === 'string' ? data.mesh : '';
    mesh = parseSingleYaml(meshText, `${file} (data.mesh)`);
  } else if (isRecord(root) && root.kind === 'IstioOperator') {
    const spec = isRecord(root.spec) ? root.spec : {};
    mesh = spec.meshConfig ?? {};
  }
  if (mesh === null || mesh === undefined) mesh = {};
  if (!isRecord(mesh)) {
    throw invalid(file, '(root)', 'a MeshConfig must be a YAML mapping', mesh, 'a mapping such as "rootNamespace: istio-system"');
  }
  const str = (key: string, fallback: string): string => {
    const v = mesh[key as keyof typeof mesh];
    if (v === undefined || v === null || v === '') return fallback;
    if (typeof v !== 'string') throw invalid(file, key, `${key} must be a string`, v, 'string');
    return v;
  };
  const aliases = mesh.trustDomainAliases ?? [];
  if (!Array.isArray(aliases) || !aliases.every((a) => typeof a === 'string')) {
    throw invalid(file, 'trustDomainAliases', 'trustDomainAliases must be a list of strings', aliases, 'string[]');
  }
  let pathNormalization: PathNormalization = 'BASE';
  const pn = mesh.pathNormalization;
  if (pn !== undefined && pn !== null) {
    const n = isRecord(pn) ? pn.normalization : undefined;
    if (n !== undefined && n !== null && n !== 'DEFAULT') {
      if (typeof n !== 'string' || !(PATH_NORMALIZATIONS as readonly string[]).includes(n)) {
        throw invalid(file, 'pathNormalization.normalization', 'unknown path normalization', n, `DEFAULT, ${PATH_NORMALIZATIONS.join(', ')}`);
      }
      pathNormalization = n as PathNormalization;
    }
  }
  let numTrustedProxies = 0;
  const dc = mesh.defaultConfig;
  if (isRecord(dc) && isRecord(dc.gatewayTopology)) {
    const n = dc.gatewayTopology.numTrustedProxies;
    if (n !== undefined && n !== null) {
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
        throw invalid(file, 'defaultConfig.gatewayTopology.numTrustedProxies', 'numTrustedProxies must be a non-negative integer', n, '0, 1, 2, …');
      }
      numTrustedProxies = n;
    }
  }
  const providers: string[] = [];
  if (Array.isArray(mesh.extensionProviders)) {
    for (const p of mesh.extensionProviders) if (isRecord(p) && typeof p.name === 'string') providers.push(p.name);
  }
  const autoMtls = mesh.enableAutoMtls;
  return {
    rootNamespace: str('rootNamespace', DEFAULT_MESH_CONFIG.rootNamespace),
    trustDomain: str('trustDomain', DEFAULT_MESH_CONFIG.trustDomain),
    trustDomainAliases: aliases as string[],
    pathNormalization,
    numTrustedProxies,
    extensionProviders: providers,
    enableAutoMtls: typeof autoMtls === 'boolean' ? autoMtls : true,
    file,
    raw: mesh,
  };
}

function parseSingleYaml(text: string, file: string): unknown {
  const first = parseYamlDocuments(text, file).find((d) => d.value !== null);
  return first ? first.value : {};
}

function invalid(file: string, field: string, summary: string, value: unknown, allowed: string): TrustmeshError {
  return new TrustmeshError('TM_MESH_CONFIG_INVALID', summary, { location: { file, field }, value, allowed });
}
