import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TrustmeshApp, TrustmeshAppProps } from '../src/constructs/trustmesh-app';
import { TrustmeshError } from '../src/errors';

/** A TrustmeshApp writing into fresh temp directories. */
export function tempApp(props: TrustmeshAppProps = {}): TrustmeshApp {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trustmesh-test-'));
  return new TrustmeshApp({ outdir: path.join(dir, 'dist'), secretsOutdir: path.join(dir, 'secrets'), onWarning: () => undefined, ...props });
}

/** Synthesized objects of an app (in output order), without writing. */
export function manifestsOf(app: TrustmeshApp): Record<string, any>[] {
  return app.synthOutput().manifests.map((m) => m.manifest as Record<string, any>);
}

/** The object of a kind and name (fails the test when missing). */
export function find(manifests: readonly Record<string, any>[], kind: string, name: string, namespace?: string): Record<string, any> {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind} ${namespace ?? '*'}/${name} in [${manifests.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`).join(', ')}]`);
  return found;
}

/** Runs fn and returns the TrustmeshError it throws (fails when it does not throw one). */
export function catchTrustmesh(fn: () => unknown): TrustmeshError {
  try {
    fn();
  } catch (e) {
    if (TrustmeshError.isTrustmeshError(e)) return e;
    throw new Error(`expected a TrustmeshError, got: ${String(e)}`);
  }
  throw new Error('expected a TrustmeshError, nothing was thrown');
}

/** Every file under dir (recursively): path relative to dir → content. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}
