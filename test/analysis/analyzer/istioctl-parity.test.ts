// Parity with istioctl analyze, in the manner of istio/istio's own analyzer test grid
// (pkg/config/analysis/analyzers/analyzers_test.go): for each analyzer, our fixtures (hand-written,
// modelled on its testdata) and exactly the IST codes it reports, each with the object it is
// reported on ("Kind namespace/name"). The inventory is complete, as istioctl sees a live cluster;
// where istioctl's test relies on the ingress gateway it assumes, so does the case here.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { analyzeFixtureText, fixture } from './rules/fixture';
import { analyzerChecks, AnalyzeOptions } from '../../../src/analysis/analyzer/analyzer';
import { loadMeshConfig } from '../../../src/analysis/config/mesh-config';

interface Case {
  /** The istioctl analyzer (`pkg/config/analysis/analyzers/…`) the fixture is modelled on. */
  readonly analyzer: string;
  readonly fixture: string;
  /** trustmesh codes implementing that analyzer. */
  readonly codes: readonly string[];
  readonly options?: AnalyzeOptions;
  /** [IST code, "Kind namespace/name"] of every message istioctl reports, in any order. */
  readonly expected: readonly (readonly [string, string])[];
}

const VS_DESTINATIONS = ['TM_VIRTUAL_SERVICE_DESTINATION_NOT_FOUND', 'TM_VIRTUAL_SERVICE_DESTINATION_PORT_NOT_FOUND',
  'TM_VIRTUAL_SERVICE_DESTINATION_PORT_REQUIRED', 'TM_VIRTUAL_SERVICE_SUBSET_NOT_FOUND'];
const VS_GATEWAYS = ['TM_VIRTUAL_SERVICE_GATEWAY_NOT_FOUND', 'TM_VIRTUAL_SERVICE_HOST_NOT_IN_GATEWAY', 'TM_VIRTUAL_SERVICE_INTERNAL_GATEWAY',
  'TM_VIRTUAL_SERVICE_SUBSET_SKIPPED_AT_GATEWAY'];
const INJECTION = ['TM_NAMESPACE_NOT_INJECTED', 'TM_NAMESPACE_INJECTED_BY_DEFAULT', 'TM_NAMESPACE_MULTIPLE_INJECTION_LABELS', 'TM_POD_MISSING_PROXY'];
const SELECTORS = ['TM_SIDECAR_WORKLOAD_CONFLICT', 'TM_SIDECAR_NAMESPACE_CONFLICT', 'TM_SIDECAR_INEFFECTIVE_IN_AMBIENT',
  'TM_TELEMETRY_WORKLOAD_CONFLICT', 'TM_TELEMETRY_NAMESPACE_CONFLICT', 'TM_SELECTOR_NO_WORKLOAD'];
const CREDENTIALS = ['TM_GATEWAY_CREDENTIAL_NOT_FOUND', 'TM_GATEWAY_CREDENTIAL_INVALID', 'TM_GATEWAY_NO_WORKLOAD'];
const mesh = (file: string): AnalyzeOptions => ({ meshConfig: loadMeshConfig(fixture(file)) });

