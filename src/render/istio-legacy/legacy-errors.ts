import { TrustmeshError } from '../../errors';
import { formatIstioVersion, IstioFeatureInfo, IstioVersion, supports } from '../../model/istio-version';

/**
 * @throws TrustmeshError TM_VERSION_UNSUPPORTED_FEATURE when the legacy target cannot express
 *   `feature`, naming the minimum release and what is asked for (`where`: the service or intention).
 */
export function assertLegacySupports(version: IstioVersion, feature: IstioFeatureInfo, where: string): void {
  if (supports(version, feature)) return;
  throw new TrustmeshError('TM_VERSION_UNSUPPORTED_FEATURE',
    `${where}: ${feature.what} needs Istio ${formatIstioVersion(feature.since)} or later, but the mesh targets Istio ${formatIstioVersion(version)}`, {
      value: formatIstioVersion(version),
      allowed: `istioVersion >= ${formatIstioVersion(feature.since)}`,
      fix: `raise the mesh's istioVersion to "${formatIstioVersion(feature.since)}" or drop the feature`,
    });
}

/** An end-of-the-line refusal: what the legacy APIs cannot say at all, and the release that can. */
export function legacyCannotExpress(version: IstioVersion, what: string, where: string, since = '1.5'): never {
  throw new TrustmeshError('TM_VERSION_UNSUPPORTED_FEATURE',
    `${where}: ${what} needs Istio ${since} or later (security.istio.io/v1beta1), but the mesh targets Istio ${formatIstioVersion(version)}`, {
      value: formatIstioVersion(version),
      allowed: `istioVersion >= ${since}`,
      fix: `raise the mesh's istioVersion to "${since}" or drop the feature`,
    });
}
