/**
 * The traffic options `replay` and `learn` share: the inventory, the log's pod, `--strict`.
 *
 * @module
 */
import { printInputNotes } from './common';
import { CliIo } from './run';
import { IstioConfig } from '../analysis/config/istio-config';
import { loadConfig } from '../analysis/config/load-config';
import { MeshConfig } from '../analysis/config/mesh-config';
import { createEvaluator } from '../analysis/evaluator/evaluate';
import { layeredEvaluator } from '../analysis/network/layered-evaluator';
import { NetworkLayer } from '../analysis/network/network-layer';
import { OutboundLayer } from '../analysis/network/sidecar-egress';
import { Inventory } from '../analysis/traffic/inventory';
import { ReplayEvaluator } from '../analysis/traffic/replay';
import { parseLogPod, TrafficReadOptions, TrafficReadSummary } from '../analysis/traffic/traffic-reader';
import { TrustmeshError } from '../errors';

/** The shared options. */
export interface TrafficInputOptions {
  readonly traffic: string[];
  readonly inventory?: string;
  readonly pod?: string;
  readonly strict?: boolean;
}

/** The inventory file's pods, Services and workloads, with those of the given configs. */
export function loadInventory(file: string | undefined, also: readonly IstioConfig[]): Inventory {
  const configs = file ? [loadConfig([file], { allowEmpty: false }), ...also] : also;
  return Inventory.of(configs);
}

/** The reader's options. */
export function readTrafficOptions(options: TrafficInputOptions): TrafficReadOptions {
  return options.pod ? { pod: parseLogPod(options.pod) } : {};
}

/**
 * `--strict`: fails on malformed lines.
 *
 * @throws TrustmeshError `TM_TRAFFIC_MALFORMED` with the first lines' locations.
 */
export function strictCheck(options: TrafficInputOptions, read: TrafficReadSummary): void {
  if (!options.strict || read.malformedCount === 0) return;
  const first = read.malformed[0];
  throw new TrustmeshError('TM_TRAFFIC_MALFORMED', `${read.malformedCount} line(s) of the traffic are not access-log entries`, {
    location: { file: first.file, line: first.line },
    value: read.malformed.slice(0, 5).map((m) => `${m.file}:${m.line}: ${m.reason}`).join('; '),
    allowed: 'Istio\'s default TEXT format, Istio JSON, the trustmesh format (optionally with a kubectl logs --prefix prefix), or a Prometheus query result',
    fix: 'Remove or fix the lines, or leave out --strict to replay the rest and list them.',
    callerLocation: false,
  });
}

/**
 * A version's policies through every layer a packet meets (NetworkPolicy, the source's Sidecar
 * egress, then Istio), as `check` decides them; what the layers do not model is printed once.
 */
export function layeredPolicies(io: CliIo, config: IstioConfig, mesh: MeshConfig): ReplayEvaluator {
  const network = NetworkLayer.fromConfig(config);
  printInputNotes(io, config, mesh, false, network.diagnostics);
  const istio = createEvaluator(config, mesh);
  const layered = layeredEvaluator(istio, network, OutboundLayer.fromConfig(config, mesh));
  return { evaluate: (r) => layered.evaluate(r), policiesFor: (namespace, labels) => istio.policiesFor(namespace, labels) };
}
