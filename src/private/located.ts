import { IConstruct } from 'constructs';
import { TrustmeshError, TrustmeshUsageError } from '../errors';

/**
 * Runs `fn`, attaching the construct path to any TrustmeshError (or API-misuse TypeError) it
 * throws, so that errors raised by the model's validators name the construct the user was calling.
 */
export function located<T>(scope: IConstruct, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if ((TrustmeshError.isTrustmeshError(e) || TrustmeshUsageError.isUsageError(e)) && !e.location?.constructPath) {
      throw e.withLocation({ constructPath: scope.node.path });
    }
    throw e;
  }
}
