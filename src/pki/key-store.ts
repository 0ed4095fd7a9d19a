import { Duration } from 'cdk8s';
import { TrustmeshError } from '../errors';
import { CaMaterial, CredentialKind } from './ca-material';
import { Clock } from './clock';
import { KeyAlgorithm } from './key-algorithm';
import { KeyGenerationProgress, KeyGenerator } from './key-generator';
import { CredentialRecord, RESERVED_CLUSTER_NAMES, StoreFiles, StoreMetadata } from './key-store-layout';
import { parseState, renderState, StoreState, stateToMaterial } from './key-store-state';
import { validateClusterName, validateCredentialName, validateHostName, validateNamespace, validateTrustDomain } from './names';
import { DEFAULT_TTL, Pki, PkiOptions } from './pki';
import { abortRotation, beginRotation, reissueUnderNextRoot, retirePreviousRoot } from './root-rotation';
import { readStoreView } from './store-files';
import { inspectState, StoreInspection } from './store-inspection';
import { describe, issueCredential, issueIntermediate, issueRoot, reissue, StoreChange } from './store-issuance';
import { describeLeftover } from './store-recovery';
import { hasContent, missing, updateStore } from './store-update';
import { formatTtl } from './ttl';

/** Options of {@link KeyStore.at}. */
export interface KeyStoreOptions extends PkiOptions {
  /**
   * Called when a key generation starts and finishes.
   * @default - no progress reporting
   */
  readonly onProgress?: (event: KeyGenerationProgress) => void;
}

/** Options of {@link KeyStore.init}. */
export interface KeyStoreInitOptions {
  /** Clusters that need an intermediate. Existing ones are kept. @default - none (root only) */
  readonly clusters?: readonly string[];
  /** @default - the store's, or 'cluster.local' for a new store */
  readonly trustDomain?: string;
  /** Algorithm of the root and intermediates. @default - the store's, or ECDSA P-256 for a new store */
  readonly algorithm?: KeyAlgorithm;
  /** @default Duration.days(3650) */
  readonly rootTtl?: Duration;
  /** @default Duration.days(1825) */
  readonly intermediateTtl?: Duration;
  /** Namespace of istiod, for the intermediates' `istiod.<ns>.svc` SAN. @default 'istio-system' */
  readonly istiodNamespace?: string;
  /** Replace all existing material with new material. @default false */
  readonly force?: boolean;
}

/** Options of {@link KeyStore.issue}. */
export interface IssueCredentialOptions {
  /** Credential name (DNS-1123 label): the key-store folder and the default Secret name. */
  readonly name: string;
  /** `gateway` (TLS server certificate for host names) or `client` (TLS client certificate). */
  readonly kind: CredentialKind;
  /** Cluster whose intermediate signs it. @default - the only cluster (an error when there are several) */
  readonly cluster?: string;
  /** Host names (gateway: required; client: optional DNS SANs). @default - none */
  readonly hosts?: readonly string[];
  /** Client subject CN. @default - the credential name */
  readonly commonName?: string;
  /** Client URI SANs (e.g. a SPIFFE ID). @default - none */
  readonly uris?: readonly string[];
  /** @default Duration.days(90) */
  readonly ttl?: Duration;
  /** @default - the CA algorithm's leaf default (ECDSA P-256, or RSA 2048 under RSA CAs) */
  readonly algorithm?: KeyAlgorithm;
  /** Replace an existing credential of this name that was issued with other parameters. @default false */
  readonly force?: boolean;
}

/** What a key-store command did. */
export interface StoreReport {
  readonly dir: string;
  readonly changes: readonly StoreChange[];
  /** Whether anything was written (false when everything was kept). */
  readonly written: boolean;
  /** What the operator should do next (rotation steps), if anything. */
  readonly nextStep?: string;
  /**
   * What the command did first to recover from an interrupted earlier command (one line each).
   * @default - nothing to recover
   */
  readonly recovered?: readonly string[];
}

/** What {@link KeyStore.init} did, and the clusters the store now has intermediates for. */
export interface KeyStoreInitReport extends StoreReport {
  /** Every cluster with an intermediate after the run (created or kept), sorted. */
  readonly clusters: readonly string[];
}

