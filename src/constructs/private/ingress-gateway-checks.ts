import { Chart } from 'cdk8s';
import { chartFor } from './chart-for';
import { TrustmeshError } from '../../errors';
import { assertDnsLabel, assertDnsSubdomain, assertLabels } from '../../model/names';
import { IngressGatewayProps } from '../ingress-gateway-options';
import type { Mesh } from '../mesh';

/**
 * The hosts of a gateway server or route: exact or `*.` wildcard DNS names, sorted and unique.
 * @throws TrustmeshError `TM_EMPTY_MATCH_LIST`, `TM_INVALID_HOST`
 */
export function checkGatewayHosts(hosts: readonly string[]): string[] {
  if (!Array.isArray(hosts) || hosts.length === 0) {
    throw new TrustmeshError('TM_EMPTY_MATCH_LIST', 'a gateway server needs at least one host', {
      value: hosts, allowed: 'host names such as "shop.example.com" or "*.example.com"',
    });
  }
  for (const h of hosts) {
    const name = typeof h === 'string' && h.startsWith('*.') ? h.slice(2) : h;
    if (typeof h !== 'string' || h === '*' || h.includes('/')) {
      throw new TrustmeshError('TM_INVALID_HOST', 'gateway host is not a host name or "*.domain" wildcard', {
        value: h, allowed: 'e.g. "shop.example.com" or "*.example.com" (namespace/ prefixes and a bare "*" are not offered)',
      });
    }
    try {
      assertDnsSubdomain(name, 'gateway host');
    } catch (e) {
      throw new TrustmeshError('TM_INVALID_HOST', 'gateway host is not a host name or "*.domain" wildcard', {
        value: h, allowed: 'lower-case DNS names such as "shop.example.com" or "*.example.com"', cause: e,
      });
    }
  }
  return [...new Set(hosts)].sort();
}

/**
 * The checked props of a new gateway, before its construct exists (a duplicate name gets a coded
 * error, not a constructs one), with the chart of its namespace.
 */
export function checkGatewayProps(mesh: Mesh, id: string, props: IngressGatewayProps): {
  name: string; namespace: string; selector: Record<string, string>; serviceAccount: string; numTrustedProxies: number; chart: Chart;
} {
  const name = props.name ?? id;
  assertDnsLabel(name, 'gateway name');
  // Checked before the construct exists, so a duplicate gets a coded error, not a constructs one.
  if (mesh._edges.hasGateway(name)) {
    throw new TrustmeshError('TM_DUPLICATE_GATEWAY', `gateway "${name}" is declared twice in mesh "${mesh.meshName}"`, {
      fix: 'declare it once and look it up with mesh.ingressGateway(name)',
    });
  }
  const namespace = props.namespace ?? mesh.rootNamespace;
  assertDnsLabel(namespace, 'gateway namespace');
  const chart = chartFor(mesh, namespace);
  const selector = { ...(props.selector ?? { istio: 'ingressgateway' }) };
  if (Object.keys(selector).length === 0) {
    throw new TrustmeshError('TM_INVALID_LABEL', 'the gateway selector is empty: the Gateway would configure every proxy', {
      fix: 'select the gateway pods, e.g. { istio: "ingressgateway" }',
    });
  }
  assertLabels(selector, 'gateway selector');
  const serviceAccount = props.serviceAccount ?? 'istio-ingressgateway-service-account';
  assertDnsSubdomain(serviceAccount, 'gateway service account');
  const numTrustedProxies = props.numTrustedProxies ?? 0;
  if (!Number.isInteger(numTrustedProxies) || numTrustedProxies < 0) {
    throw new TrustmeshError('TM_INVALID_TRUSTED_PROXIES', 'numTrustedProxies is not a non-negative integer', { value: numTrustedProxies });
  }
  return { name, namespace, selector, serviceAccount, numTrustedProxies, chart };
}
