/**
 * istiod's `validateLoadBalancer` and `agent.ValidateLocalityLbSetting`: consistent-hash cookies
 * and Maglev table sizes, warmup, and locality distribute/failover rules.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings
 * @module
 */
import { durationReason } from './go-duration';
import { Findings, WebhookCheck, WebhookPath, show } from './webhook-types';
import { isRecord } from '../../private/records';

export const LOAD_BALANCER_INVALID: WebhookCheck = {
  code: 'TM_LOAD_BALANCER_INVALID',
  severity: 'error',
  title: 'loadBalancer settings istiod refuses: cookie, Maglev table, warmup or locality rules',
  istiod: 'validateLoadBalancer, agent.ValidateLocalityLbSetting',
};

const TOPOLOGY_LABELS = ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone'];

// Envoy's primality test for the Maglev table size.
function isPrime(x: number): boolean {
  if (x !== 0 && x < 4) return true;
  if (x % 2 === 0) return false;
  for (let f = 3; f <= Math.floor(Math.sqrt(x)); f += 2) if (x % f === 0) return false;
  return true;
}

/** `validateLoadBalancer`. */
export function checkLoadBalancer(lb: unknown, outlier: unknown, path: WebhookPath, out: Findings): void {
  if (!isRecord(lb)) return;
  const bad = (at: WebhookPath, message: string, fix: string): void => out.add(LOAD_BALANCER_INVALID, at, message, fix);
  const hash = isRecord(lb.consistentHash) ? lb.consistentHash : undefined;
  if (hash) {
    const hp: WebhookPath = [...path, 'consistentHash'];
    const cookie = isRecord(hash.httpCookie) ? hash.httpCookie : undefined;
    if (cookie?.name === '') bad([...hp, 'httpCookie', 'name'], 'name required for HttpCookie', 'Set httpCookie.name.');
    if (cookie && Array.isArray(cookie.attributes)) {
      const names = new Set<string>();
      cookie.attributes.forEach((a, i) => {
        if (!isRecord(a) || typeof a.name !== 'string') return;
        const name = a.name;
        if (name === '') bad([...hp, 'httpCookie', 'attributes', i], 'cookie attribute name cannot be empty', 'Name the attribute, e.g. SameSite.');
        else if (names.has(name)) bad([...hp, 'httpCookie', 'attributes', i], `duplicate cookie attribute name: ${name}`, 'List each attribute once.');
        names.add(name);
      });
    }
    const ringSize = typeof hash.minimumRingSize === 'number' ? hash.minimumRingSize : 0;
    if (ringSize !== 0) {
      out.warn(LOAD_BALANCER_INVALID, [...hp, 'minimumRingSize'], 'consistent hash minimumRingSize is deprecated, use ConsistentHashLB\'s ringHash configuration instead',
        'Move the value to consistentHash.ringHash.minimumRingSize.');
      if (isRecord(hash.ringHash) || isRecord(hash.maglev)) {
        bad([...hp, 'minimumRingSize'], 'only one of minimumRingSize or Maglev/Ringhash can be specified', 'Remove minimumRingSize.');
      }
    }
    if (isRecord(hash.maglev)) {
      const size = typeof hash.maglev.tableSize === 'number' ? hash.maglev.tableSize : 0;
      const at: WebhookPath = [...hp, 'maglev', 'tableSize'];
      if (size === 0) bad(at, 'tableSize must be set for maglev', 'Set maglev.tableSize to a prime below 5000011, e.g. 65537.');
      if (size >= 5000011) bad(at, `tableSize must be less than 5000011 for maglev, got ${size}`, 'Use a prime below 5000011, e.g. 65537.');
      if (!isPrime(size)) bad(at, `tableSize must be a prime number for maglev, got ${size}`, 'Use a prime, e.g. 65537.');
    }
  }
  checkLocality(lb.localityLbSetting, outlier, [...path, 'localityLbSetting'], out);
  if (isRecord(lb.warmup)) {
    const w = lb.warmup;
    const reason = durationReason(w.duration);
    if (reason) bad([...path, 'warmup', 'duration'], `duration ${show(w.duration)}: ${reason}`, 'Write the duration in whole milliseconds.');
    // minimumPercent (0..100) and aggression (>= 0, here >= 1) are bounded by the CRD only partly.
    if (typeof w.aggression === 'number' && w.aggression < 1) {
      bad([...path, 'warmup', 'aggression'], `aggression should be greater than or equal to 1, got ${w.aggression}`, 'Set aggression to 1 (linear) or more.');
    }
  }
}

