// A user's synth program (runSynth) run as a real child process on the compiled library, as users
// run theirs (issue 10, section 5): what their code did wrong is a coded error naming their line or
// the construct path, exit 2, no stack trace; only a bug in trustmesh prints "internal error", exit 70.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const LIB = path.join(ROOT, 'lib', 'src', 'index.js');
const CLI = path.join(ROOT, 'lib', 'src', 'cli', 'main.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('runSynth: errors of the user\'s program', () => {
  let dir: string;

  /**
   * Writes `app-<name>.js`: a mesh "shop" with services checkout and payments (HTTP 8080), then
   * `body` on line 8 (so errors raised there are at `app-<name>.js:8`), and runs it.
   */
  const synth = (name: string, body: string, options: { outdir?: string; ca?: boolean } = {}): Run => {
    const file = path.join(dir, `app-${name}.js`);
    fs.writeFileSync(file, [
      `const { EgressPort, GatewayCredential, JwtIssuer, KeyStore, Mesh, Peer, Port, TrustmeshApp, runSynth } = require(${JSON.stringify(LIB)});`,
      'runSynth(async () => {',
      `  const app = new TrustmeshApp({ outdir: ${JSON.stringify(options.outdir ?? `out-${name}/dist`)}, secretsOutdir: 'out-${name}/secrets' });`,
      '  const mesh = new Mesh(app, \'shop\');',
      `  const ca = ${options.ca ? 'mesh.useCertificateAuthority(await KeyStore.at(\'.trustmesh/ca\').load())' : 'undefined'};`,
      '  const ns = mesh.addNamespace(\'shop\'); ns.addService(\'checkout\', { ports: [Port.http(8080)] });',
      '  const payments = ns.addService(\'payments\', { ports: [Port.http(8080)] });',
      `  ${body}`,
      '  return app;',
      '});',
      '',
    ].join('\n'));
    const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  /** Exit 2, one coded error, no stack trace. */
  const expectCoded = (r: Run, code: string): void => {
    expect(r.stderr).toMatch(new RegExp(`^error ${code}: `));
    expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
    expect(r.code).toBe(2);
  };

  beforeAll(() => {
    if (!fs.existsSync(LIB)) throw new Error(`${LIB} is missing: compile first (npx tsc --build)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-synth-errors-'));
    execFileSync(process.execPath, [CLI, 'ca', 'init', '--cluster', 'shop'], { cwd: dir, stdio: 'ignore' });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the app builds as written (the base every case below changes one line of)', () => {
    const r = synth('ok', '');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('allowFrom(undefined) is TM_API_MISUSE at the caller\'s line and the construct path', () => {
    const r = synth('undefined-peer', 'payments.allowFrom(undefined);');
    expectCoded(r, 'TM_API_MISUSE');
    expect(r.stderr).toContain('TM_API_MISUSE: peer must be a MeshService, MeshNamespace or a Peer.* value at app-undefined-peer.js:8:12 [shop/shop/payments]');
  });

  test('a second new Mesh(app, \'shop\') is TM_DUPLICATE_CONSTRUCT_ID, not constructs\' raw Error', () => {
    const r = synth('second-mesh', 'new Mesh(app, \'shop\');');
    expectCoded(r, 'TM_DUPLICATE_CONSTRUCT_ID');
    expect(r.stderr).toContain('a construct with id "shop" already exists in TrustmeshApp at app-second-mesh.js:8:3 [shop]');
  });

  test('EPERM from the operating system (an outdir it refuses) is TM_OUTPUT_UNWRITABLE naming the path', () => {
    const r = synth('eperm', '', { outdir: '/sys/trustmesh-test/dist' });
    expectCoded(r, 'TM_OUTPUT_UNWRITABLE');
    expect(r.stderr).toMatch(/cannot write the output directory \/sys\/trustmesh-test\/dist \(E(PERM|ACCES|NOENT|ROFS)\); nothing was changed/);
  });

  test.each([
    ['Port.http(0)', 'Port.http(0);', 'TM_INVALID_PORT', 'service port is out of range at app-factory.js:8:8\n  received: 0\n'],
    ['Port.http(NaN)', 'Port.http(NaN);', 'TM_INVALID_PORT', 'service port is out of range at app-factory.js:8:8\n  received: NaN\n'],
    ['Peer.ipBlocks([\'x\'])', 'Peer.ipBlocks([\'x\']);', 'TM_INVALID_CIDR', 'IP block is not an IP address or CIDR block at app-factory.js:8:8\n'],
    ['Peer.namespace(\'Bad NS\')', 'Peer.namespace(\'Bad NS\');', 'TM_INVALID_NAME', 'namespace is not a valid DNS-1123 label at app-factory.js:8:8\n'],
    ['JwtIssuer.of (jwks and jwksUri)', 'JwtIssuer.of({ issuer: \'https://i.example.com\', jwksUri: \'https://i.example.com/jwks\', jwks: \'{"keys":[{"kty":"RSA"}]}\' });',
      'TM_INVALID_JWT_ISSUER', 'JWT issuer "https://i.example.com" needs exactly one of jwksUri and jwks at app-factory.js:8:13\n'],
    ['EgressPort.tls(0)', 'EgressPort.tls(0);', 'TM_INVALID_PORT', 'egress port is out of range at app-factory.js:8:14\n'],
  ])('%s raised in a value factory names the caller\'s file:line:col', (_, body, code, text) => {
    const r = synth('factory', body);
    expectCoded(r, code);
    expect(r.stderr).toContain(`${code}: ${text}`);
  });

  test('GatewayCredential.fromCa(ca, \'nope\') names the caller\'s file:line:col', () => {
    const r = synth('credential', 'GatewayCredential.fromCa(ca, \'nope\');', { ca: true });
    expectCoded(r, 'TM_CA_UNKNOWN_CREDENTIAL');
    expect(r.stderr).toContain('the CA material has no issued credential "nope" at app-credential.js:8:21');
  });

  test('the fixes say what to do: remove one of jwks/jwksUri; a host name, not a URL', () => {
    const jwt = synth('jwt-fix', 'JwtIssuer.of({ issuer: \'https://i.example.com\', jwksUri: \'https://i.example.com/jwks\', jwks: \'{"keys":[{"kty":"RSA"}]}\' });');
    expect(jwt.stderr).toContain('fix: remove one of them');
    expect(jwt.stderr).not.toContain('set jwksUri');
    const stripe = synth('stripe', 'mesh.allowEgressTo(\'https://api.stripe.com\');');
    expectCoded(stripe, 'TM_INVALID_HOST');
    expect(stripe.stderr).toContain('egress host is a URL, not a host name at app-stripe.js:8:8 [shop]');
    expect(stripe.stderr).toContain('fix: pass the host name "api.stripe.com"');
    expect(stripe.stderr).not.toContain('https---api.stripe.com');
    const port = synth('url-port', 'mesh.allowEgressTo(\'http://api.example.com:8080\');');
    expect(port.stderr).toContain('fix: pass the host name "api.example.com", with ports: [EgressPort.http(8080)]');
  });

  test('an exception of the user\'s own code is TM_APP_ERROR at its line, without a stack', () => {
    const r = synth('own-bug', 'const settings = undefined; settings.name;');
    expectCoded(r, 'TM_APP_ERROR');
    expect(r.stderr).toContain('the program threw TypeError: Cannot read properties of undefined (reading \'name\') at app-own-bug.js:8:40');
  });

  test('only an exception inside trustmesh\'s own code is "internal error" with the stack, exit 70', () => {
    const arrays = JSON.stringify(path.join(ROOT, 'lib', 'src', 'private', 'arrays.js'));
    const r = synth('internal', `require(${arrays}).appendAll(null, [1]);`);
    expect(r.stderr).toMatch(/^internal error \(this is a bug in trustmesh, please report it\):\nTypeError: /);
    expect(r.stderr).toMatch(/\n\s+at (Object\.)?appendAll \(.*arrays\.js:\d+:\d+\)\n/);
    expect(r.code).toBe(70);
  });
});
