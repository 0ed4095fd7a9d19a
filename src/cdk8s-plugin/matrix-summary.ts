/**
 * A few lines of "who can talk to whom" for the `cdk8s synth` log, from the access matrix.
 *
 * @module
 */
import { IstioConfig } from '../analysis/config/istio-config';
import { MeshConfig } from '../analysis/config/mesh-config';
import { buildAccessMatrix } from '../analysis/matrix/matrix';

/** At most this many destinations are listed; the rest are counted. */
const MAX_DESTINATIONS = 40;

/**
 * One line per destination: the sources allowed (fully or partly) and what they may do, e.g.
 * `bookinfo/ratings ← bookinfo/bookinfo-reviews-v2, bookinfo/bookinfo-reviews-v3: GET /ratings/* on port 9080`.
 * Destinations nobody may reach say so.
 */
export function accessMatrixSummary(config: IstioConfig, meshConfig: MeshConfig): string[] {
  const matrix = buildAccessMatrix(config, { meshConfig, allowInvalidConfig: true });
  const lines = [`access matrix: ${matrix.sources.length} sources × ${matrix.destinations.length} destinations`];
  for (const column of matrix.columns.slice(0, MAX_DESTINATIONS)) {
    const open = column.groups.filter((g) => g.cell.status !== 'denied');
    const id = column.destination.id;
    if (open.length === 0) {
      lines.push(`  ${id} ← nobody`);
      continue;
    }
    for (const g of open) {
      lines.push(`  ${id} ← ${g.sources.join(', ')}: ${g.cell.status === 'allowed' ? 'everything' : g.cell.summary}`);
    }
  }
  if (matrix.columns.length > MAX_DESTINATIONS) lines.push(`  … and ${matrix.columns.length - MAX_DESTINATIONS} more destinations (trustmesh matrix shows all)`);
  return lines;
}