function checkLocality(lb: unknown, outlier: unknown, path: WebhookPath, out: Findings): void {
  if (!isRecord(lb)) return;
  const distribute = Array.isArray(lb.distribute) ? lb.distribute : [];
  const failover = Array.isArray(lb.failover) ? lb.failover : [];
  const priority = Array.isArray(lb.failoverPriority) ? lb.failoverPriority : [];
  const bad = (at: WebhookPath, message: string, fix: string): void => out.add(LOAD_BALANCER_INVALID, at, message, fix);
  if (distribute.length > 0 && failover.length > 0) {
    bad(path, "can not simultaneously specify 'distribute' and 'failover'", 'Keep distribute or failover.');
    return;
  }
  if (failover.length > 0) {
    const topology = priority.find((p) => typeof p === 'string' && TOPOLOGY_LABELS.includes(p));
    if (topology !== undefined) {
      bad([...path, 'failoverPriority'], `can not simultaneously set 'failover' and topology label '${String(topology)}' in 'failover_priority'`,
        'Remove the topology label from failoverPriority, or remove failover.');
      return;
    }
  }
  const sources: string[] = [];
  for (const [i, d] of distribute.entries()) {
    if (!isRecord(d)) continue;
    sources.push(typeof d.from === 'string' ? d.from : '');
    const to = isRecord(d.to) ? d.to : {};
    const weights = Object.values(to);
    if (weights.some((w) => typeof w !== 'number' || w <= 0 || w > 100)) {
      bad([...path, 'distribute', i, 'to'], 'locality weight must be in range [1, 100]', 'Give each locality a weight between 1 and 100.');
      return;
    }
    const total = weights.reduce<number>((a, w) => a + (w as number), 0);
    if (total !== 100) {
      bad([...path, 'distribute', i, 'to'], `total locality weight ${total} != 100`, 'Make the weights add up to 100.');
      return;
    }
    const reason = localitiesReason(Object.keys(to));
    if (reason) bad([...path, 'distribute', i, 'to'], reason, 'Write localities as region, region/zone or region/zone/subzone, "*" only last, without overlaps.');
  }
  const reason = localitiesReason(sources);
  if (reason) bad([...path, 'distribute'], reason, 'Write localities as region, region/zone or region/zone/subzone, "*" only last, without overlaps.');
  if ((failover.length > 0 || priority.length > 0) && !isRecord(outlier)) {
    out.warn(LOAD_BALANCER_INVALID, path, 'outlier detection policy must be provided for failover', 'Add trafficPolicy.outlierDetection: failover only happens for ejected endpoints.');
  }
  failover.forEach((f, i) => {
    if (!isRecord(f)) return;
    const from = typeof f.from === 'string' ? f.from : '';
    const to = typeof f.to === 'string' ? f.to : '';
    const at: WebhookPath = [...path, 'failover', i];
    if (from === to) bad(at, 'locality lb failover settings must specify different regions', 'Fail over to another region.');
    if (from.includes('/') || to.includes('/')) bad(at, 'locality lb failover only specify region', 'Name regions only (no zone/subzone).');
    if (from.includes('*') || to.includes('*')) bad(at, "locality lb failover region should not contain '*' wildcard", 'Name the regions explicitly.');
  });
}

// validateLocalities: "*" at most once and last; no locality may overlap an earlier one.
function localitiesReason(localities: readonly string[]): string | undefined {
  const tree = new Map<string, Map<string, Set<string>>>();
  for (const locality of localities) {
    const stars = locality.split('*').length - 1;
    if (stars > 0 && (stars > 1 || !locality.endsWith('*'))) return `locality ${locality} wildcard '*' number can not exceed 1 and must be in the end`;
    const overlap = `locality ${locality} overlap with previous specified ones`;
    if (tree.has('*')) return overlap;
    const items = locality.split('/').slice(0, 3);
    if (locality.split('/').length > 3) items[2] = locality.split('/').slice(2).join('/');
    if (items.some((x) => x === '')) return `locality ${locality} must not contain empty region/zone/subzone info`;
    const [region, zone, subzone] = items;
    const zones = tree.get(region);
    if (items.length === 1) {
      if (zones) return overlap;
      tree.set(region, new Map([['*', new Set(['*'])]]));
    } else if (items.length === 2) {
      if (zones?.has('*') || zones?.has(zone)) return overlap;
      if (zones) zones.set(zone, new Set(['*']));
      else tree.set(region, new Map([[zone, new Set(['*'])]]));
    } else {
      if (zones?.has('*')) return overlap;
      const subzones = zones?.get(zone);
      if (subzones?.has('*') || subzones?.has(subzone)) return overlap;
      if (subzones) subzones.add(subzone);
      else if (zones) zones.set(zone, new Set([subzone]));
      else tree.set(region, new Map([[zone, new Set([subzone])]]));
    }
  }
  return undefined;
}
