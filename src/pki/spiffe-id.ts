import { TrustmeshError } from '../errors';
import { validateNamespace, validateSubdomainName, validateTrustDomain } from './names';

/**
 * The identity Istio puts in a workload certificate: `spiffe://<trust-domain>/ns/<ns>/sa/<sa>`.
 * Authorization policies name the same identity as the principal `<trust-domain>/ns/<ns>/sa/<sa>`.
 *
 * @see https://istio.io/latest/docs/concepts/security/#istio-identity
 * @example
 * SpiffeId.forServiceAccount('cluster.local', 'bookinfo', 'bookinfo-productpage').uri
 * // 'spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage'
 */
export class SpiffeId {
  /**
   * The SPIFFE ID of a Kubernetes service account.
   * @throws TrustmeshError for an invalid trust domain, namespace or service account name.
   */
  public static forServiceAccount(trustDomain: string, namespace: string, serviceAccount: string): SpiffeId {
    return new SpiffeId(
      validateTrustDomain(trustDomain),
      validateNamespace(namespace),
      validateSubdomainName(serviceAccount, 'service account name'),
    );
  }

  /**
   * Parses `spiffe://<td>/ns/<ns>/sa/<sa>`.
   * @throws TrustmeshError `TM_INVALID_SPIFFE_ID` for anything else.
   */
  public static parse(uri: string): SpiffeId {
    const match = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(String(uri));
    if (!match) {
      throw new TrustmeshError('TM_INVALID_SPIFFE_ID', 'not an Istio SPIFFE ID', {
        value: uri,
        allowed: 'spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>',
      });
    }
    return SpiffeId.forServiceAccount(match[1], match[2], match[3]);
  }

  private constructor(
    /** The trust domain, e.g. `cluster.local`. */
    public readonly trustDomain: string,
    /** The Kubernetes namespace. */
    public readonly namespace: string,
    /** The Kubernetes service account. */
    public readonly serviceAccount: string,
  ) {}

  /** `spiffe://<td>/ns/<ns>/sa/<sa>`. */
  public get uri(): string {
    return `spiffe://${this.trustDomain}/ns/${this.namespace}/sa/${this.serviceAccount}`;
  }

  /** The authorization policy principal, `<td>/ns/<ns>/sa/<sa>`. */
  public get principal(): string {
    return `${this.trustDomain}/ns/${this.namespace}/sa/${this.serviceAccount}`;
  }

  /** The URI. */
  public toString(): string {
    return this.uri;
  }
}
