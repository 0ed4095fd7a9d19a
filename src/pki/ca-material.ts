import { TrustmeshError } from '../errors';
import { Certificate } from './certificate';
import { IssuedCertificate } from './issued-certificate';
import { validateClusterName, validateCredentialName, validateTrustDomain } from './names';
import { joinPem } from './pem';

/**
 * Where a root rotation stands.
 *
 * - `none`: one root; it signs the intermediates and is the whole trust bundle.
 * - `new-root-trusted`: a new root was created and added to the trust bundle; intermediates are
 *   still signed by the old root. Roll the bundle out everywhere before going on.
 * - `intermediates-reissued`: the intermediates (and issued credentials) are signed by the new
 *   root; the old root stays in the bundle until every workload has a new certificate.
 */
export type RotationPhase = 'none' | 'new-root-trusted' | 'intermediates-reissued';

/** Kinds of credentials issued from the key store. */
export type CredentialKind = 'gateway' | 'client';

/** One cluster's plug-in CA: what goes into its `cacerts` Secret. */
export interface ClusterCaMaterial {
  /** Cluster name (DNS-1123 label). */
  readonly cluster: string;
  /** The intermediate CA with its key; its issuers are `[signing root]`. */
  readonly intermediate: IssuedCertificate;
}

/** A gateway (server) or client certificate issued from the key store. */
export interface CredentialMaterial {
  /** Credential name (DNS-1123 label); the default Secret name. */
  readonly name: string;
  readonly kind: CredentialKind;
  /** The cluster whose intermediate signed it. */
  readonly cluster: string;
  /** The certificate with its key; its issuers are `[intermediate, root]`. */
  readonly credential: IssuedCertificate;
}

/** Inputs of {@link CaMaterial.of}. */
export interface CaMaterialInput {
  /** Trust domain of the mesh, e.g. `cluster.local`. */
  readonly trustDomain: string;
  /** The root that signs the intermediates. */
  readonly signingRoot: Certificate;
  /**
   * Further trusted roots (the other root while a rotation is under way).
   * @default - none
   */
  readonly otherTrustedRoots?: readonly Certificate[];
  /** Cluster intermediates, each signed by `signingRoot`. */
  readonly clusters: readonly ClusterCaMaterial[];
  /** @default - none */
  readonly credentials?: readonly CredentialMaterial[];
  /** @default 'none' */
  readonly rotation?: RotationPhase;
  /**
   * Where the material was loaded from, for messages.
   * @default - not from disk
   */
  readonly source?: string;
}

/**
 * Everything the CA constructs need, loaded before synth: the trusted roots, the cluster
 * intermediates with their keys, and issued gateway/client credentials. Produced by
 * {@link KeyStore.load} (or {@link CaMaterial.of} from {@link Pki} results in tests).
 *
 * It holds no root private key: nothing emitted into a cluster needs it.
 */
export class CaMaterial {
  /**
   * Assembles material, sorting clusters and credentials by name.
   * @throws TrustmeshError when names are invalid or duplicated, or an intermediate is not
   * signed by the signing root's name.
   */
  public static of(input: CaMaterialInput): CaMaterial {
    validateTrustDomain(input.trustDomain);
    const clusters = [...input.clusters].sort((a, b) => compare(a.cluster, b.cluster));
    const credentials = [...(input.credentials ?? [])].sort((a, b) => compare(a.name, b.name));
    assertUnique(clusters.map((c) => validateClusterName(c.cluster)), 'cluster');
    assertUnique(credentials.map((c) => validateCredentialName(c.name)), 'credential');
    for (const c of clusters) {
      if (!c.intermediate.root.equals(input.signingRoot)) {
        throw new TrustmeshError('TM_CA_CHAIN_INVALID', `the intermediate of cluster "${c.cluster}" does not chain to the signing root ${input.signingRoot}`, {
          fix: 're-issue it under the current root with `trustmesh ca renew --cluster ' + c.cluster + '`',
        });
      }
    }
    const roots = [input.signingRoot, ...(input.otherTrustedRoots ?? []).filter((r) => !r.equals(input.signingRoot))];
    return new CaMaterial(input.trustDomain, roots, clusters, credentials, input.rotation ?? 'none', input.source);
  }

  private constructor(
    /** Trust domain, e.g. `cluster.local`. */
    public readonly trustDomain: string,
    /** Every currently trusted root; the signing root first. */
    public readonly trustedRoots: readonly Certificate[],
    /** Cluster intermediates, sorted by cluster name. */
    public readonly clusters: readonly ClusterCaMaterial[],
    /** Issued credentials, sorted by name. */
    public readonly credentials: readonly CredentialMaterial[],
    /** Where a root rotation stands. */
    public readonly rotation: RotationPhase,
    /** Where the material came from (a key-store directory). */
    public readonly source: string | undefined,
  ) {
    Object.freeze(this.trustedRoots);
    Object.freeze(this.clusters);
    Object.freeze(this.credentials);
  }

  /** The root that signs the intermediates. */
  public get signingRoot(): Certificate {
    return this.trustedRoots[0];
  }

  /**
   * The trust bundle: every trusted root, concatenated (signing root first). This is the
   * `root-cert.pem` of `cacerts` and of the trust-bundle ConfigMap; during a rotation it holds
   * both roots.
   */
  public get trustBundlePem(): string {
    return joinPem(this.trustedRoots.map((r) => r.pem));
  }

  /** Names of the clusters. */
  public get clusterNames(): readonly string[] {
    return this.clusters.map((c) => c.cluster);
  }

  /**
   * The material of one cluster.
   * @throws TrustmeshError `TM_CA_UNKNOWN_CLUSTER`
   */
  public cluster(name: string): ClusterCaMaterial {
    const found = this.clusters.find((c) => c.cluster === name);
    if (found) return found;
    throw new TrustmeshError('TM_CA_UNKNOWN_CLUSTER', `the CA material has no cluster "${name}"`, {
      value: name,
      allowed: this.clusters.length > 0 ? this.clusters.map((c) => c.cluster).join(', ') : '(no clusters yet)',
      fix: `create its intermediate with \`trustmesh ca init --cluster ${name}\``,
    });
  }

  /**
   * One issued credential.
   * @throws TrustmeshError `TM_CA_UNKNOWN_CREDENTIAL`
   */
  public credential(name: string): CredentialMaterial {
    const found = this.credentials.find((c) => c.name === name);
    if (found) return found;
    throw new TrustmeshError('TM_CA_UNKNOWN_CREDENTIAL', `the CA material has no issued credential "${name}"`, {
      value: name,
      allowed: this.credentials.length > 0 ? this.credentials.map((c) => c.name).join(', ') : '(none issued yet)',
      fix: `issue it with \`trustmesh ca issue gateway --name ${name} --host <host>\``,
    });
  }

  /** Every CA certificate (trusted roots, then cluster intermediates), each once. */
  public caCertificates(): ReadonlyArray<{ readonly role: string; readonly certificate: Certificate }> {
    return [
      ...this.trustedRoots.map((certificate, i) => ({ role: i === 0 ? 'root CA' : 'additional trusted root CA', certificate })),
      ...this.clusters.map((c) => ({ role: `intermediate CA of cluster ${c.cluster}`, certificate: c.intermediate.certificate })),
    ];
  }
}

function assertUnique(names: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new TrustmeshError('TM_CA_DUPLICATE', `${what} "${n}" appears twice in the CA material`, { value: n });
    seen.add(n);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
