/**
 * `TM_NEGATIVE_STATUS_CONDITION` (warning, istioctl `IST0171` NegativeConditionStatus,
 * `conditions.ConditionAnalyzer`): a status condition the controllers set to report that an
 * object does not work as written — in exported cluster state (`kubectl get -o yaml`):
 *
 * - Service, ServiceEntry, WorkloadEntry: `istio.io/WaypointBound` False (the waypoint is missing
 *   or not ready);
 * - AuthorizationPolicy: `ZtunnelAccepted` or `WaypointAccepted` False, or `WaypointAccepted` with
 *   reason `PartiallyInvalid` (some `targetRefs` are ignored);
 * - Gateway API Gateway, HTTPRoute, GRPCRoute (conditions of every parent): `Accepted`,
 *   `Programmed` or `ResolvedRefs` False.
 *
 * Other conditions (e.g. Argo CD's) are ignored. Reported on the object at the condition.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0171/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { asRecord } from '../../../private/records';
import { FieldPath } from '../../config/yaml-source';

const CHECK: AnalyzerCheck = {
  code: 'TM_NEGATIVE_STATUS_CONDITION',
  severity: 'warning',
  upstreamCode: 'IST0171',
  title: 'an object\'s status reports a negative condition',
};

const WAYPOINT_BOUND = ['istio.io/WaypointBound'];
const ROUTE_CONDITIONS = ['Accepted', 'Programmed', 'ResolvedRefs'];
/** `group/kind` → the condition types reported when False; whether conditions sit under `status.parents[]`. */
const NEGATIVE: Readonly<Record<string, { readonly types: readonly string[]; readonly parents: boolean }>> = {
  '/Service': { types: WAYPOINT_BOUND, parents: false },
  'networking.istio.io/ServiceEntry': { types: WAYPOINT_BOUND, parents: false },
  'networking.istio.io/WorkloadEntry': { types: WAYPOINT_BOUND, parents: false },
  'security.istio.io/AuthorizationPolicy': { types: ['ZtunnelAccepted', 'WaypointAccepted'], parents: false },
  'gateway.networking.k8s.io/Gateway': { types: ROUTE_CONDITIONS, parents: false },
  'gateway.networking.k8s.io/HTTPRoute': { types: ROUTE_CONDITIONS, parents: true },
  'gateway.networking.k8s.io/GRPCRoute': { types: ROUTE_CONDITIONS, parents: true },
};

/** The rule. */
export const statusConditionsRule: AnalyzerRule = {
  name: 'status-conditions',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    for (const obj of context.config.objects) {
      if (obj.body.status === undefined) continue;
      const group = obj.apiVersion.includes('/') ? obj.apiVersion.slice(0, obj.apiVersion.indexOf('/')) : '';
      const rule = NEGATIVE[`${group}/${obj.kind}`];
      if (!rule) continue;
      const status = asRecord(obj.body.status);
      const lists: { readonly conditions: unknown; readonly path: FieldPath }[] = rule.parents
        ? (Array.isArray(status.parents) ? status.parents : []).map((p, i) => ({ conditions: asRecord(p).conditions, path: ['status', 'parents', i, 'conditions'] }))
        : [{ conditions: status.conditions, path: ['status', 'conditions'] }];
      for (const { conditions, path } of lists) {
        (Array.isArray(conditions) ? conditions : []).forEach((raw, i) => {
          const c = asRecord(raw);
          const type = typeof c.type === 'string' ? c.type : '';
          const negative = (rule.types.includes(type) && c.status === 'False')
            || (obj.kind === 'AuthorizationPolicy' && type === 'WaypointAccepted' && c.reason === 'PartiallyInvalid');
          if (!negative) return;
          out.push(finding(CHECK, obj, [...path, i],
            `${objectRef(obj)}: a condition with a negative status is present: type=${type}, reason=${String(c.reason ?? '')}, message=${String(c.message ?? '')}`,
            'Fix what the condition reports (its reason and message come from istiod or the Gateway API controller), then re-export the state.'));
        });
      }
    }
    return out;
  },
};
