/**
 * `TM_DEPRECATED_FIELD` (warning, istioctl `IST0002` Deprecated, `deprecation.FieldAnalyzer` and
 * `telemetry.LightstepAnalyzer`): configuration that uses what Istio 1.30 marks deprecated
 * (`[deprecated = true]` in istio/api) — it still loads, but may be removed, and some of it is
 * already ignored:
 *
 * - VirtualService `http[].fault.delay.percent` (use `percentage`), `http[].mirrorPercent` (use
 *   `mirrorPercentage`), `http[].corsPolicy.allowOrigin` (use `allowOrigins`);
 * - DestinationRule traffic policies (top level, per port, per subset):
 *   `loadBalancer.simple: LEAST_CONN` (use `LEAST_REQUEST`), `loadBalancer.consistentHash.minimumRingSize`
 *   (use `consistentHash.ringHash.minimumRingSize`), `loadBalancer.warmupDurationSecs` (use `warmup`),
 *   `outlierDetection.consecutiveErrors` (use `consecutive5xxErrors`);
 * - Gateway `servers[].port.targetPort` and Sidecar `ingress[]/egress[].port.targetPort` (ignored);
 * - Sidecar `outboundTrafficPolicy.egressProxy` (ignored);
 * - CustomResourceDefinitions of the removed `rbac.istio.io` and `authentication.istio.io` kinds
 *   (objects of those kinds are `TM_LEGACY_ISTIO_API`);
 * - Telemetry `tracing[].providers[]` naming a MeshConfig extension provider of type `lightstep`
 *   (with `--mesh-config`; migrate to OpenTelemetry).
 *
 * Reported at the deprecated field.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0002/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { list } from './virtual-service-routes';
import { Diagnostic } from '../../../errors';
import { asRecord, isRecord } from '../../../private/records';
import { IstioResource, LoadedObject } from '../../config/istio-config';
import { FieldPath, fieldString } from '../../config/yaml-source';

const CHECK: AnalyzerCheck = {
  code: 'TM_DEPRECATED_FIELD',
  severity: 'warning',
  upstreamCode: 'IST0002',
  title: 'a deprecated Istio field, value or resource type',
};

const REMOVED_KINDS: Readonly<Record<string, readonly string[]>> = {
  'rbac.istio.io': ['ClusterRbacConfig', 'RbacConfig', 'ServiceRole', 'ServiceRoleBinding'],
  'authentication.istio.io': ['Policy', 'MeshPolicy'],
};

/** The rule. */
export const deprecatedFieldsRule: AnalyzerRule = {
  name: 'deprecated-fields',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    const report = (obj: LoadedObject, path: FieldPath, detail: string, fix: string): void => {
      out.push(finding(CHECK, obj, path, `${objectRef(obj)}: ${fieldString(path)}: deprecated: ${detail}`, fix));
    };
    for (const vs of context.config.virtualServices) {
      list(vs.spec.http).forEach((raw, i) => {
        const route = asRecord(raw);
        const percent = asRecord(asRecord(route.fault).delay).percent;
        if (typeof percent === 'number' && percent > 0) {
          report(vs, ['spec', 'http', i, 'fault', 'delay', 'percent'], 'HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage',
            `Write percentage: {value: ${percent}} instead.`);
        }
        if (route.mirrorPercent !== undefined && route.mirrorPercent !== null) {
          report(vs, ['spec', 'http', i, 'mirrorPercent'], 'HTTPRoute.mirrorPercent is deprecated; use HTTPRoute.mirrorPercentage',
            'Write mirrorPercentage: {value: <percent>} instead.');
        }
        if (asRecord(route.corsPolicy).allowOrigin !== undefined) {
          report(vs, ['spec', 'http', i, 'corsPolicy', 'allowOrigin'], 'CorsPolicy.allowOrigin is deprecated; use CorsPolicy.allowOrigins',
            'Write allowOrigins: [{exact: <origin>}] instead.');
        }
      });
    }
    for (const dr of context.config.destinationRules) {
      for (const { policy, path } of trafficPolicies(dr)) checkTrafficPolicy(dr, policy, path, report);
    }
    for (const gw of context.config.gateways) {
      list(gw.spec.servers).forEach((s, i) => {
        if (asRecord(asRecord(s).port).targetPort === undefined) return;
        report(gw, ['spec', 'servers', i, 'port', 'targetPort'], 'Port.targetPort is deprecated and ignored', 'Remove targetPort; the gateway listens on port.number.');
      });
    }
    for (const sc of context.config.sidecars) {
      for (const direction of ['ingress', 'egress']) {
        list(sc.spec[direction]).forEach((l, i) => {
          if (asRecord(asRecord(l).port).targetPort === undefined) return;
          report(sc, ['spec', direction, i, 'port', 'targetPort'], 'SidecarPort.targetPort is deprecated and ignored',
            direction === 'ingress' ? 'Remove it; name the application port with defaultEndpoint.' : 'Remove it.');
        });
      }
      if (asRecord(sc.spec.outboundTrafficPolicy).egressProxy !== undefined) {
        report(sc, ['spec', 'outboundTrafficPolicy', 'egressProxy'], 'OutboundTrafficPolicy.EgressProxy ignored',
          'Remove egressProxy; route external traffic through an egress gateway with a VirtualService instead.');
      }
    }
    for (const crd of context.config.objects) {
      if (crd.kind !== 'CustomResourceDefinition') continue;
      const spec = asRecord(crd.body.spec);
      const kind = asRecord(spec.names).kind;
      if (typeof spec.group !== 'string' || typeof kind !== 'string' || !(REMOVED_KINDS[spec.group] ?? []).includes(kind)) continue;
      report(crd, ['spec', 'group'], `Custom resource type ${spec.group} ${kind} is removed`,
        'Delete the CustomResourceDefinition after converting its objects to security.istio.io/v1 (see TM_LEGACY_ISTIO_API).');
    }
    lightstep(context.config.telemetries, context.mesh.raw, report);
    return out;
  },
};

