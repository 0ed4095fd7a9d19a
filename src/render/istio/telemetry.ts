import { IstioManifest } from './manifest';
import { AccessLoggingSpec } from '../../model/access-logging';
import { istioApiVersion } from '../../model/api-version';
import { EdgeObjectNames } from '../../model/edge-names';
import { MeshModel } from '../../model/mesh-model';

/**
 * Access logging through the Telemetry API, mesh-wide (root namespace, no selector) or for one
 * namespace, with the provider named and an optional CEL filter.
 * @see https://istio.io/latest/docs/reference/config/telemetry/#AccessLogging
 */
export function renderAccessLogging(model: MeshModel, logging: AccessLoggingSpec): IstioManifest {
  const entry: Record<string, unknown> = { providers: [{ name: logging.provider }] };
  if (logging.filter !== undefined) entry.filter = { expression: logging.filter };
  return {
    apiVersion: istioApiVersion('Telemetry', model.spec.istioVersion),
    kind: 'Telemetry',
    metadata: { name: EdgeObjectNames.accessLogging(logging.namespace), namespace: logging.namespace ?? model.spec.rootNamespace },
    spec: { accessLogging: [entry] },
  };
}
