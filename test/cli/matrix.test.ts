// `trustmesh matrix` run as a real child process from the compiled output (npm test compiles first;
// by hand: `npx tsc --build`).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliRun, MAIN, ROOT, runCli } from './cli-runner';


const BOOKINFO = path.join(ROOT, 'test', 'fixtures', 'matrix', 'bookinfo');
const LAYERS = path.join(ROOT, 'test', 'fixtures', 'analysis', 'layers');

const trustmesh = (args: readonly string[]): CliRun => runCli(args);

describe('trustmesh matrix', () => {
  let dir: string;
  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc --build)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-matrix-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints a markdown table by default, exit 0', () => {
    const r = trustmesh(['matrix', BOOKINFO]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^### Access matrix\n/);
    const columns = ['details', 'productpage', 'ratings', 'reviews-v1', 'reviews-v2', 'reviews-v3'].map((c) => `bookinfo/${c}`);
    expect(r.stdout).toContain(`| source ╲ destination | ${columns.join(' | ')} |`);
    expect(r.stdout).toContain('| bookinfo/bookinfo-productpage | ◐ GET on port 9080 | — | — | ◐ GET on port 9080 | ◐ GET on port 9080 | ◐ GET on port 9080 |');
    expect(r.stdout).toContain('| plaintext (no mTLS) | 🔒 mTLS |');
  });

  it('prints JSON that parses, with productpage → details allowed for GET and reviews-v1 → ratings denied', () => {
    const r = trustmesh(['matrix', BOOKINFO, '--output', 'json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { destinations: { id: string; access: { sources: string[]; status: string; summary: string }[] }[] };
    const cell = (source: string, destination: string) => json.destinations.find((d) => d.id === destination)
      ?.access.find((a) => a.sources.includes(source));
    expect(cell('bookinfo/bookinfo-productpage', 'bookinfo/details')).toMatchObject({ status: 'partial', summary: 'GET on port 9080' });
    expect(cell('bookinfo/bookinfo-reviews-v1', 'bookinfo/ratings')?.status).toBe('denied');
    expect(trustmesh(['matrix', BOOKINFO, '--output', 'json']).stdout).toBe(r.stdout);
  });

  it('prints a CSV grid and a Mermaid flowchart', () => {
    const csv = trustmesh(['matrix', BOOKINFO, '--output', 'csv']);
    expect(csv.stdout.split('\r\n')[0]).toBe('source,bookinfo/details,bookinfo/productpage,bookinfo/ratings,bookinfo/reviews-v1,bookinfo/reviews-v2,bookinfo/reviews-v3');
    const mermaid = trustmesh(['matrix', BOOKINFO, '--output', 'mermaid']);
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout).toMatch(/^flowchart LR\n/);
    expect(mermaid.stdout).toMatch(/ s\d+ -->\|"GET \/ratings\/\* on port 9080"\| d2\n/);
  });

  it('streams a connection list: one line per allowed source, destination port and layer, destinations by id', () => {
    const r = trustmesh(['matrix', BOOKINFO, '--output', 'connlist']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      '# source => destination : port/protocol layer what',
      'bookinfo/bookinfo-productpage => bookinfo/details : 9080/HTTP istio GET',
      'istio-system/istio-ingressgateway-service-account => bookinfo/productpage : 9080/HTTP istio GET, POST /api/v1/products*, /login, /logout, /productpage, /static/*',
      'bookinfo/bookinfo-reviews-v2 => bookinfo/ratings : 9080/HTTP istio GET /ratings/*',
      'bookinfo/bookinfo-reviews-v3 => bookinfo/ratings : 9080/HTTP istio GET /ratings/*',
      'bookinfo/bookinfo-productpage => bookinfo/reviews-v1 : 9080/HTTP istio GET',
      'bookinfo/bookinfo-productpage => bookinfo/reviews-v2 : 9080/HTTP istio GET',
      'bookinfo/bookinfo-productpage => bookinfo/reviews-v3 : 9080/HTTP istio GET',
      '',
    ].join('\n'));
  });

  it('lists the NetworkPolicy layer as L4 lines, marking a connection L4 opens while the mesh denies it', () => {
    const r = trustmesh(['matrix', LAYERS, '--output', 'connlist']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('shop/web => shop/db : 5432/TCP istio all');
    expect(lines).toContain('shop/web => shop/db : 5432/TCP L4');
    // Istio allows dev/sleep → shop/db, the NetworkPolicy admits only web's pods: no L4 line.
    expect(lines).toContain('dev/sleep => shop/db : 5432/TCP istio all');
    expect(lines).not.toContain('dev/sleep => shop/db : 5432/TCP L4');
    expect(lines).toContain('plaintext => dev/sleep : other/TCP L4 (mesh denies)');
    expect(lines.filter((l) => l.startsWith('shop/db => shop/db'))).toEqual([]);
  });

  it('exits 2 with a located message for a missing path or invalid policy, and for an unknown format', () => {
    const missing = trustmesh(['matrix', path.join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/TM_FILE_NOT_FOUND/);
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: x, namespace: foo}\nspec: {action: MAYBE}\n');
    const invalid = trustmesh(['matrix', bad]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('bad.yaml:4');
    expect(invalid.stderr).not.toMatch(/\n\s+at /);
    expect(trustmesh(['matrix', BOOKINFO, '--output', 'svg']).code).toBe(2);
  });
});
