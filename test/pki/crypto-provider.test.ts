import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';

const LIB = path.join(__dirname, '..', '..', 'lib', 'src');

function node(script: string): string {
  if (!fs.existsSync(path.join(LIB, 'pki', 'crypto-provider.js'))) throw new Error('compile first (npx tsc --build)');
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: LIB });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

describe('x509 setup', () => {
  it('importing the PKI modules and constructs changes no global state (no reflect-metadata, no x509 loaded)', () => {
    const out = node(`
      require('./pki/key-store'); require('./pki/certificate'); require('./constructs/certificate-authority');
      console.log(typeof Reflect.getMetadata, Object.keys(require.cache).some((k) => k.includes('@peculiar')));
    `);
    expect(out).toBe('undefined false');
  });

  it('sets up reflect-metadata and the WebCrypto provider on first use', () => {
    const out = node(`
      const { x509 } = require('./pki/crypto-provider');
      const lib = x509();
      console.log(typeof Reflect.getMetadata, lib.cryptoProvider.get() === require('crypto').webcrypto);
    `);
    expect(out).toBe('function true');
  });
});
