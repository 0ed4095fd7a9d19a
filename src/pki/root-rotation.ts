/**
 * Root rotation with overlap, in three steps so that no workload ever sees a certificate from a
 * root it does not trust yet:
 *
 * 1. `begin`: create the new root; the trust bundle (every `root-cert.pem`) carries both roots.
 *    Intermediates stay under the old root. Roll out, restart istiod and the workloads.
 * 2. `reissue`: re-issue every intermediate and credential under the new root; the old root
 *    stays in the bundle. Roll out, restart istiod and the workloads.
 * 3. `retire`: drop the old root from the bundle and delete it. Roll out, restart.
 *
 * istiod reads `cacerts` only when it starts, and workloads get the new root only with their next
 * certificate (istio/istio#22993), hence the restarts between steps.
 *
 * @module
 * @internal
 */
import { TrustmeshError } from '../errors';
import { RotationPhase } from './ca-material';
import { KeyAlgorithm } from './key-algorithm';
import { StoreState } from './key-store-state';
import { Pki } from './pki';
import { describe, issueRoot, reissue, StoreChange } from './store-issuance';

/** The outcome of one rotation step. @internal */
export interface RotationStep {
  readonly state: StoreState;
  readonly changes: readonly StoreChange[];
  readonly nextStep: string;
}

const RESTART = 'restart istiod in every cluster (`kubectl -n istio-system rollout restart deployment/istiod`; it reads cacerts only at start), '
  + 'then restart the workloads (`kubectl rollout restart deployment -n <ns>`) or wait until their 24h certificates have rotated';

/** Step 1. @internal */
export async function beginRotation(pki: Pki, state: StoreState, now: Date, algorithm?: KeyAlgorithm): Promise<RotationStep> {
  requirePhase(state, 'none', 'begin a root rotation');
  const generation = state.metadata.rootGeneration + 1;
  const nextRoot = await issueRoot(pki, state.metadata, generation, algorithm ?? state.root.privateKey.algorithm);
  return {
    state: {
      ...state,
      nextRoot,
      metadata: { ...state.metadata, rootGeneration: generation, rotation: { phase: 'new-root-trusted', startedAt: now.toISOString() } },
    },
    changes: [
      { action: 'created', subject: 'new root CA', detail: describe(nextRoot) },
      { action: 'updated', subject: 'trust bundle', detail: 'now holds the current and the new root' },
    ],
    nextStep: 'step 1 of 3 done: synthesize and apply the cacerts Secrets and trust-bundle ConfigMap (root-cert.pem now holds both roots), '
      + `${RESTART}, so that every proxy trusts both roots. Then run \`trustmesh ca rotate reissue\`.`,
  };
}

/** Step 2. @internal */
export async function reissueUnderNextRoot(pki: Pki, state: StoreState, now: Date): Promise<RotationStep> {
  requirePhase(state, 'new-root-trusted', 're-issue under the new root');
  const newRoot = state.nextRoot!;
  const everything = { clusters: [...state.clusters.keys()], credentials: [...state.credentials.keys()] };
  const reissued = await reissue(pki, state, newRoot, everything, now.toISOString());
  return {
    state: {
      ...state,
      root: newRoot,
      nextRoot: undefined,
      previousRoot: state.root,
      clusters: reissued.clusters,
      credentials: reissued.credentials,
      metadata: {
        ...state.metadata,
        algorithm: newRoot.privateKey.algorithm.name,
        rotation: { ...state.metadata.rotation, phase: 'intermediates-reissued' },
        credentials: reissued.records,
      },
    },
    changes: [{ action: 'updated', subject: 'signing root', detail: `${describe(newRoot)}; the old root stays trusted` }, ...reissued.changes],
    nextStep: 'step 2 of 3 done: synthesize and apply the cacerts and gateway Secrets, '
      + `${RESTART}, so that every workload certificate chains to the new root (\`trustmesh ca inspect\` shows the chains). `
      + 'Then run `trustmesh ca retire-root`.',
  };
}

/** Step 3. @internal */
export function retirePreviousRoot(state: StoreState): RotationStep {
  requirePhase(state, 'intermediates-reissued', 'retire the old root');
  const old = state.previousRoot!;
  return {
    state: { ...state, previousRoot: undefined, metadata: { ...state.metadata, rotation: { phase: 'none' } } },
    changes: [
      { action: 'removed', subject: 'old root CA', detail: `${old.certificate} (certificate and key deleted from the store)` },
      { action: 'updated', subject: 'trust bundle', detail: 'now holds only the new root' },
    ],
    nextStep: `rotation complete: synthesize and apply the cacerts Secrets and trust-bundle ConfigMap, then ${RESTART}, so that proxies stop trusting the old root.`,
  };
}

/** Undo step 1. @internal */
export function abortRotation(state: StoreState): RotationStep {
  requirePhase(state, 'new-root-trusted', 'abort the rotation');
  return {
    state: {
      ...state,
      nextRoot: undefined,
      metadata: { ...state.metadata, rootGeneration: state.metadata.rootGeneration - 1, rotation: { phase: 'none' } },
    },
    changes: [
      { action: 'removed', subject: 'new root CA', detail: `${state.nextRoot!.certificate} (certificate and key deleted)` },
      { action: 'updated', subject: 'trust bundle', detail: 'back to the current root only' },
    ],
    nextStep: `rotation aborted: synthesize and apply the cacerts Secrets and trust-bundle ConfigMap, then ${RESTART}.`,
  };
}

const NEXT_COMMAND: Readonly<Record<RotationPhase, string>> = {
  'none': '`trustmesh ca rotate begin` starts a rotation',
  'new-root-trusted': 'the next step is `trustmesh ca rotate reissue` (or `trustmesh ca rotate abort`)',
  'intermediates-reissued': 'the next step is `trustmesh ca retire-root`',
};

function requirePhase(state: StoreState, phase: RotationPhase, what: string): void {
  const current = state.metadata.rotation.phase;
  if (current === phase) return;
  throw new TrustmeshError('TM_CA_ROTATION_PHASE', `cannot ${what}: the root rotation is in phase "${current}"`, {
    value: current,
    allowed: phase,
    fix: NEXT_COMMAND[current],
  });
}

/** The command that moves a rotation on from `phase`, for `ca inspect`. @internal */
export function nextRotationCommand(phase: RotationPhase): string {
  return NEXT_COMMAND[phase];
}
