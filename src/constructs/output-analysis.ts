/**
 * The analyzer pass of a synth: {@link TrustmeshApp} lints what it is about to write with the very
 * analyzer `trustmesh analyze` and the cdk8s validation plugin run, so that synth never writes what
 * they would call an error, and the three report the same findings.
 *
 * Each output folder (one mesh, applied to one cluster) is analyzed on its own — the same grouping
 * the validation plugin uses — with that mesh's root namespace, trust domain and path
 * normalization. The input is the reviewable files as the config loader reads them, in memory: their
 * objects, with positions taken from their YAML text (key material is never analyzed, as
 * `trustmesh analyze dist/` never sees it). Every
 * finding keeps its `file:line:column` and gains the construct path of the ApiObject that produced
 * the object it is about.
 *
 * @module
 */
import { Mesh } from './mesh';
import { analyze } from '../analysis/analyzer/analyzer';
import { LoadedObject } from '../analysis/config/istio-config';
import { mergeConfigs, parseConfigDocuments } from '../analysis/config/load-config';
import { DEFAULT_MESH_CONFIG, meshConfig, MeshConfig } from '../analysis/config/mesh-config';
import { Diagnostic, ErrorCode } from '../errors';
import { IstioVersion } from '../model/istio-version';
import type { WebhookResults } from '../validate/webhook/validate-webhook';

/** One reviewable manifest file of a synth. */
export interface OutputManifestFile {
  /** Path relative to the output directory, with `/` separators. */
  readonly path: string;
  /** Its YAML stream, as it will be written. */
  readonly content: string;
  /** Each object in the file with the construct path of the ApiObject that produced it. */
  readonly objects: readonly { readonly manifest: Record<string, unknown>; readonly constructPath: string }[];
}

/** Options of {@link analyzeOutput}. */
export interface AnalyzeOutputOptions {
  /**
   * The mesh settings of an output folder.
   * @default - Istio's defaults for every folder
   */
  readonly meshConfigOf?: (folder: string) => MeshConfig;
  /**
   * The Istio release an output folder targets (its mesh's `istioVersion`): on 1.0–1.5 the legacy
   * APIs a legacy mesh renders are in force, and not reported as leftovers.
   * @default - a current release for every folder
   */
  readonly istioVersionOf?: (folder: string) => IstioVersion | undefined;
  /**
   * How a file is named in findings, e.g. with the output directory in front.
   * @default - the path relative to the output directory
   */
  readonly displayPath?: (file: string) => string;
  /**
   * The webhook findings synth's validation already computed for these objects.
   * @default - computed by the analyzer
   */
  readonly webhookResults?: WebhookResults;
}

/**
 * Analyzes the reviewable manifest files of a synth, folder by folder.
 * @returns the findings, each located at the file position and the construct path of its object
 */
export function analyzeOutput(files: readonly OutputManifestFile[], options: AnalyzeOutputOptions = {}): Diagnostic[] {
  const display = options.displayPath ?? ((f: string): string => f);
  const byFolder = new Map<string, OutputManifestFile[]>();
  for (const f of files) {
    const folder = outputFolder(f.path);
    const group = byFolder.get(folder);
    if (group) group.push(f);
    else byFolder.set(folder, [f]);
  }
  const out: Diagnostic[] = [];
  for (const [folder, group] of byFolder) {
    const owners = new ConstructIndex();
    const configs = group.map((f) => {
      const config = parseConfigDocuments(f.content, f.objects.map((o) => o.manifest), display(f.path));
      owners.add(config.objects, f.objects);
      return config;
    });
    const config = mergeConfigs(configs);
    const findings = analyze(config, {
      meshConfig: options.meshConfigOf?.(folder) ?? DEFAULT_MESH_CONFIG,
      inventory: 'auto',
      istioVersion: options.istioVersionOf?.(folder),
      webhookResults: options.webhookResults,
    });
    for (const d of findings) out.push(withConstructFix(owners.attribute(d)));
  }
  return out;
}

/**
 * The analysis settings of each output folder: those of the (first) mesh written there.
 * @param constructs every construct of the app
 */
