/**
 * The learned intentions as a draft TypeScript declaration with trustmesh's constructs: one
 * namespace per namespace seen, one service per workload (its service account and `app` label,
 * the ports it was called on), and one `allowFrom` per observed call path with the methods and
 * the collapsed path patterns used. Unexpected connections and the call paths left out are listed
 * in the header comment; the draft is for a human to review, never applied as is.
 *
 * @module
 */
import { InventoryWorkload } from './inventory';
import { destinationId, LearnedEdge, LearnedSource, LearnResult } from './learn';
import { workloadName } from './resolve-request';
import { appendAll } from '../../private/arrays';

/** Options of {@link renderLearnedDraft}. */
export interface DraftOptions {
  /** The module the constructs come from. @default 'trustmesh' */
  readonly importFrom?: string;
  /** @default 'cluster.local' */
  readonly trustDomain?: string;
  /** The traffic files, for the header. */
  readonly files?: readonly string[];
}

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

interface Declared {
  readonly variable: string;
  readonly namespace: string;
  readonly name: string;
  readonly serviceAccount: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly ports: Map<number, 'HTTP' | 'TCP'>;
}

/** Renders the draft. */
export function renderLearnedDraft(result: LearnResult, options: DraftOptions = {}): string {
  const declared = new Map<string, Declared>();
  const variables = new Set<string>();
  const declare = (w: InventoryWorkload): Declared => {
    const id = `${w.namespace}/${w.serviceAccount}/${JSON.stringify(selectorOf(w))}`;
    let d = declared.get(id);
    if (!d) {
      let name = dnsName(workloadName(w));
      if ([...declared.values()].some((x) => x.namespace === w.namespace && x.name === name)) name = dnsName(`${name}-${w.serviceAccount}`);
      const selector = selectorOf(w);
      d = {
        variable: uniqueVariable(camel(`${w.namespace}-${name}`), variables),
        namespace: w.namespace,
        name,
        serviceAccount: w.serviceAccount,
        ...(JSON.stringify(selector) !== JSON.stringify({ app: name }) ? { labels: selector } : {}),
        ports: new Map(),
      };
      declared.set(id, d);
    }
    return d;
  };
  for (const e of result.edges) declare(e.destination).ports.set(e.port, e.protocol);
  for (const e of result.edges) if (e.source.workload) declare(e.source.workload);
  const plaintextInto = new Set(result.edges.filter((e) => e.source.kind === 'plaintext').map((e) => e.destination.namespace));
  const namespaces = [...new Set([...declared.values()].map((d) => d.namespace))].sort();
  const nsVar = new Map(namespaces.map((ns) => [ns, uniqueVariable(camel(`${ns}-namespace`), variables)]));
  const attributes: string[] = [];
  const peerOf = (s: LearnedSource): string => {
    if (s.kind === 'plaintext') return `Peer.ipBlocks([${q(s.id.includes(':') ? `${s.id}/128` : `${s.id}/32`)}])`;
    if (s.workload) return declare(s.workload).variable;
    const v = uniqueVariable(camel(`${s.namespace ?? 'external'}-${s.serviceAccount ?? 'peer'}`), variables);
    attributes.push(`  const ${v} = MeshService.fromAttributes(mesh, ${q(`${s.namespace}-${s.serviceAccount}`)}, `
      + `{ namespace: ${q(s.namespace ?? '')}, name: ${q(s.serviceAccount ?? '')}, serviceAccount: ${q(s.serviceAccount ?? '')} });`);
    return v;
  };
  const intentions = result.edges.map((e) => `  ${declare(e.destination).variable}.allowFrom(${peerOf(e.source)}${matchOf(e, declare(e.destination))});`
    + ` // ${e.count.toLocaleString('en-US')} request(s)`);
  const usesMethod = result.edges.some((e) => e.methods.some((m) => HTTP_METHODS.has(m)));
  const usesPort = [...declared.values()].some((d) => d.ports.size > 0);
  const imports = ['Mesh', 'TrustmeshApp', 'runSynth', ...(usesMethod ? ['HttpMethod'] : []), ...(plaintextInto.size > 0 ? ['MtlsMode', 'Peer'] : []),
    ...(attributes.length > 0 ? ['MeshService'] : []), ...(usesPort ? ['Port'] : [])].sort((a, b) => a.localeCompare(b, 'en'));

  const out: string[] = [
    `// Draft intentions learned by \`trustmesh learn\` from ${result.requests.toLocaleString('en-US')} recorded request(s)`
      + `${options.files?.length ? ` in ${options.files.join(', ')}` : ''}.`,
    '// Every call path that was served is allowed, nothing else (default deny). Review it before use:',
    '// rename services, merge path patterns, and drop what should not be allowed.',
    ...comments('Unexpected connections (allowed in this draft because they were served; look at them):',
      result.unexpected.map((u) => `${u.source} -> ${u.destination}: ${u.reason} (${u.count}, e.g. ${u.example})`)),
    ...comments('Call paths seen less than --min-count times (left out):', result.rare.map((r) => `${r.source} -> ${r.destination} (${r.count})`)),
    ...comments('Entries not learned from:', Object.entries(result.skipped).map(([reason, c]) => `${reason}: ${c}`)),
    `import { ${imports.join(', ')} } from ${q(options.importFrom ?? 'trustmesh')};`,
    '',
    '/** The learned mesh, in an app. */',
    'export function learnedMesh(app: TrustmeshApp): Mesh {',
    `  const mesh = new Mesh(app, 'learned'${options.trustDomain && options.trustDomain !== 'cluster.local' ? `, { trustDomain: ${q(options.trustDomain)} }` : ''});`,
  ];
  for (const ns of namespaces) {
    const mtls = plaintextInto.has(ns) ? ', { mtls: MtlsMode.PERMISSIVE } /* plaintext callers were seen */' : '';
    out.push(`  const ${nsVar.get(ns)} = mesh.addNamespace(${q(ns)}${mtls});`);
  }
  for (const d of [...declared.values()].sort((a, b) => a.variable.localeCompare(b.variable, 'en'))) {
    const props: string[] = [];
    if (d.serviceAccount !== d.name) props.push(`serviceAccount: ${q(d.serviceAccount)}`);
    if (d.labels) props.push(`labels: { ${Object.entries(d.labels).map(([k, v]) => `${propertyKey(k)}: ${q(v)}`).join(', ')} }`);
    if (d.ports.size > 0) {
      props.push(`ports: [${[...d.ports].sort(([a], [b]) => a - b).map(([p, proto]) => `Port.${proto === 'HTTP' ? 'http' : 'tcp'}(${p})`).join(', ')}]`);
    }
    out.push(`  const ${d.variable} = ${nsVar.get(d.namespace)}.addService(${q(d.name)}${props.length > 0 ? `, { ${props.join(', ')} }` : ''});`);
  }
  appendAll(out, attributes);
  out.push('');
  appendAll(out, intentions);
  out.push('  return mesh;', '}', '');
  out.push('if (require.main === module) {', '  void runSynth(() => {', '    const app = new TrustmeshApp();', '    learnedMesh(app);', '    return app;', '  });', '}', '');
  return out.join('\n');
}

