/**
 * Plumbing the command modules share: options, input loading and output helpers.
 *
 * @module
 */
import { DEFAULT_MESH_CONFIG, loadMeshConfig, MeshConfig } from '../analysis/mesh-config';

/** The `--mesh-config` file's settings, or Istio's defaults when the option is absent. */
export function meshConfigFrom(file: string | undefined): MeshConfig {
  return file ? loadMeshConfig(file) : DEFAULT_MESH_CONFIG;
}