/**
 * The CA key store: a git-ignored directory (0700, files 0600) laid out like the output of Istio's
 * `tools/certs` makefiles, plus `trustmesh-ca.json` metadata. Key material in it is never silently
 * regenerated: `init` keeps what exists and adds what is missing, and only `force` replaces it.
 * Every update is crash-safe: a kill at any instant leaves the old store or the new one, and a root
 * is never created while an interrupted command's key material lies beside the store (docs/ca.md).
 *
 * @example
 * const store = KeyStore.at('.trustmesh/ca');
 * await store.init({ clusters: ['east', 'west'] });
 * const material = await store.load(); // for new CertificateAuthority(...)
 */
export class KeyStore {
  /** The store in `dir` (it need not exist yet). */
  public static at(dir: string, options: KeyStoreOptions = {}): KeyStore {
    return new KeyStore(dir, options);
  }

  /** The directory. */
  public readonly dir: string;
  private readonly clock: Clock;
  private readonly pki: Pki;

  private constructor(dir: string, options: KeyStoreOptions) {
    this.dir = dir;
    this.clock = options.clock ?? Clock.system();
    const generator = options.keyGenerator ?? KeyGenerator.webCrypto();
    const keyGenerator = options.onProgress ? KeyGenerator.withProgress(generator, options.onProgress) : generator;
    this.pki = new Pki({ clock: this.clock, keyGenerator, serialNumbers: options.serialNumbers });
  }

  /**
   * Creates the root and the intermediates of `clusters` that do not exist yet; keeps everything
   * else byte for byte. Writes nothing when nothing is missing. Never creates a root while key
   * material it cannot read, or an interrupted command's leftovers, lie in the store's folder.
   * @throws TrustmeshError `TM_CA_MISMATCH` when the store was created with another trust domain
   * or algorithm (unless `force`), `TM_CA_STORE_INTERRUPTED`, `TM_CA_STORE_AMBIGUOUS`, the reading
   * codes, plus the input validation codes.
   */
  public async init(options: KeyStoreInitOptions = {}): Promise<KeyStoreInitReport> {
    const clusters = [...new Set((options.clusters ?? []).map(validateStoreClusterName))].sort();
    const trustDomain = options.trustDomain === undefined ? undefined : validateTrustDomain(options.trustDomain);
    const istiodNamespace = options.istiodNamespace === undefined ? undefined : validateNamespace(options.istiodNamespace);
    const update = await updateStore(this.dir, false, async (files) => {
      const changes: StoreChange[] = [];
      let state: StoreState | undefined;
      if (hasContent(files) && options.force) {
        changes.push({ action: 'replaced', subject: 'key store', detail: `--force: every file in ${this.dir} is replaced by new material` });
      } else if (hasContent(files)) {
        state = await parseState(this.dir, files);
        this.assertCompatible(state.metadata, trustDomain, options.algorithm, istiodNamespace);
      }
      if (state) {
        changes.push({ action: 'kept', subject: 'root CA', detail: describe(state.root) });
      } else {
        state = await this.newRoot({ ...options, trustDomain, istiodNamespace });
        changes.push({ action: 'created', subject: 'root CA', detail: describe(state.root) });
      }
      const base = state;
      const absent = clusters.filter((c) => !base.clusters.has(c));
      const metadata: StoreMetadata = options.intermediateTtl && absent.length > 0
        ? { ...base.metadata, intermediateTtl: formatTtl(options.intermediateTtl) }
        : base.metadata;
      const created = await Promise.all(absent.map((c) => issueIntermediate(this.pki, metadata, base.root, c)));
      const allClusters = new Map(base.clusters);
      absent.forEach((c, i) => allClusters.set(c, created[i]));
      const clusterNames = [...allClusters.keys()].sort();
      for (const c of clusterNames) {
        changes.push({ action: absent.includes(c) ? 'created' : 'kept', subject: `cluster ${c}`, detail: describe(allClusters.get(c)!) });
      }
      const next: StoreState = { ...base, metadata: { ...metadata, clusters: clusterNames }, clusters: allClusters };
      return { files: renderState(next), result: { changes, clusters: clusterNames } };
    });
    const { changes, clusters: all } = update.result;
    return { dir: this.dir, changes, written: update.written, clusters: all, ...recoveredOf(update.recovered) };
  }

