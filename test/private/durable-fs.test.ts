import * as fs from 'fs';
import * as path from 'path';
import { afterEach, describe, expect, it } from 'vitest';
import { scratch } from './crash-harness';
import { ownerPid, temporarySuffix, writeTree } from '../../src/private/durable-fs';
import { FAULT_ENV, faultPoint, resetFaultPoints } from '../../src/private/fault-point';

afterEach(() => {
  delete process.env[FAULT_ENV];
  resetFaultPoints();
});

describe('writeTree', () => {
  it('sets the modes asked for whatever the umask, on files and on every directory', () => {
    const dir = path.join(scratch('tm-durable-'), 'tree');
    const umask = process.umask(0o077);
    try {
      writeTree(dir, [{ path: 'a/b/c.txt', content: 'c' }, { path: 'key.pem', content: 'k', mode: 0o600 }], { dirMode: 0o751, fileMode: 0o644 });
    } finally {
      process.umask(umask);
    }
    const mode = (p: string): string => (fs.statSync(path.join(dir, p)).mode % 0o1000).toString(8);
    expect([mode('.'), mode('a'), mode('a/b'), mode('a/b/c.txt'), mode('key.pem')]).toEqual(['751', '751', '751', '644', '600']);
    expect(fs.readFileSync(path.join(dir, 'a/b/c.txt'), 'utf8')).toBe('c');
  });

  it('refuses a file path that escapes the directory (a programming error: TypeError)', () => {
    const dir = path.join(scratch('tm-durable-'), 'tree');
    expect(() => writeTree(dir, [{ path: '../outside.txt', content: '' }])).toThrow(TypeError);
    expect(fs.existsSync(path.join(path.dirname(dir), 'outside.txt'))).toBe(false);
  });
});

describe('temporary names', () => {
  it('carry the process id that made them', () => {
    expect(ownerPid(`.dist.next-${temporarySuffix()}`)).toBe(process.pid);
    expect(ownerPid(`.dist.commit-${temporarySuffix()}.json.tmp`)).toBe(process.pid);
    expect(ownerPid('.dist.staging-Ab12Cd')).toBeUndefined();
  });
});

describe('faultPoint (the private crash-test hook)', () => {
  it('does nothing unless the variable is set', () => {
    expect(() => faultPoint('write', '/x')).not.toThrow();
  });

  it('counts only the steps of the asked kind whose path matches, and fails the asked one with the errno', () => {
    process.env[FAULT_ENV] = JSON.stringify({ kind: 'rename', match: 'secrets', at: 2, error: 'ENOSPC' });
    faultPoint('rename', '/dist -> /x');
    faultPoint('write', '/secrets/a');
    faultPoint('rename', '/secrets -> /y');
    let error: { code?: string; syscall?: string; path?: string } | undefined;
    try {
      faultPoint('rename', '/secrets/b -> /z');
    } catch (e) {
      error = e as typeof error;
    }
    expect(error).toMatchObject({ code: 'ENOSPC', syscall: 'rename', path: '/secrets/b -> /z' });
  });
});
