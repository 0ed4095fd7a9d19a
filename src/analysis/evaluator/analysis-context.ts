/**
 * The one object every analysis stage after the loader receives: the loaded config, the mesh
 * config it is read under, and the indexes built from them once. Stages take a context instead of
 * threading the mesh config (and re-indexing the config) through every constructor, so a new layer
 * of policy (legacy RBAC, NetworkPolicy) adds its index here and reaches the evaluator, the access
 * analysis and the analyzer without changing their signatures.
 *
 * @module
 */
import { PolicyIndex } from './policy-index';
import { IstioConfig } from '../config/istio-config';
import { assertValidConfig } from '../config/load-config';
import { DEFAULT_MESH_CONFIG, MeshConfig } from '../config/mesh-config';
import { LegacyIndex } from './legacy/legacy-index';

/** Options of {@link createAnalysisContext}. */
export interface AnalysisContextOptions {
  /**
   * Analyze even when the config has invalid security objects (they are left out).
   * @default false - throw TM_CONFIG_INVALID
   */
  readonly allowInvalidConfig?: boolean;
}

/** One config, read under one mesh config, indexed once. */
export interface AnalysisContext {
  /** The loaded objects. */
  readonly config: IstioConfig;
  /** Root namespace, trust domain and aliases, extension providers, path normalization. */
  readonly mesh: MeshConfig;
  /** Istio security policies resolved per workload. */
  readonly policies: PolicyIndex;
  /** The pre-1.6 objects (Policy, MeshPolicy, RBAC), resolved per destination by the legacy evaluator. */
  readonly legacy: LegacyIndex;
}

/**
 * Validates the config (unless told not to) and builds its indexes.
 *
 * @throws TrustmeshAggregateError `TM_CONFIG_INVALID` when the config has invalid security objects.
 */
export function createAnalysisContext(config: IstioConfig, mesh: MeshConfig = DEFAULT_MESH_CONFIG,
  options: AnalysisContextOptions = {}): AnalysisContext {
  if (!options.allowInvalidConfig) assertValidConfig(config);
  return { config, mesh, policies: new PolicyIndex(config, mesh), legacy: new LegacyIndex(config, mesh.rootNamespace) };
}