  /**
   * Loads the material for the constructs, checking every key against its certificate and every
   * signature. Expired certificates load (the construct reports them at synth).
   * @throws TrustmeshError `TM_CA_STORE_MISSING`, `TM_CA_STORE_UNREADABLE`, `TM_CA_STORE_CORRUPT`,
   * `TM_CA_STORE_INTERRUPTED`, `TM_CA_BAD_PEM`, `TM_CA_KEY_MISMATCH`
   */
  public async load(): Promise<CaMaterial> {
    return stateToMaterial(await parseState(this.dir, this.requireFiles().files), this.dir);
  }

  /**
   * Checks every chain and reports each certificate's expiry, the rotation phase and file modes,
   * and any leftovers of an interrupted command beside the store.
   * @param warnWithin CA certificates expiring within this window are reported as expiring
   * @param credentialWarnWithin the same for gateway and client certificates (which live shorter)
   */
  public async inspect(warnWithin: Duration = Duration.days(90), credentialWarnWithin: Duration = Duration.days(30)): Promise<StoreInspection> {
    const { files, leftovers } = this.requireFiles();
    const inspection = await inspectState(this.dir, await parseState(this.dir, files), files, this.clock.now(), warnWithin, credentialWarnWithin);
    return { ...inspection, warnings: [...inspection.warnings, ...leftovers] };
  }

  /**
   * Issues a gateway (server) or client credential under a cluster intermediate. Re-running with
   * the same parameters keeps the existing one.
   * @throws TrustmeshError `TM_CA_CREDENTIAL_EXISTS` when one with other parameters exists (unless `force`)
   */
  public async issue(options: IssueCredentialOptions): Promise<StoreReport> {
    const name = validateCredentialName(options.name);
    if (options.kind !== 'gateway' && options.kind !== 'client') throw new TypeError(`unknown credential kind: ${String(options.kind)}`);
    const hosts = options.hosts?.map(validateHostName);
    return this.mutate(async (state) => {
      const cluster = this.pickCluster(state, options.cluster);
      const algorithm = options.algorithm ?? state.root.privateKey.algorithm.leafDefault;
      const record: CredentialRecord = {
        kind: options.kind,
        cluster,
        ...(hosts && hosts.length > 0 ? { hosts: [...new Set(hosts)].sort() } : {}),
        ...(options.kind === 'client' ? { commonName: options.commonName ?? name } : {}),
        ...(options.uris && options.uris.length > 0 ? { uris: [...options.uris].sort() } : {}),
        ttl: formatTtl(options.ttl ?? (options.kind === 'gateway' ? DEFAULT_TTL.server : DEFAULT_TTL.client)),
        algorithm: algorithm.name,
        issuedAt: this.clock.now().toISOString(),
      };
      const existing = state.credentials.get(name);
      if (existing && sameRequest(existing.record, record)) {
        return { state, changes: [{ action: 'kept', subject: `credential ${name}`, detail: describe(existing.issued) }], keep: true };
      }
      if (existing && !options.force) {
        throw new TrustmeshError('TM_CA_CREDENTIAL_EXISTS', `credential "${name}" exists and was issued with other parameters`, {
          value: { existing: { ...existing.record, issuedAt: undefined }, requested: { ...record, issuedAt: undefined } },
          fix: 'pass --force to replace it (and roll out the new Secret), or choose another --name',
        });
      }
      const issued = await issueCredential(this.pki, record, state.clusters.get(cluster)!);
      const credentials = new Map(state.credentials).set(name, { record, issued });
      const metadata = { ...state.metadata, credentials: { ...state.metadata.credentials, [name]: record } };
      return { state: { ...state, metadata, credentials }, changes: [{ action: existing ? 'replaced' : 'created', subject: `credential ${name}`, detail: describe(issued) }] };
    });
  }