const GRID: readonly Case[] = [
  {
    analyzer: 'virtualservice.DestinationHostAnalyzer + DestinationRuleAnalyzer',
    fixture: 'virtual-service-destinations/positive.yaml',
    codes: VS_DESTINATIONS,
    expected: [
      ['IST0101', 'VirtualService shop/reviews-typo'], ['IST0101', 'VirtualService shop/reviews-mirror'],
      ['IST0101', 'VirtualService shop/reviews-port'], ['IST0112', 'VirtualService shop/catalog'],
      ['IST0101', 'VirtualService shop/partner'], ['IST0101', 'VirtualService shop/ledger'],
      ['IST0101', 'VirtualService shop/reviews-subset'], ['IST0101', 'VirtualService finance/ledger-exported'],
    ],
  },
  { analyzer: 'virtualservice.DestinationHostAnalyzer', fixture: 'virtual-service-destinations/negative.yaml', codes: VS_DESTINATIONS, expected: [] },
  {
    analyzer: 'virtualservice.GatewayAnalyzer + DestinationHostAnalyzer (IST0140)',
    fixture: 'virtual-service-gateways/positive.yaml',
    codes: VS_GATEWAYS,
    expected: [
      ['IST0101', 'VirtualService shop/typo-gateway'], ['IST0132', 'VirtualService shop/typo-gateway'],
      ['IST0132', 'VirtualService shop/other-host'], ['IST0132', 'VirtualService shop/ops-from-shop'],
      ['IST0165', 'VirtualService shop/internal-ref'], ['IST0132', 'VirtualService shop/web-mismatch'],
      ['IST0140', 'VirtualService shop/storefront-ingress'],
    ],
  },
  { analyzer: 'virtualservice.GatewayAnalyzer', fixture: 'virtual-service-gateways/negative.yaml', codes: VS_GATEWAYS, expected: [] },
  {
    analyzer: 'virtualservice.ConflictingMeshGatewayHostsAnalyzer',
    fixture: 'virtual-service-mesh-hosts/positive.yaml',
    codes: ['TM_VIRTUAL_SERVICE_MESH_HOST_CONFLICT'],
    expected: [
      ['IST0109', 'VirtualService shop/ratings'], ['IST0109', 'VirtualService shop/ratings-retries'],
      ['IST0109', 'VirtualService shop/reviews-local'], ['IST0109', 'VirtualService team-a/reviews-all'],
    ],
  },
  { analyzer: 'virtualservice.ConflictingMeshGatewayHostsAnalyzer', fixture: 'virtual-service-mesh-hosts/negative.yaml', codes: ['TM_VIRTUAL_SERVICE_MESH_HOST_CONFLICT'], expected: [] },
  {
    analyzer: 'schema.ValidationAnalyzer.VirtualService (dupmatches)',
    fixture: 'virtual-service-unreachable-rules/positive.yaml',
    codes: ['TM_VIRTUAL_SERVICE_UNREACHABLE_RULE', 'TM_VIRTUAL_SERVICE_INEFFECTIVE_MATCH'],
    expected: [
      ['IST0130', 'VirtualService shop/duplicate-match'], ['IST0131', 'VirtualService shop/duplicate-match'],
      ['IST0130', 'VirtualService shop/catch-all-first'], ['IST0130', 'VirtualService shop/catch-all-first'],
      ['IST0131', 'VirtualService shop/overlapping-prefix'],
      ['IST0130', 'VirtualService shop/tcp-duplicate'], ['IST0131', 'VirtualService shop/tcp-duplicate'],
      ['IST0131', 'VirtualService shop/tls-duplicate'],
    ],
  },
  {
    analyzer: 'virtualservice.JWTClaimRouteAnalyzer',
    fixture: 'virtual-service-jwt-claim-routes/positive.yaml',
    codes: ['TM_VIRTUAL_SERVICE_JWT_CLAIM_WITHOUT_REQUEST_AUTHN'],
    expected: [['IST0149', 'VirtualService shop/beta-users']],
  },
  {
    analyzer: 'injection.Analyzer',
    fixture: 'sidecar-injection/positive.yaml',
    codes: INJECTION,
    expected: [
      ['IST0102', 'Namespace legacy'], ['IST0123', 'Namespace confused'], ['IST0123', 'Namespace half-ambient'], ['IST0103', 'Pod shop/cart-7d9f'],
    ],
  },
  { analyzer: 'injection.Analyzer (enableNamespacesByDefault)', fixture: 'sidecar-injection/enabled-by-default.yaml', codes: INJECTION, expected: [['IST0148', 'Namespace legacy']] },
  { analyzer: 'injection.Analyzer', fixture: 'sidecar-injection/negative.yaml', codes: INJECTION, expected: [] },
  {
    analyzer: 'injection.ImageAutoAnalyzer + ImageAnalyzer',
    fixture: 'proxy-image/positive.yaml',
    codes: ['TM_IMAGE_AUTO_WITHOUT_INJECTION', 'TM_PROXY_IMAGE_MISMATCH'],
    expected: [['IST0158', 'Namespace shop'], ['IST0147', 'Pod edge/gateway-manual'], ['IST0146', 'Deployment edge/edge-gateway']],
  },
  {
    analyzer: 'deployment.ApplicationUIDAnalyzer',
    fixture: 'application-uid/positive.yaml',
    codes: ['TM_APPLICATION_UID_RESERVED'],
    expected: [['IST0144', 'Pod shop/pod-uid'], ['IST0144', 'Deployment shop/container-uid'], ['IST0144', 'StatefulSet shop/db']],
  },
  {
    analyzer: 'sidecar.SelectorAnalyzer + telemetry.SelectorAnalyzer + DefaultSelectorAnalyzer',
    fixture: 'workload-selector-conflicts/positive.yaml',
    codes: SELECTORS,
    expected: [
      ['IST0110', 'Sidecar shop/cart-egress'], ['IST0110', 'Sidecar shop/backend-egress'], ['IST0167', 'Sidecar shop/ledger-egress'],
      ['IST0111', 'Sidecar billing/default'], ['IST0111', 'Sidecar billing/default-too'], ['IST0167', 'Sidecar zt/default'],
      ['IST0159', 'Telemetry shop/cart-logs'], ['IST0159', 'Telemetry shop/backend-logs'],
      ['IST0160', 'Telemetry billing/namespace-tracing'], ['IST0160', 'Telemetry billing/namespace-metrics'],
    ],
  },
  {
    analyzer: 'sidecar.SelectorAnalyzer + telemetry.SelectorAnalyzer (selector not found)',
    fixture: 'selector-no-workload/positive.yaml',
    codes: ['TM_SELECTOR_NO_WORKLOAD'],
    expected: [
      ['IST0127', 'AuthorizationPolicy foo/typo-allow'], ['KIA0004', 'RequestAuthentication foo/jwt'], ['KIA0004', 'PeerAuthentication foo/strict-httpbin'],
      ['IST0101', 'Sidecar foo/httpbin'], ['IST0101', 'Telemetry foo/httpbin-logs'],
    ],
  },
  { analyzer: 'telemetry.ProviderAnalyzer', fixture: 'telemetry-providers/positive.yaml', codes: ['TM_TELEMETRY_EMPTY_PROVIDERS'], expected: [['IST0157', 'Telemetry istio-system/mesh-default']] },
  {
    analyzer: 'telemetry.ProviderAnalyzer (default provider)',
    fixture: 'telemetry-providers/positive.yaml',
    codes: ['TM_TELEMETRY_EMPTY_PROVIDERS'],
    options: mesh('telemetry-providers/mesh-config.yaml'),
    expected: [],
  },
  {
    analyzer: 'service.PortNameAnalyzer',
    fixture: 'service-ports/positive.yaml',
    codes: ['TM_SERVICE_PORT_NAME_CONVENTION', 'TM_EXTERNAL_NAME_PORT_NAME'],
    expected: [['IST0118', 'Service shop/catalog'], ['IST0118', 'Service shop/catalog'], ['IST0150', 'Service shop/partner'], ['IST0150', 'Service shop/partner']],
  },
  { analyzer: 'service.PortNameAnalyzer', fixture: 'service-ports/negative.yaml', codes: ['TM_SERVICE_PORT_NAME_CONVENTION', 'TM_EXTERNAL_NAME_PORT_NAME'], expected: [] },
  {
    analyzer: 'deployment.MultiServiceAnalyzer',
    fixture: 'deployment-services/positive.yaml',
    codes: ['TM_DEPLOYMENT_SERVICE_PROTOCOL_CONFLICT', 'TM_DEPLOYMENT_SERVICE_TARGET_PORT_CONFLICT'],
    expected: [['IST0116', 'Deployment shop/dns-cache'], ['IST0137', 'Deployment shop/catalog']],
  },
  {
    analyzer: 'gateway.IngressGatewayPortAnalyzer',
    fixture: 'gateway-workloads/positive.yaml',
    codes: ['TM_GATEWAY_NO_WORKLOAD', 'TM_GATEWAY_PORT_NOT_ON_SERVICE'],
    expected: [['IST0162', 'Gateway shop-ingress/shop'], ['IST0101', 'Gateway shop-ingress/partners']],
  },
  {
    analyzer: 'gateway.IngressGatewayPortAnalyzer (default ingress assumed)',
    fixture: 'virtual-service-gateways/negative.yaml',
    codes: ['TM_GATEWAY_NO_WORKLOAD', 'TM_GATEWAY_PORT_NOT_ON_SERVICE'],
    options: { assumeDefaultIngress: true },
    expected: [['IST0162', 'Gateway shop/everything']],
  },
  {
    analyzer: 'gateway.SecretAnalyzer',
    fixture: 'gateway-credentials/positive.yaml',
    codes: CREDENTIALS,
    expected: [
      ['IST0101', 'Gateway istio-system/shop'], ['IST0161', 'Gateway istio-system/shop'], ['IST0161', 'Gateway istio-system/shop'],
      ['IST0161', 'Gateway istio-system/shop'], ['IST0161', 'Gateway istio-system/shop'], ['IST0161', 'Gateway istio-system/shop'],
    ],
  },
  {
    analyzer: 'gateway.SecretAnalyzer (no gateway pod)',
    fixture: 'gateway-credentials/pods-unknown.yaml',
    codes: CREDENTIALS,
    expected: [['IST0101', 'Gateway default/shop']],
  },
  {
    analyzer: 'gateway.SecretAnalyzer (default ingress assumed)',
    fixture: 'gateway-credentials/pods-unknown.yaml',
    codes: CREDENTIALS,
    options: { assumeDefaultIngress: true },
    expected: [['IST0101', 'Gateway default/shop']],
  },
  {
    analyzer: 'gateway.CertificateAnalyzer',
    fixture: 'gateway-duplicate-certificates/positive.yaml',
    codes: ['TM_GATEWAY_DUPLICATE_CERTIFICATE'],
    expected: [['IST0138', 'Gateway istio-system/shop'], ['IST0138', 'Gateway legacy/legacy-a'], ['IST0138', 'Gateway legacy/legacy-b']],
  },
  {
    analyzer: 'k8sgateway.SelectorAnalyzer',
    fixture: 'gateway-api-selectors/positive.yaml',
    codes: ['TM_SELECTOR_ON_GATEWAY_API_POD'],
    expected: [
      ['IST0166', 'AuthorizationPolicy shop/web-allow'], ['IST0166', 'RequestAuthentication shop/web-jwt'],
      ['IST0166', 'Telemetry shop/web-logs'], ['IST0166', 'WasmPlugin shop/web-filter'],
    ],
  },
  {
    analyzer: 'serviceentry.ProtocolAddressesAnalyzer + ConflictingServiceEntryProtocolAnalyzer',
    fixture: 'service-entry-ports/positive.yaml',
    codes: ['TM_SERVICE_ENTRY_ADDRESSES_REQUIRED', 'TM_SERVICE_ENTRY_PROTOCOL_CONFLICT'],
    expected: [
      ['IST0134', 'ServiceEntry shop/legacy-db'], ['IST0134', 'ServiceEntry shop/legacy-db'],
      ['IST0177', 'ServiceEntry shop/partner-http'], ['IST0177', 'ServiceEntry billing/partner-tls'],
    ],
  },
  {
    analyzer: 'serviceentry.ProtocolAddressesAnalyzer (DNS auto-allocation)',
    fixture: 'service-entry-ports/positive.yaml',
    codes: ['TM_SERVICE_ENTRY_ADDRESSES_REQUIRED'],
    options: mesh('service-entry-ports/mesh-config.yaml'),
    expected: [],
  },
  {
    analyzer: 'destinationrule.SubsetSelectPodAnalyzer',
    fixture: 'destination-rule-hosts/positive.yaml',
    codes: ['TM_DESTINATION_RULE_UNKNOWN_HOST', 'TM_DESTINATION_RULE_SUBSET_NO_PODS'],
    expected: [['IST0174', 'DestinationRule shop/reveiws'], ['IST0173', 'DestinationRule shop/reviews'], ['IST0173', 'DestinationRule shop/reviews']],
  },
  {
    analyzer: 'destinationrule.SubsetSelectPodAnalyzer (topology labels)',
    fixture: 'destination-rule-hosts/negative.yaml',
    codes: ['TM_DESTINATION_RULE_UNKNOWN_HOST', 'TM_DESTINATION_RULE_SUBSET_NO_PODS'],
    expected: [],
  },
  {
    analyzer: 'conditions.ConditionAnalyzer',
    fixture: 'status-conditions/positive.yaml',
    codes: ['TM_NEGATIVE_STATUS_CONDITION'],
    expected: [
      ['IST0171', 'Service shop/reviews'], ['IST0171', 'ServiceEntry shop/partner'], ['IST0171', 'AuthorizationPolicy shop/ext-authz'],
      ['IST0171', 'AuthorizationPolicy shop/waypoint-policy'], ['IST0171', 'Gateway shop/waypoint'], ['IST0171', 'HTTPRoute shop/reviews'],
    ],
  },
  { analyzer: 'authn.BlockedCIDRsAnalyzer', fixture: 'jwks-fetch-restriction/positive.yaml', codes: ['TM_JWKS_FETCH_UNRESTRICTED'], expected: [['IST0175', 'Deployment istio-system/istiod']] },
  { analyzer: 'authn.BlockedCIDRsAnalyzer', fixture: 'jwks-fetch-restriction/negative.yaml', codes: ['TM_JWKS_FETCH_UNRESTRICTED'], expected: [] },
  {
    analyzer: 'deprecation.FieldAnalyzer + telemetry.LightstepAnalyzer',
    fixture: 'deprecated-fields/positive.yaml',
    codes: ['TM_DEPRECATED_FIELD'],
    options: mesh('deprecated-fields/mesh-config.yaml'),
    expected: [
      ...Array.from({ length: 3 }, () => ['IST0002', 'VirtualService shop/ratings'] as const),
      ...Array.from({ length: 4 }, () => ['IST0002', 'DestinationRule shop/ratings'] as const),
      ['IST0002', 'Gateway istio-system/public'], ['IST0002', 'Sidecar shop/default'], ['IST0002', 'Sidecar shop/default'],
      ['IST0002', 'CustomResourceDefinition serviceroles.rbac.istio.io'], ['IST0002', 'Telemetry istio-system/mesh-default'],
    ],
  },
];