export function meshConfigsByFolder(constructs: readonly unknown[]): (folder: string) => MeshConfig {
  const byFolder = new Map<string, MeshConfig>();
  for (const c of constructs) {
    if (!Mesh.isMesh(c)) continue;
    const folder = outputFolder(`${c.node.path}/`);
    if (byFolder.has(folder)) continue;
    byFolder.set(folder, meshConfig({
      rootNamespace: c.rootNamespace,
      trustDomain: c.trustDomain,
      trustDomainAliases: c.trustDomainAliases,
      pathNormalization: c.pathNormalization,
    }));
  }
  return (folder) => byFolder.get(folder) ?? DEFAULT_MESH_CONFIG;
}

/**
 * The Istio release of each output folder: that of the (first) mesh written there.
 * @param constructs every construct of the app
 */
export function istioVersionsByFolder(constructs: readonly unknown[]): (folder: string) => IstioVersion | undefined {
  const byFolder = new Map<string, IstioVersion>();
  for (const c of constructs) {
    if (!Mesh.isMesh(c)) continue;
    const folder = outputFolder(`${c.node.path}/`);
    if (!byFolder.has(folder)) byFolder.set(folder, c.istioVersion);
  }
  return (folder) => byFolder.get(folder);
}

/** How to act on a finding in the constructs, where that differs from editing the YAML. */
const CONSTRUCT_FIXES: Readonly<Partial<Record<ErrorCode, string>>> = {
  TM_PATH_NORMALIZATION_BYPASS: 'In trustmesh: once your MeshConfig normalizes paths that way, say so with '
    + 'new Mesh(scope, id, { pathNormalization: \'MERGE_SLASHES\' }); or allowFrom() the public paths instead of denying these.',
  TM_MTLS_FIELDS_WITHOUT_MTLS: 'In trustmesh: keep mTLS on for a service whose intentions name peers (no mtls: MtlsMode.DISABLE '
    + 'or PERMISSIVE on the service or that port), or name plaintext callers by address with Peer.ipBlocks([...]).',
};

function withConstructFix(d: Diagnostic): Diagnostic {
  const hint = CONSTRUCT_FIXES[d.code];
  return hint ? { ...d, fix: d.fix ? `${d.fix} ${hint}` : hint } : d;
}

/** The top-level folder of an output path (`''` for a file at the top). */
export function outputFolder(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? '' : file.slice(0, slash);
}

/**
 * Maps positions in the parsed files back to the construct that produced the object there. Built
 * on the first finding that asks: a synth without findings (the usual one) never keys its objects.
 */
class ConstructIndex {
  private readonly files: { readonly loaded: readonly LoadedObject[]; readonly records: OutputManifestFile['objects'] }[] = [];
  private byFile: Map<string, { line: number; constructPath: string }[]> | undefined;

  /** Registers the parsed objects of one file, to be matched to its records by kind, namespace and name. */
  public add(loaded: readonly LoadedObject[], records: OutputManifestFile['objects']): void {
    this.files.push({ loaded, records });
  }

  /** The finding with the construct path of the object its position falls in. */
  public attribute(d: Diagnostic): Diagnostic {
    const l = d.location;
    if (!l?.file || l.line === undefined || l.constructPath !== undefined) return d;
    let owner: string | undefined;
    for (const o of this.index().get(l.file) ?? []) {
      if (o.line > l.line) break;
      owner = o.constructPath;
    }
    return owner === undefined ? d : { ...d, location: { ...l, constructPath: owner } };
  }

  private index(): Map<string, { line: number; constructPath: string }[]> {
    if (this.byFile) return this.byFile;
    const byFile = new Map<string, { line: number; constructPath: string }[]>();
    for (const { loaded, records } of this.files) {
      const paths = new Map<string, string>();
      for (const r of records) paths.set(objectKey(r.manifest), r.constructPath);
      for (const o of loaded) {
        const constructPath = paths.get(objectKey(o.body));
        if (constructPath === undefined) continue;
        const list = byFile.get(o.source.file) ?? [];
        list.push({ line: o.source.line, constructPath });
        byFile.set(o.source.file, list);
      }
    }
    this.byFile = byFile;
    return byFile;
  }
}

function objectKey(manifest: Readonly<Record<string, unknown>>): string {
  const metadata = (manifest.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  return `${String(manifest.apiVersion)}/${String(manifest.kind)}/${String(metadata.namespace ?? '')}/${String(metadata.name ?? '')}`;
}
