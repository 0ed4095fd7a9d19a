import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.join(__dirname, '..', '..', 'src');

/**
 * Spread arguments whose length is bounded by what one value declares, never by the size of the
 * input: `file` and the start of the call, with why. Anything else spreads through `appendAll` or
 * `maxOf` (src/private/arrays.ts): a spread call throws "Maximum call stack size exceeded" past
 * roughly 100,000 items, as `trustmesh analyze` on 155,000 policies did.
 */
const BOUNDED: readonly { readonly file: string; readonly call: string; readonly why: string }[] = [
  { file: 'cli/ca.ts', call: 'out.push(', why: 'the rows of the CA store: its roots, intermediates and issued credentials' },
  { file: 'cli/ca.ts', call: 'Math.max(h.length', why: 'the rows of the CA store' },
  { file: 'constructs/private/istio-api-object.ts', call: 'super.addJsonPatch(', why: 'passes on the patches of one addJsonPatch call, which spread them already' },
  { file: 'constructs/reference-workload.ts', call: 'ApiObject.of(this.kubeService).addJsonPatch(', why: 'the ports of one Service' },
  { file: 'constructs/reference-workload.ts', call: 'deployment.addJsonPatch(', why: 'the volumes of one injected sidecar' },
  { file: 'pki/certificate-profiles.ts', call: 'extensions.push(', why: 'the names of one certificate' },
  { file: 'pki/certificate-profiles.ts', call: 'leaf.push(', why: 'the names of one certificate' },
  { file: 'constructs/ingress-gateway.ts', call: 'this.routes.push(', why: 'the routes one route() call plans: its hosts and matches' },
  { file: 'validate/manifest-validator.ts', call: 'problems.push(', why: 'the metadata problems of one object' },
];

/** Every call or `new` in `src/` (except the generated imports) that spreads an argument. */
function spreadCalls(): { file: string; line: number; call: string }[] {
  const out: { file: string; line: number; call: string }[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) visitFile(p);
    }
  };
  const visitFile = (file: string): void => {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isSpreadElement(node) && (ts.isCallExpression(node.parent) || ts.isNewExpression(node.parent))) {
        out.push({
          file: path.relative(SRC, file).split(path.sep).join('/'),
          line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
          call: node.parent.getText().replace(/\s+/g, ' '),
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  };
  walk(SRC);
  return out;
}

describe('no spread of unbounded arrays in src/', () => {
  it('every spread argument is one of the bounded ones (use appendAll / maxOf for anything that grows with the input)', () => {
    const unbounded = spreadCalls()
      .filter((s) => !BOUNDED.some((b) => s.file === b.file && s.call.startsWith(b.call)))
      .map((s) => `src/${s.file}:${s.line}: ${s.call.slice(0, 100)}`);
    expect(unbounded).toEqual([]);
  });

  it('finds spread arguments at all (the scan itself works)', () => {
    expect(spreadCalls().some((s) => s.file === 'pki/certificate-profiles.ts')).toBe(true);
  });
});