type Report = (obj: LoadedObject, path: FieldPath, detail: string, fix: string) => void;

/** `trafficPolicy`, its `portLevelSettings[]`, and the same under each subset. */
function trafficPolicies(dr: IstioResource): { readonly policy: Readonly<Record<string, unknown>>; readonly path: FieldPath }[] {
  const out: { policy: Readonly<Record<string, unknown>>; path: FieldPath }[] = [];
  const add = (raw: unknown, path: FieldPath): void => {
    if (!isRecord(raw)) return;
    out.push({ policy: raw, path });
    list(raw.portLevelSettings).forEach((p, j) => { if (isRecord(p)) out.push({ policy: p, path: [...path, 'portLevelSettings', j] }); });
  };
  add(dr.spec.trafficPolicy, ['spec', 'trafficPolicy']);
  list(dr.spec.subsets).forEach((s, k) => add(asRecord(s).trafficPolicy, ['spec', 'subsets', k, 'trafficPolicy']));
  return out;
}

function checkTrafficPolicy(dr: IstioResource, policy: Readonly<Record<string, unknown>>, path: FieldPath, report: Report): void {
  const lb = asRecord(policy.loadBalancer);
  if (lb.simple === 'LEAST_CONN') {
    report(dr, [...path, 'loadBalancer', 'simple'], 'LoadBalancerSettings.SimpleLB LEAST_CONN is deprecated; use LEAST_REQUEST', 'Write simple: LEAST_REQUEST.');
  }
  if (asRecord(lb.consistentHash).minimumRingSize !== undefined) {
    report(dr, [...path, 'loadBalancer', 'consistentHash', 'minimumRingSize'],
      'ConsistentHashLB.minimumRingSize is deprecated; use ConsistentHashLB.ringHash.minimumRingSize', 'Write consistentHash.ringHash: {minimumRingSize: …}.');
  }
  if (lb.warmupDurationSecs !== undefined) {
    report(dr, [...path, 'loadBalancer', 'warmupDurationSecs'], 'LoadBalancerSettings.warmupDurationSecs is deprecated; use LoadBalancerSettings.warmup',
      'Write warmup: {duration: …}.');
  }
  if (asRecord(policy.outlierDetection).consecutiveErrors !== undefined) {
    report(dr, [...path, 'outlierDetection', 'consecutiveErrors'],
      'OutlierDetection.consecutiveErrors is deprecated; use OutlierDetection.consecutive5xxErrors (or consecutiveGatewayErrors)', 'Write consecutive5xxErrors: ….');
  }
}

/** Telemetry tracing providers that are Lightstep extension providers of the MeshConfig. */
function lightstep(telemetries: readonly IstioResource[], mesh: Readonly<Record<string, unknown>> | undefined, report: Report): void {
  const names = new Set(list(mesh?.extensionProviders).map(asRecord).filter((p) => p.lightstep !== undefined && typeof p.name === 'string').map((p) => p.name as string));
  if (names.size === 0) return;
  for (const t of telemetries) {
    list(t.spec.tracing).forEach((tr, i) => {
      list(asRecord(tr).providers).forEach((p, j) => {
        const name = asRecord(p).name;
        if (typeof name !== 'string' || !names.has(name)) return;
        report(t, ['spec', 'tracing', i, 'providers', j, 'name'], `The Lightstep provider ${name} is deprecated, please migrate to OpenTelemetry provider.`,
          'Configure an opentelemetry extension provider in the MeshConfig and name it here.');
      });
    });
  }
}
