import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_FILE_BYTES, errnoCode, MAX_FILE_SIZE_ENV, maxFileBytes, readTextFile, readTextStream } from '../../src/private/fs-read';
import { catchTrustmesh } from '../helpers';

describe('readTextFile', () => {
  it('returns the file as UTF-8 text', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tm-fs-read-')), 'a.yaml');
    fs.writeFileSync(file, 'kind: Namespace # ü\n');
    expect(readTextFile(file, 'cannot read the file')).toBe('kind: Namespace # ü\n');
  });

  it('throws TM_FILE_NOT_FOUND with the summary, the file as location, the fix and the I/O error as cause', () => {
    const e = catchTrustmesh(() => readTextFile('/no/such/file.yaml', 'cannot read the request file', 'Pass a file.'));
    expect(e.code).toBe('TM_FILE_NOT_FOUND');
    expect(e.message).toBe('TM_FILE_NOT_FOUND: cannot read the request file at /no/such/file.yaml\n  fix: Pass a file.');
    expect(errnoCode(e.cause)).toBe('ENOENT');
    expect(catchTrustmesh(() => readTextFile('/no/such/file.yaml', 'cannot read it')).fix).toBeUndefined();
  });
});

describe('readTextFile: only regular files, at most the size limit', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('refuses a FIFO at once (no writer would make it wait forever) with TM_INPUT_NOT_A_FILE', () => {
    const fifo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tm-fs-read-')), 'policies.yaml');
    execFileSync('mkfifo', [fifo]);
    const e = catchTrustmesh(() => readTextFile(fifo, 'cannot read the policy file'));
    expect(e.code).toBe('TM_INPUT_NOT_A_FILE');
    expect(e.message).toMatch(/^TM_INPUT_NOT_A_FILE: cannot read the policy file: it is a FIFO \(named pipe\), not a regular file at .*policies\.yaml\n/);
  });

  it('refuses /dev/zero (a character device, endless) and a directory, keeping the caller\'s fix', () => {
    const e = catchTrustmesh(() => readTextFile('/dev/zero', 'cannot read the request file', 'Pass a file, or "-" for stdin.'));
    expect(e.code).toBe('TM_INPUT_NOT_A_FILE');
    expect(e.summary).toBe('cannot read the request file: it is a character device, not a regular file');
    expect(e.fix).toBe('Pass a file, or "-" for stdin.');
    expect(catchTrustmesh(() => readTextFile(os.tmpdir(), 'cannot read it')).summary).toMatch(/it is a directory/);
  });

  it('refuses a file over the limit before reading it, with TM_FILE_TOO_LARGE naming the variable that raises it', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tm-fs-read-')), 'big.yaml');
    fs.writeFileSync(file, 'x'.repeat(2048));
    vi.stubEnv(MAX_FILE_SIZE_ENV, '1K');
    const e = catchTrustmesh(() => readTextFile(file, 'cannot read the policy file'));
    expect(e.code).toBe('TM_FILE_TOO_LARGE');
    expect(e.message).toMatch(/input is 2\.0 KiB, over the limit of 1\.0 KiB for one file at .*big\.yaml\n {2}received: 2048\n/);
    expect(e.fix).toMatch(/TRUSTMESH_MAX_FILE_SIZE=1G/);
    vi.stubEnv(MAX_FILE_SIZE_ENV, '2048');
    expect(readTextFile(file, 'x')).toHaveLength(2048);
  });

  it('the limit is 256 MiB unless TRUSTMESH_MAX_FILE_SIZE says otherwise (bytes, K, M, G)', () => {
    expect(maxFileBytes({})).toBe(DEFAULT_MAX_FILE_BYTES);
    expect(DEFAULT_MAX_FILE_BYTES).toBe(256 * 1024 * 1024);
    expect(maxFileBytes({ [MAX_FILE_SIZE_ENV]: '1G' })).toBe(1024 ** 3);
    expect(maxFileBytes({ [MAX_FILE_SIZE_ENV]: '512m' })).toBe(512 * 1024 ** 2);
    expect(maxFileBytes({ [MAX_FILE_SIZE_ENV]: '100' })).toBe(100);
    const e = catchTrustmesh(() => maxFileBytes({ [MAX_FILE_SIZE_ENV]: 'lots' }));
    expect(e.code).toBe('TM_OPTION_INVALID');
    expect(e.location).toBeUndefined();
  });
});

describe('readTextStream', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('returns the stream as text', async () => {
    await expect(readTextStream(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]), '<stdin>')).resolves.toBe('{"a":1}');
  });

  it('stops at the limit with TM_FILE_TOO_LARGE instead of reading an endless stream', async () => {
    vi.stubEnv(MAX_FILE_SIZE_ENV, '1K');
    const endless = new Readable({ read() { this.push(Buffer.alloc(512)); } });
    await expect(readTextStream(endless, '<stdin>')).rejects.toMatchObject({ code: 'TM_FILE_TOO_LARGE', location: { file: '<stdin>' } });
    endless.destroy();
  });
});

describe('errnoCode', () => {
  it('is the code of a system error, else unknown', () => {
    expect(errnoCode(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe('EACCES');
    expect(errnoCode(new Error('x'))).toBe('unknown');
    expect(errnoCode('EACCES')).toBe('unknown');
    expect(errnoCode(null)).toBe('unknown');
  });
});
