// The README's "Migrating from Istio 1.x" walk-through, run as written: its commands on the seeds'
// fixture with the real CLI (compiled `lib/`: `npx tsc --build` first), and every line it quotes
// from the output still printed. Also: `diff legacy/ converted/` shows no change across API
// generations (v1beta1 and v1) on both seeds' fixtures.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, ROOT, runCli } from '../cli/cli-runner';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The README section under `## <title>`, up to the next `## ` heading. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** The bodies of the fenced blocks of one language, in order. */
function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]);
}

/** Runs one README command line in `cwd`: `npx trustmesh ...` (the compiled CLI) or `cp [-r] SRC DST`. */
function run(line: string, cwd: string): string {
  const words = line.replace(/\s+#.*$/, '').trim().split(/\s+/);
  if (words[0] === 'cp') {
    const [src, dst] = words.filter((w) => !w.startsWith('-')).slice(1);
    // A path of the repository (the fixture) or one the walk-through created.
    const from = fs.existsSync(path.join(cwd, src)) ? path.join(cwd, src) : path.join(ROOT, src);
    const to = path.join(cwd, dst);
    fs.cpSync(from, dst.endsWith('/') ? path.join(to, path.basename(from)) : to, { recursive: true });
    return '';
  }
  expect(words.slice(0, 2), `unexpected README command: ${line}`).toEqual(['npx', 'trustmesh']);
  const r = runCli(words.slice(2), { cwd });
  expect(r.code, `${line}\n${r.stderr}`).toBe(0);
  expect(r.stderr, line).toBe('');
  return r.stdout;
}

describe('README "Migrating from Istio 1.x"', () => {
  let dir: string;
  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc --build)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-legacy-docs-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('its commands run on the micro-shake-factory fixture and print every line the section quotes', () => {
    const text = section('Migrating from Istio 1.x');
    const [requests] = blocks(text, 'jsonl');
    const [commands] = blocks(text, 'bash');
    const quoted = blocks(text, 'text');
    expect(requests.trim().split('\n')).toHaveLength(3);
    expect(quoted.length).toBeGreaterThanOrEqual(4);
    fs.writeFileSync(path.join(dir, 'requests.jsonl'), requests);
    const lines = commands.split('\n').filter((l) => l.trim() !== '');
    expect(lines.map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'cp -r test/fixtures/legacy/micro-shake-factory', 'npx trustmesh check', 'npx trustmesh matrix', 'npx trustmesh convert',
      'cp legacy/workloads.yaml converted/', 'npx trustmesh diff',
    ]);
    const printed = lines.map((l) => run(l, dir)).join('\n').split('\n');
    for (const block of quoted) {
      for (const line of block.split('\n').filter((l) => l.trim() !== '' && l.trim() !== '…')) {
        expect(printed, `the README quotes a line the CLI no longer prints:\n${line}`).toContain(line);
      }
    }
    expect(fs.readdirSync(path.join(dir, 'converted')).sort()).toEqual(['istio-system.yaml', 'micro-shake-factory.yaml', 'workloads.yaml']);
  });

  it('links the reference, which names every convert code the section names', () => {
    const text = section('Migrating from Istio 1.x');
    expect(text).toContain('[docs/legacy.md](docs/legacy.md)');
    const reference = fs.readFileSync(path.join(ROOT, 'docs', 'legacy.md'), 'utf8');
    for (const code of new Set(text.match(/TM_[A-Z_]+/g))) expect(reference).toContain(code);
  });
});

describe('diff legacy/ converted/ across API generations on the seeds', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-legacy-generations-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const seed of ['micro-shake-factory', 'bookinfo']) {
    for (const [to, apiVersion] of [['1.21', 'security.istio.io/v1beta1'], ['1.30', 'security.istio.io/v1']]) {
      it(`${seed}: converted to ${apiVersion} (Istio ${to}), the semantic diff shows no change`, () => {
        const legacy = path.join(ROOT, 'test', 'fixtures', 'legacy', seed);
        const out = path.join(dir, `${seed}-${to}`);
        const c = runCli(['convert', legacy, '--to', to, '--out', out]);
        expect(c.code, c.stderr).toBe(0);
        fs.copyFileSync(path.join(legacy, 'workloads.yaml'), path.join(out, 'workloads.yaml'));
        const versions = new Set(fs.readdirSync(out).filter((f) => f !== 'workloads.yaml')
          .flatMap((f) => fs.readFileSync(path.join(out, f), 'utf8').match(/^apiVersion: .*$/gm) ?? []));
        expect([...versions]).toEqual([`apiVersion: ${apiVersion}`]);
        const d = runCli(['diff', legacy, out]);
        expect(d.code).toBe(0);
        expect(d.stdout).toBe('### Access changes\n\nNo change in who may access what.\n');
        // The diff is not blind: without the converted policies, access is lost.
        const bare = path.join(dir, `${seed}-${to}-bare`);
        fs.mkdirSync(bare);
        fs.copyFileSync(path.join(legacy, 'workloads.yaml'), path.join(bare, 'workloads.yaml'));
        expect(runCli(['diff', legacy, bare]).stdout).not.toContain('No change in who may access what.');
      });
    }
  }
});
