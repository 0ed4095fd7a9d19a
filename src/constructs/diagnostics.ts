import { IConstruct } from 'constructs';
import { Diagnostic, formatDiagnostic } from '../errors';

const SOURCES = new WeakMap<IConstruct, () => readonly Diagnostic[]>();

/**
 * Registers a producer of whole-graph diagnostics (errors and warnings with codes) for a construct.
 *
 * The producer runs at synth, after the user finished mutating the tree. Under a plain cdk8s `App`
 * its errors become ordinary cdk8s validation messages (so `cdk8s synth` still fails); under
 * {@link TrustmeshApp} they keep their codes and locations, and warnings are printed too.
 */
export function registerDiagnostics(scope: IConstruct, produce: () => readonly Diagnostic[]): void {
  if (SOURCES.has(scope)) throw new TypeError(`diagnostics already registered for ${scope.node.path}`);
  SOURCES.set(scope, produce);
  scope.node.addValidation({
    validate: () => produce().filter((d) => d.severity === 'error').map(formatDiagnostic),
  });
}

/** The structured diagnostics producer registered for a construct, if any. @internal */
export function diagnosticsOf(scope: IConstruct): (() => readonly Diagnostic[]) | undefined {
  return SOURCES.get(scope);
}