  /**
   * Re-issues cluster intermediates and credentials with new keys under the current signing root
   * (before they expire). Credentials of a renewed cluster are re-issued too, since their issuer
   * changes.
   */
  public async renew(options: { readonly clusters?: readonly string[]; readonly credentials?: readonly string[] }): Promise<StoreReport> {
    return this.mutate(async (state) => {
      const clusters = [...new Set(options.clusters ?? [])].sort();
      for (const c of clusters) this.pickCluster(state, c);
      const names = new Set(options.credentials ?? []);
      for (const n of names) {
        if (!state.credentials.has(n)) {
          throw new TrustmeshError('TM_CA_UNKNOWN_CREDENTIAL', `the key store has no credential "${n}"`, {
            value: n, allowed: [...state.credentials.keys()].sort().join(', ') || '(none issued yet)',
          });
        }
      }
      if (clusters.length === 0 && names.size === 0) {
        throw new TrustmeshError('TM_CA_NOTHING_TO_DO', 'name what to renew', { fix: 'pass --cluster <name> and/or --credential <name>' });
      }
      for (const [n, c] of state.credentials) if (clusters.includes(c.record.cluster)) names.add(n);
      const renewed = await reissue(this.pki, state, state.root, { clusters, credentials: [...names] }, this.clock.now().toISOString());
      return {
        state: {
          ...state, metadata: { ...state.metadata, credentials: renewed.records }, clusters: renewed.clusters, credentials: renewed.credentials,
        },
        changes: renewed.changes,
        nextStep: 'apply the new cacerts Secrets and restart istiod in each renewed cluster; workloads pick up the new intermediate on their next certificate rotation (within 24h) or when restarted',
      };
    });
  }

  /** Step 1 of a root rotation: create a new root and trust both. See docs/ca.md. */
  public async beginRootRotation(options: { readonly algorithm?: KeyAlgorithm } = {}): Promise<StoreReport> {
    return this.mutate((state) => beginRotation(this.pki, state, this.clock.now(), options.algorithm));
  }

  /** Step 2 of a root rotation: re-issue intermediates and credentials under the new root. */
  public async reissueUnderNewRoot(): Promise<StoreReport> {
    return this.mutate((state) => reissueUnderNextRoot(this.pki, state, this.clock.now()));
  }

  /** Step 3 of a root rotation: drop the old root from the trust bundle and delete it. */
  public async retireRoot(): Promise<StoreReport> {
    return this.mutate(async (state) => retirePreviousRoot(state));
  }

  /** Undoes step 1 (only before step 2): deletes the new root. */
  public async abortRootRotation(): Promise<StoreReport> {
    return this.mutate(async (state) => abortRotation(state));
  }

  /** The committed store's files (it must exist), and a warning per leftover of an interrupted command beside it. */
  private requireFiles(): { files: StoreFiles; leftovers: string[] } {
    const view = readStoreView(this.dir);
    if (!hasContent(view.files)) throw missing(this.dir);
    const leftovers = view.scan.leftovers.map((l) => `${describeLeftover(l)}: left by an interrupted command; the next \`trustmesh ca\` command that writes recovers it`);
    return { files: view.files, leftovers };
  }

  /**
   * Runs one update of an existing store under its lock: `step` gets the committed state and
   * returns the next one, which is written unless the files stay the same (so re-runs touch nothing).
   */
  private async mutate(step: (state: StoreState) => Promise<Mutation>): Promise<StoreReport> {
    const update = await updateStore(this.dir, true, async (files) => {
      const result = await step(await parseState(this.dir, files!));
      return { files: result.keep ? undefined : renderState(result.state), result };
    });
    const { changes, nextStep } = update.result;
    return { dir: this.dir, changes, written: update.written, ...(nextStep ? { nextStep } : {}), ...recoveredOf(update.recovered) };
  }

