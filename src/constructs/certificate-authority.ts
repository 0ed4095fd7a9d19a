import { Chart, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { TrustmeshError } from '../errors';
import { registerDiagnostics } from './diagnostics';
import { OutputFile } from './output-file';
import { PluginCaSecret } from './plugin-ca-secret';
import { SecretChart } from './secret-chart';
import { base64, TlsSecret } from './tls-secret';
import { TrustBundle } from './trust-bundle';
import { CaMaterial } from '../pki/ca-material';
import { renderCaSummary } from '../pki/ca-summary';
import { Clock } from '../pki/clock';
import { expiryDiagnostics, WatchedCertificate } from '../pki/expiry';
import { validateNamespace, validateSubdomainName, validateTrustDomain } from '../pki/names';
import { joinPem } from '../pki/pem';
import { located } from '../private/located';
import { LEGACY_GATEWAY_CERTS } from '../render/istio-legacy/gateway';

/**
 * The mesh's certificate authority as the rest of trustmesh sees it: where istiod finds its
 * plug-in CA, and whether trustmesh emits it.
 */
export interface ICertificateAuthority extends IConstruct {
  /** Name of the plug-in CA Secret istiod reads (`cacerts`). */
  readonly secretName: string;
  /** Namespace of istiod and of that Secret. */
  readonly namespace: string;
  /** Trust domain of the identities issued under this CA, when known. */
  readonly trustDomain?: string;
  /** Whether this construct emits the key material (false when trust is managed elsewhere). */
  readonly emitsKeyMaterial: boolean;
}

/** Options of {@link CertificateAuthority.fromSecretName}. */
export interface ExistingCertificateAuthorityOptions {
  /** @default 'istio-system' */
  readonly namespace?: string;
  /** @default - unknown */
  readonly trustDomain?: string;
}

/** Options of {@link CertificateAuthority.addGatewayCredential}. */
export interface GatewayCredentialOptions {
  /**
   * Secret name, what the Gateway's `tls.credentialName` refers to.
   * @default - the credential name
   */
  readonly secretName?: string;
  /**
   * Namespace of the gateway deployment (credentials must live beside it).
   * @default 'istio-system'
   */
  readonly namespace?: string;
  /**
   * Add `ca.crt` with the trust bundle, so a MUTUAL gateway verifies client certificates issued by
   * this CA.
   * @default false - SIMPLE TLS only
   */
  readonly verifyClients?: boolean;
}

/** Props of {@link CertificateAuthority}. */
export interface CertificateAuthorityProps {
  /** The CA material, loaded before synth with `await KeyStore.at(dir).load()`. */
  readonly material: CaMaterial;
  /**
   * The cluster whose `cacerts` Secret (and gateway Secrets) this construct emits.
   *
   * {@link TrustmeshApp} applies each top-level output folder (one mesh) to one cluster, so one
   * `CertificateAuthority` emits one cluster: for several clusters, create one top-level construct
   * (one Mesh) per cluster, each with its own `CertificateAuthority`.
   * @default - the material's only cluster (none when it has none); required when it has several
   */
  readonly clusters?: readonly string[];
  /**
   * Namespace of istiod: where `cacerts` and the trust-bundle ConfigMap go.
   * @default 'istio-system'
   */
  readonly istiodNamespace?: string;
  /**
   * Warn at synth (`TM_CA_EXPIRING`) when a CA certificate expires within this window. An expired
   * one fails the synth (`TM_CA_EXPIRED`).
   * @default Duration.days(90)
   */
  readonly expiryWarning?: Duration;
  /**
   * The same for gateway and client certificates (`TM_CERT_EXPIRING` / `TM_CERT_EXPIRED`), which
   * live shorter.
   * @default Duration.days(30)
   */
  readonly credentialExpiryWarning?: Duration;
  /**
   * The clock expiry is checked against.
   * @default Clock.system()
   */
  readonly clock?: Clock;
  /**
   * Name of the trust-bundle ConfigMap. Deliberately not `istio-ca-root-cert`, which istiod owns
   * and rewrites in every namespace (see {@link TrustBundle}).
   * @default 'trustmesh-ca-root-cert'
   */
  readonly trustBundleName?: string;
  /**
   * Chart for the reviewable objects (the trust-bundle ConfigMap), e.g. the mesh's root-namespace
   * chart.
   * @default - a chart of its own, `<path>/trust-bundle`
   */
  readonly chart?: Chart;
  /**
   * Path of the markdown summary in the output directory.
   * @default '<construct path>/ca-summary.md'
   */
  readonly summaryPath?: string;
  /**
   * Issued credentials to emit as `kubernetes.io/tls` Secrets (see {@link addGatewayCredential}).
   * @default - none
   */
  readonly gatewayCredentials?: ReadonlyArray<GatewayCredentialOptions & { readonly credential: string }>;
}

/**
 * Istio's plug-in CA from key material loaded before synth.
 *
 * Emits, into the reviewable output, the trust-bundle ConfigMap (every trusted root; both during a
 * root rotation) and a markdown summary (subjects, SANs, fingerprints, validity); and into one
 * {@link SecretChart} (the git-ignored secrets directory, 0600) the cluster's `cacerts` Secret and
 * its gateway TLS Secrets. No private key ever reaches the reviewable output.
 *
 * At synth it warns when a CA certificate expires within `expiryWarning` and fails when one has
 * expired.
 *
 * @see https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/
 * @example
 * const material = await KeyStore.at('.trustmesh/ca').load();
 * const ca = new CertificateAuthority(mesh, 'ca', { material });
 * ca.addGatewayCredential('juice-shop', { verifyClients: true });
 */
export class CertificateAuthority extends Construct implements ICertificateAuthority {
  /**
   * A CA whose `cacerts` Secret is managed elsewhere (cert-manager, Vault, an existing cluster):
   * nothing secret is emitted.
   */
  public static fromSecretName(
    scope: Construct, id: string, secretName: string, options: ExistingCertificateAuthorityOptions = {},
  ): ICertificateAuthority {
    return new ExistingCertificateAuthority(scope, id, secretName, options);
  }

  /** The plug-in CA Secret istiod reads: always `cacerts`. */
  public readonly secretName = 'cacerts';
  /** Namespace of istiod, `cacerts` and the trust-bundle ConfigMap. */
  public readonly namespace: string;
  /** Trust domain the material was created for. */
  public readonly trustDomain: string;
  /** Always true: this construct emits `cacerts` (into the secrets output). */
  public readonly emitsKeyMaterial = true;
  /** The material it was built from. */
  public readonly material: CaMaterial;
  /** Clusters whose `cacerts` is emitted. */
  public readonly clusters: readonly string[];
  /** The trust-bundle ConfigMap. */
  public readonly trustBundle: TrustBundle;
  private readonly secretCharts = new Map<string, SecretChart>();
  private readonly emittedCredentials = new Map<string, TlsSecret>();

  public constructor(scope: Construct, id: string, props: CertificateAuthorityProps) {
    super(scope, id);
    this.material = props.material;
    this.trustDomain = props.material.trustDomain;
    this.namespace = located(this, () => validateNamespace(props.istiodNamespace ?? 'istio-system'));
    this.clusters = located(this, () => this.resolveClusters(props));
    const expiryWarning = props.expiryWarning ?? Duration.days(90);
    const credentialExpiryWarning = props.credentialExpiryWarning ?? Duration.days(30);
    const clock = props.clock ?? Clock.system();

    const chart = props.chart ?? new Chart(this, 'trust-bundle', { disableResourceNameHashes: true });
    this.trustBundle = located(this, () => new TrustBundle(chart, `${id}-trust-bundle`, {
      roots: props.material.trustedRoots, name: props.trustBundleName, namespace: this.namespace,
    }));
    for (const cluster of this.clusters) {
      new PluginCaSecret(this.secretChartFor(cluster), 'cacerts', {
        intermediate: props.material.cluster(cluster).intermediate,
        trustBundlePem: props.material.trustBundlePem,
        namespace: this.namespace,
      });
    }
    for (const g of props.gatewayCredentials ?? []) located(this, () => this.addGatewayCredential(g.credential, g));

    new OutputFile(this, 'summary', {
      path: props.summaryPath ?? `${this.node.path}/ca-summary.md`,
      content: () => renderCaSummary(this.material, {
        clusters: this.clusters,
        credentials: new Map([...this.emittedCredentials].map(([n, s]) => [n, `${s.namespace}/${s.secretName}`])),
        trustBundle: `${this.trustBundle.namespace}/${this.trustBundle.configMapName}`,
        pluginCaSecret: `${this.namespace}/${this.secretName}`,
      }),
    });

    registerDiagnostics(this, () => expiryDiagnostics(this.watched(expiryWarning, credentialExpiryWarning), clock.now()));
  }

  /**
   * Emits an issued credential (`trustmesh ca issue gateway|client --name <credential>`) as a
   * `kubernetes.io/tls` Secret in the secrets output of the cluster that issued it.
   * @throws TrustmeshError `TM_CA_UNKNOWN_CREDENTIAL`, `TM_CA_DUPLICATE`
   * @example
   * ca.addGatewayCredential('juice-shop', { secretName: 'juice-shop-credential', verifyClients: true });
   */
  public addGatewayCredential(credential: string, options: GatewayCredentialOptions = {}): TlsSecret {
    const found = this.material.credential(credential);
    const secretName = validateSubdomainName(options.secretName ?? found.name, 'Secret name');
    const namespace = validateNamespace(options.namespace ?? 'istio-system');
    if (this.emittedCredentials.has(found.name)) {
      throw new TrustmeshError('TM_CA_DUPLICATE', `credential "${found.name}" is already emitted by this CA`, {
        location: { constructPath: this.node.path },
        fix: 'emit each credential once; reference the same Secret from several Gateways',
      });
    }
    const secret = new TlsSecret(this.secretChartFor(found.cluster), `credential-${found.name}`, {
      name: secretName,
      namespace,
      credential: found.credential,
      caCertificates: options.verifyClients ? this.material.trustedRoots : undefined,
    });
    this.emittedCredentials.set(found.name, secret);
    return secret;
  }

  /**
   * @internal Emits an issued gateway credential as the Secrets the Istio 1.0–1.4 ingress gateway
   * mounts, in `namespace`: `istio-ingressgateway-certs` (`kubernetes.io/tls`, `tls.crt` and
   * `tls.key`) and, with `verifyClients`, `istio-ingressgateway-ca-certs` (`ca.crt`: the trust
   * bundle client certificates must chain to). Both go to the secrets output.
   * @throws TrustmeshError `TM_CA_UNKNOWN_CREDENTIAL`, `TM_CA_DUPLICATE`
   */
  public _addMountedGatewayCredential(credential: string, options: { readonly namespace: string; readonly verifyClients: boolean }): TlsSecret {
    const secret = this.addGatewayCredential(credential, { secretName: LEGACY_GATEWAY_CERTS.secret, namespace: options.namespace });
    if (options.verifyClients) {
      const found = this.material.credential(credential);
      new k8s.KubeSecret(this.secretChartFor(found.cluster), `credential-${found.name}-ca-certs`, {
        metadata: { name: LEGACY_GATEWAY_CERTS.caSecret, namespace: secret.namespace },
        type: 'Opaque',
        data: { 'ca.crt': base64(joinPem(this.material.trustedRoots.map((c) => c.pem))) },
      });
    }
    return secret;
  }

  private resolveClusters(props: CertificateAuthorityProps): string[] {
    const clusters = [...new Set(props.clusters ?? props.material.clusterNames)].sort().map((c) => props.material.cluster(c).cluster);
    if (clusters.length > 1) {
      // Every cluster's Secret is istio-system/cacerts; in one output folder they would overwrite each other.
      throw new TrustmeshError('TM_CA_ONE_CLUSTER_PER_OUTPUT',
        `the cacerts of clusters ${clusters.join(', ')} would share one output folder, which is applied to one cluster`, {
          value: clusters,
          fix: `create one top-level construct (one Mesh) per cluster, each with a CertificateAuthority for its cluster, e.g. \`clusters: ['${clusters[0]}']\``,
        });
    }
    return clusters;
  }

  private secretChartFor(cluster: string): SecretChart {
    let chart = this.secretCharts.get(cluster);
    if (!chart) {
      chart = new SecretChart(this, `${cluster}-secrets`, { disableResourceNameHashes: true });
      this.secretCharts.set(cluster, chart);
    }
    return chart;
  }

  private watched(caWindow: Duration, credentialWindow: Duration): WatchedCertificate[] {
    const roots = this.material.trustedRoots.map((certificate, i): WatchedCertificate => ({
      role: i === 0 ? 'root CA' : 'additional trusted root CA',
      certificate,
      kind: 'ca',
      warnWithin: caWindow,
      fix: i === 0
        ? 'rotate the root with overlap: `trustmesh ca rotate begin`, then `rotate reissue` and `retire-root` (docs/ca.md), restarting istiod and workloads between steps'
        : 'finish the rotation: `trustmesh ca retire-root` (or `trustmesh ca rotate abort` if the new root was never rolled out)',
    }));
    const intermediates = this.clusters.map((cluster): WatchedCertificate => ({
      role: `intermediate CA of cluster ${cluster}`,
      certificate: this.material.cluster(cluster).intermediate.certificate,
      kind: 'ca',
      warnWithin: caWindow,
      fix: `re-issue it: \`trustmesh ca renew --cluster ${cluster}\`, apply the new cacerts and restart istiod`,
    }));
    const credentials = [...this.emittedCredentials.keys()].sort().map((name): WatchedCertificate => ({
      role: `credential ${name}`,
      certificate: this.material.credential(name).credential.certificate,
      kind: 'leaf',
      warnWithin: credentialWindow,
      fix: `re-issue it: \`trustmesh ca renew --credential ${name}\``,
    }));
    return [...roots, ...intermediates, ...credentials];
  }
}

class ExistingCertificateAuthority extends Construct implements ICertificateAuthority {
  public readonly secretName: string;
  public readonly namespace: string;
  public readonly trustDomain?: string;
  public readonly emitsKeyMaterial = false;

  public constructor(scope: Construct, id: string, secretName: string, options: ExistingCertificateAuthorityOptions) {
    super(scope, id);
    this.secretName = located(this, () => validateSubdomainName(secretName, 'CA Secret name'));
    this.namespace = located(this, () => validateNamespace(options.namespace ?? 'istio-system'));
    this.trustDomain = located(this, () => (options.trustDomain === undefined ? undefined : validateTrustDomain(options.trustDomain)));
  }
}
