import { App, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { formatDiagnostic } from '../errors';

const SECRET_CHART = Symbol.for('trustmesh.SecretChart');
const TRUSTMESH_APP = Symbol.for('trustmesh.TrustmeshApp');

/**
 * A chart whose objects carry key material (the `cacerts` Secret, gateway TLS Secrets).
 *
 * {@link TrustmeshApp} writes it into the secrets output directory (git-ignored, files 0600), never
 * into `dist/`. Under any other cdk8s App the chart fails validation, because a plain App would
 * write private keys into the reviewable output.
 */
export class SecretChart extends Chart {
  /** Brand check that works across package copies. */
  public static isSecretChart(x: unknown): x is SecretChart {
    return typeof x === 'object' && x !== null && SECRET_CHART in x;
  }

  public constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    Object.defineProperty(this, SECRET_CHART, { value: true });
    this.node.addValidation({
      validate: () => {
        const app = App.of(this);
        if (TRUSTMESH_APP in app) return [];
        return [formatDiagnostic({
          code: 'TM_SECRETS_NEED_TRUSTMESH_APP',
          severity: 'error',
          message: 'this chart holds private keys and a plain cdk8s App would write them into the reviewable output directory',
          fix: 'create the app with `new TrustmeshApp()` instead of `new App()`; it writes key material to a separate git-ignored directory',
        })];
      },
    });
  }
}

/** @internal marks an App as a TrustmeshApp for {@link SecretChart}'s check without an import cycle. */
export function markTrustmeshApp(app: App): void {
  Object.defineProperty(app, TRUSTMESH_APP, { value: true });
}