/** `Kind namespace/name` (or `Kind name`): how every analyzer message starts. */
function reportedOn(message: string): string {
  return /^(\S+ [^\s:]+)/.exec(message)?.[1] ?? message;
}

describe('parity with istioctl analyze: exactly the IST codes istioctl reports, on the same objects', () => {
  it.each(GRID.map((c) => [`${c.analyzer}: ${c.fixture}`, c] as const))('%s', (_name, c) => {
    const found = analyzeFixtureText(c.fixture, { inventory: 'complete', ...c.options }).filter((d) => c.codes.includes(d.code));
    const actual = found.map((d) => [d.upstreamCode ?? '', reportedOn(d.message)]);
    const sort = (l: readonly (readonly [string, string])[]): string[] => l.map((x) => x.join(' ')).sort();
    expect(sort(actual as [string, string][])).toEqual(sort(c.expected));
  });
});

describe('the coverage table of docs/analyzer.md', () => {
  // IST0106 and IST0133 (schema errors and warnings) stand for the webhook rule families, listed there as families.
  it('names every check with an istioctl code in the row of that code', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'analyzer.md'), 'utf8');
    const table = doc.slice(doc.indexOf('## Coverage of `istioctl analyze`'));
    const rows = new Map(table.split('\n').filter((l) => /^\| IST\d{4} /.test(l)).map((l) => [l.slice(2, 9), l]));
    expect(rows.size).toBe(68);
    for (const c of analyzerChecks()) {
      for (const code of (c.upstreamCode ?? '').split(' / ').filter((u) => u.startsWith('IST') && u !== 'IST0106' && u !== 'IST0133')) {
        expect(rows.get(code), `${c.code} ${code}`).toContain(`\`${c.code}\``);
      }
    }
  });
});