  /** The state of a new store: metadata from the options, and a new root. */
  private async newRoot(options: KeyStoreInitOptions): Promise<StoreState> {
    const algorithm = options.algorithm ?? KeyAlgorithm.ECDSA_P256;
    const metadata: StoreMetadata = {
      format: 'trustmesh-ca/v1',
      trustDomain: options.trustDomain ?? 'cluster.local',
      algorithm: algorithm.name,
      organization: 'trustmesh',
      istiodNamespace: options.istiodNamespace ?? 'istio-system',
      createdAt: this.clock.now().toISOString(),
      rootGeneration: 1,
      rootTtl: formatTtl(options.rootTtl ?? DEFAULT_TTL.root),
      intermediateTtl: formatTtl(options.intermediateTtl ?? DEFAULT_TTL.intermediate),
      rotation: { phase: 'none' },
      clusters: [],
      credentials: {},
    };
    const root = await issueRoot(this.pki, metadata, 1, algorithm);
    return { metadata, root, clusters: new Map(), credentials: new Map(), otherFiles: new Map() };
  }

  private assertCompatible(
    metadata: StoreMetadata, trustDomain: string | undefined, algorithm: KeyAlgorithm | undefined, istiodNamespace: string | undefined,
  ): void {
    const fix = 'omit the option to keep the existing material, or pass --force to replace all of it (a new root: every cluster then needs its new cacerts Secret and restarts)';
    if (trustDomain !== undefined && trustDomain !== metadata.trustDomain) {
      throw new TrustmeshError('TM_CA_MISMATCH', `the key store in ${this.dir} was created for trust domain "${metadata.trustDomain}"`, { value: trustDomain, fix });
    }
    if (istiodNamespace !== undefined && istiodNamespace !== metadata.istiodNamespace) {
      throw new TrustmeshError('TM_CA_MISMATCH', `the intermediates in ${this.dir} name istiod in namespace "${metadata.istiodNamespace}"`, { value: istiodNamespace, fix });
    }
    if (algorithm !== undefined && algorithm.name !== metadata.algorithm) {
      throw new TrustmeshError('TM_CA_MISMATCH', `the key store in ${this.dir} uses ${metadata.algorithm}`, {
        value: algorithm.name, fix: `${fix}; to change the algorithm without an outage, rotate the root: \`trustmesh ca rotate begin --algorithm ${algorithm.name}\``,
      });
    }
  }

  private pickCluster(state: StoreState, cluster: string | undefined): string {
    const names = [...state.clusters.keys()].sort();
    if (cluster === undefined) {
      if (names.length === 1) return names[0];
      throw new TrustmeshError('TM_CA_CLUSTER_REQUIRED', names.length === 0 ? 'the key store has no cluster intermediate yet' : 'say which cluster\'s intermediate signs it', {
        allowed: names.join(', ') || undefined,
        fix: names.length === 0 ? 'create one with `trustmesh ca init --cluster <name>`' : `pass --cluster, e.g. --cluster ${names[0]}`,
      });
    }
    if (!state.clusters.has(cluster)) {
      throw new TrustmeshError('TM_CA_UNKNOWN_CLUSTER', `the key store has no cluster "${cluster}"`, {
        value: cluster, allowed: names.join(', ') || '(none yet)', fix: `create it with \`trustmesh ca init --cluster ${cluster}\``,
      });
    }
    return cluster;
  }
}

function validateStoreClusterName(name: string): string {
  validateClusterName(name);
  if (RESERVED_CLUSTER_NAMES.includes(name)) {
    throw new TrustmeshError('TM_CA_INVALID_CLUSTER_NAME', 'this cluster name is reserved by the key store layout', {
      value: name, allowed: `any DNS-1123 label except ${RESERVED_CLUSTER_NAMES.join(', ')}`, fix: `use e.g. "${name}-1"`,
    });
  }
  return name;
}

/** What one update of an existing store computed. */
interface Mutation {
  readonly state: StoreState;
  readonly changes: readonly StoreChange[];
  readonly nextStep?: string;
  /** Keep the store as it is (nothing to write). */
  readonly keep?: boolean;
}

function recoveredOf(notes: readonly string[]): { recovered?: readonly string[] } {
  return notes.length > 0 ? { recovered: notes } : {};
}

function sameRequest(a: CredentialRecord, b: CredentialRecord): boolean {
  const canonical = (r: CredentialRecord): string => JSON.stringify(r, Object.keys(r).filter((k) => k !== 'issuedAt').sort());
  return canonical(a) === canonical(b);
}