function matchOf(e: LearnedEdge, d: Declared): string {
  const parts: string[] = [];
  if (e.protocol === 'TCP' || d.ports.size > 1) parts.push(`ports: [${e.port}]`);
  if (e.protocol === 'HTTP' && e.methods.length > 0) {
    parts.push(`methods: [${e.methods.map((m) => (HTTP_METHODS.has(m) ? `HttpMethod.${m}` : q(m))).join(', ')}]`);
  }
  if (e.protocol === 'HTTP' && e.paths.length > 0) parts.push(`paths: [${e.paths.map(q).join(', ')}]`);
  return parts.length > 0 ? `, { ${parts.join(', ')} }` : '';
}

/** The labels a policy should select the workload by: its `app` label, else its stable labels. */
function selectorOf(w: InventoryWorkload): Readonly<Record<string, string>> {
  if (w.labels.app !== undefined) return { app: w.labels.app };
  const stable = Object.entries(w.labels).filter(([k]) => !/(^|\/)(pod-template-hash|controller-revision-hash|pod-name)$|^security\.istio\.io\/|^service\.istio\.io\//.test(k));
  return Object.fromEntries(stable.sort(([a], [b]) => (a < b ? -1 : 1)));
}

function comments(title: string, lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : ['//', `// ${title}`, ...lines.map((l) => `//   ${l}`)];
}

function dnsName(s: string): string {
  const n = s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return n === '' ? 'workload' : n;
}

function camel(s: string): string {
  const words = s.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const v = words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join('');
  return /^[0-9]/.test(v) ? `w${v}` : v || 'w';
}

function uniqueVariable(base: string, taken: Set<string>): string {
  let v = base;
  for (let i = 2; taken.has(v); i++) v = `${base}${i}`;
  taken.add(v);
  return v;
}

function q(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, '\\\'')}'`;
}

function propertyKey(k: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : q(k);
}

/** The learned edges as `source -> destination` lines (for the JSON output). */
export function edgeLines(result: LearnResult): string[] {
  return result.edges.map((e) => `${e.source.id} -> ${destinationId(e)} ${e.protocol} ${e.methods.join(',')} ${e.paths.join(',')} (${e.count})`);
}
