/**
 * The parts of a VirtualService the analyzer's VirtualService rules read, in the order istioctl's
 * analyzers walk them (`pkg/config/analysis/analyzers/virtualservice/util.go`): route destinations
 * of `tcp`, `tls` and `http` rules, then HTTP `mirror` / `mirrors`.
 *
 * @module
 */
import { asRecord } from '../../../private/records';
import { IstioResource } from '../../config/istio-config';
import { FieldPath } from '../../config/yaml-source';

/** One destination of a VirtualService. */
export interface RouteDestination {
  /** `tcp`, `tls`, `http`, `http.mirror` or `http.mirrors`. */
  readonly rule: 'tcp' | 'tls' | 'http' | 'http.mirror' | 'http.mirrors';
  /** The path of the destination object (`…destination`, `http[i].mirror`, `http[i].mirrors[j].destination`). */
  readonly path: FieldPath;
  /** `destination.host`; undefined when missing (the schema requires it). */
  readonly host?: string;
  readonly subset?: string;
  /** `destination.port.number`, when set. */
  readonly port?: number;
}

/** `spec.hosts` (strings only). */
export function virtualServiceHosts(vs: IstioResource): string[] {
  return stringList(vs.spec.hosts);
}

/** `spec.gateways` (strings only), with their indexes. */
export function virtualServiceGateways(vs: IstioResource): { readonly name: string; readonly index: number }[] {
  const raw = Array.isArray(vs.spec.gateways) ? vs.spec.gateways : [];
  return raw.flatMap((g, index) => (typeof g === 'string' ? [{ name: g, index }] : []));
}

/** Route destinations (tcp, tls, http), then HTTP mirrors. */
export function routeDestinations(vs: IstioResource): RouteDestination[] {
  const out: RouteDestination[] = [];
  for (const rule of ['tcp', 'tls', 'http'] as const) {
    list(vs.spec[rule]).forEach((r, i) => {
      list(asRecord(r).route).forEach((rd, j) => {
        out.push(destination(rule, ['spec', rule, i, 'route', j, 'destination'], asRecord(rd).destination));
      });
    });
  }
  return out;
}

/** HTTP `mirror` and `mirrors[].destination`. */
export function mirrorDestinations(vs: IstioResource): RouteDestination[] {
  const out: RouteDestination[] = [];
  list(vs.spec.http).forEach((r, i) => {
    const route = asRecord(r);
    if (route.mirror !== undefined && route.mirror !== null) out.push(destination('http.mirror', ['spec', 'http', i, 'mirror'], route.mirror));
    list(route.mirrors).forEach((m, j) => {
      out.push(destination('http.mirrors', ['spec', 'http', i, 'mirrors', j, 'destination'], asRecord(m).destination));
    });
  });
  return out;
}

/** The `http[]` rules as records, with their index. */
export function httpRoutes(vs: IstioResource): { readonly route: Readonly<Record<string, unknown>>; readonly index: number }[] {
  return list(vs.spec.http).map((r, index) => ({ route: asRecord(r), index }));
}

function destination(rule: RouteDestination['rule'], path: FieldPath, raw: unknown): RouteDestination {
  const d = asRecord(raw);
  const port = asRecord(d.port).number;
  return {
    rule,
    path,
    ...(typeof d.host === 'string' ? { host: d.host } : {}),
    ...(typeof d.subset === 'string' && d.subset !== '' ? { subset: d.subset } : {}),
    ...(typeof port === 'number' ? { port } : {}),
  };
}

/** The value as a list; empty for anything else. */
export function list(x: unknown): readonly unknown[] {
  return Array.isArray(x) ? x : [];
}

/** The strings of a list. */
export function stringList(x: unknown): string[] {
  return list(x).filter((v): v is string => typeof v === 'string');
}
