/**
 * istiod's validating webhook, offline: the rules of `pkg/config/validation` (Istio 1.30) that
 * the CRD schema and its CEL rules do not enforce, for every kind trustmesh reads. Pure functions
 * over plain objects: the analyzer runs them on loaded YAML, synth on what it is about to write.
 *
 * Each finding names its rule family's code (see {@link WEBHOOK_CHECKS} and docs/validation.md),
 * the field path, the value received and the fix; severity `warning` where istiod admits the
 * object with a warning.
 *
 * @module
 */
import { AUTHENTICATION_CHECKS, checkPeerAuthentication, checkRequestAuthentication } from './authentication';
import { AUTHORIZATION_POLICY_CHECKS, checkAuthorizationPolicy } from './authorization-policy';
import {
  DRY_RUN_ANNOTATION_INVALID, EXPORT_TO_INVALID, RESERVED_ANNOTATION, TARGET_REF_INVALID, WORKLOAD_SELECTOR_INVALID,
  WORKLOAD_SELECTOR_WITHOUT_LABELS, checkMetadata,
} from './common-rules';
import { DESTINATION_RULE_CHECKS, checkDestinationRule } from './destination-rule';
import { GATEWAY_CHECKS, checkGateway } from './gateway';
import { SERVER_TLS_CHECKS } from './server-tls';
import { SERVICE_ENTRY_CHECKS, checkServiceEntry } from './service-entry';
import { SIDECAR_CHECKS, checkSidecar } from './sidecar';
import { TELEMETRY_CHECKS, checkTelemetry } from './telemetry';
import { TRAFFIC_POLICY_CHECKS } from './traffic-policy';
import { checkVirtualService } from './virtual-service';
import { VIRTUAL_SERVICE_CHECKS } from './virtual-service-checks';
import { Findings, WebhookCheck, WebhookFinding, WebhookMetadata } from './webhook-types';
import { isRecord, stringEntries } from '../../private/records';

export type { WebhookCheck, WebhookFinding, WebhookMetadata, WebhookPath } from './webhook-types';
export { webhookPathString } from './webhook-types';

/** Every rule family, in the order of docs/validation.md. */
export const WEBHOOK_CHECKS: readonly WebhookCheck[] = [
  DRY_RUN_ANNOTATION_INVALID, RESERVED_ANNOTATION, WORKLOAD_SELECTOR_INVALID, WORKLOAD_SELECTOR_WITHOUT_LABELS, TARGET_REF_INVALID,
  EXPORT_TO_INVALID, ...AUTHORIZATION_POLICY_CHECKS, ...AUTHENTICATION_CHECKS, ...DESTINATION_RULE_CHECKS, ...TRAFFIC_POLICY_CHECKS,
  ...GATEWAY_CHECKS, ...SERVER_TLS_CHECKS, ...SIDECAR_CHECKS, ...SERVICE_ENTRY_CHECKS, ...VIRTUAL_SERVICE_CHECKS, ...TELEMETRY_CHECKS,
];

/** The kinds the webhook rules cover. */
export type WebhookKind = 'AuthorizationPolicy' | 'PeerAuthentication' | 'RequestAuthentication' | 'DestinationRule' | 'Gateway'
| 'VirtualService' | 'Sidecar' | 'ServiceEntry' | 'Telemetry';

const KINDS: Readonly<Record<string, readonly WebhookKind[]>> = {
  'security.istio.io': ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication'],
  'networking.istio.io': ['DestinationRule', 'Gateway', 'VirtualService', 'Sidecar', 'ServiceEntry'],
  'telemetry.istio.io': ['Telemetry'],
};

/** The webhook kind of an apiVersion and kind (any version of the kind's group), if covered. */
export function webhookKind(apiVersion: unknown, kind: unknown): WebhookKind | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return KINDS[group]?.find((k) => k === kind);
}

/** The metadata the rules read, from a manifest (namespace `default` when omitted, as kubectl applies it). */
export function webhookMetadata(manifest: Readonly<Record<string, unknown>>): WebhookMetadata {
  const meta = isRecord(manifest.metadata) ? manifest.metadata : {};
  return {
    name: typeof meta.name === 'string' ? meta.name : '',
    namespace: typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default',
    labels: stringEntries(meta.labels),
    annotations: stringEntries(meta.annotations),
  };
}

/**
 * Runs istiod's webhook rules on one object of a covered kind (others return nothing).
 *
 * @param metadata the object's metadata, when the caller has it resolved (e.g. a defaulted namespace)
 * @returns the findings, in rule order; empty when istiod would admit the object without warnings
 * @example
 * validateWebhook({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'gw' }, spec: { servers: [] } });
 * // [{ code: 'TM_GATEWAY_SERVER_INVALID', severity: 'error', path: ['spec', 'servers'], message: 'gateway must have at least one server', … }]
 */
export function validateWebhook(manifest: unknown, metadata?: WebhookMetadata): WebhookFinding[] {
  if (!isRecord(manifest)) return [];
  const kind = webhookKind(manifest.apiVersion, manifest.kind);
  if (!kind) return [];
  const meta = metadata ?? webhookMetadata(manifest);
  const spec = isRecord(manifest.spec) ? manifest.spec : {};
  const out = new Findings();
  checkMetadata(kind, meta, spec, out);
  switch (kind) {
    case 'AuthorizationPolicy': checkAuthorizationPolicy(spec, out); break;
    case 'PeerAuthentication': checkPeerAuthentication(spec, out); break;
    case 'RequestAuthentication': checkRequestAuthentication(spec, out); break;
    case 'DestinationRule': checkDestinationRule(meta, spec, out); break;
    case 'Gateway': checkGateway(meta, spec, out); break;
    case 'VirtualService': checkVirtualService(meta, spec, out); break;
    case 'Sidecar': checkSidecar(meta, spec, out); break;
    case 'ServiceEntry': checkServiceEntry(meta, spec, out); break;
    case 'Telemetry': checkTelemetry(spec, out); break;
  }
  return out.list;
}

/**
 * The webhook findings of objects already checked, kept so a second pass over the very same
 * objects does not run the rules again: synth validates each object (webhook rules included), then
 * its analyzer pass reports the webhook findings of the same objects at their file positions.
 * Keyed by object identity, so it holds nothing the objects do not; an object must not change
 * between the passes (synth's do not: they are serialized in between).
 */
export class WebhookResults {
  private readonly byObject = new WeakMap<object, { readonly namespace: string; readonly findings: readonly WebhookFinding[] }>();

  /**
   * {@link validateWebhook} of `manifest`, from an earlier call on the same object with the same
   * namespace if there was one, else computed and kept.
   */
  public validate(manifest: Readonly<Record<string, unknown>>, metadata?: WebhookMetadata): readonly WebhookFinding[] {
    const meta = metadata ?? webhookMetadata(manifest);
    const hit = this.byObject.get(manifest);
    if (hit && hit.namespace === meta.namespace) return hit.findings;
    const findings = validateWebhook(manifest, meta);
    this.byObject.set(manifest, { namespace: meta.namespace, findings });
    return findings;
  }
}
