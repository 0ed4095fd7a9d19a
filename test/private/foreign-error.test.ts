import * as path from 'path';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { Mesh } from '../../src';
import { TrustmeshError, TrustmeshUsageError } from '../../src/errors';
import { appendAll } from '../../src/private/arrays';
import { userErrorOf } from '../../src/private/foreign-error';
import { tempApp } from '../helpers';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('nothing thrown');
}

describe('userErrorOf: what the user did, coded; undefined for a bug in trustmesh', () => {
  it('keeps a TrustmeshError as it is', () => {
    const e = new TrustmeshError('TM_INVALID_PORT', 'x');
    expect(userErrorOf(e)).toBe(e);
  });

  it('an API-misuse TypeError is TM_API_MISUSE at the caller', () => {
    const coded = userErrorOf(new TrustmeshUsageError('peer must be a MeshService'));
    expect(coded?.code).toBe('TM_API_MISUSE');
    expect(coded?.location?.file).toBe(path.join('test', 'private', 'foreign-error.test.ts'));
  });

  it('a construct id used twice (constructs\' own Error) is TM_DUPLICATE_CONSTRUCT_ID with the path and the caller\'s line', () => {
    const app = tempApp();
    new Mesh(app, 'shop');
    const coded = userErrorOf(thrown(() => new Mesh(app, 'shop')));
    expect(coded?.code).toBe('TM_DUPLICATE_CONSTRUCT_ID');
    expect(coded?.location).toMatchObject({ constructPath: 'shop', file: path.join('test', 'private', 'foreign-error.test.ts') });
    const nested = userErrorOf(thrown(() => {
      const parent = new Construct(app, 'team');
      new Construct(parent, 'x');
      new Construct(parent, 'x');
    }));
    expect(nested?.location?.constructPath).toBe('team/x');
    expect(nested?.summary).toBe('a construct with id "x" already exists in Construct team');
  });

  it('an operating-system error is TM_SYSTEM_ERROR at its path, with a fix for its errno', () => {
    const eperm = Object.assign(new Error('EPERM: operation not permitted, mkdir \'/sys/x\''), { code: 'EPERM', syscall: 'mkdir', path: '/sys/x', errno: -1 });
    const coded = userErrorOf(eperm);
    expect(coded?.code).toBe('TM_SYSTEM_ERROR');
    expect(coded?.message).toMatch(/^TM_SYSTEM_ERROR: the operating system refused mkdir: EPERM at \/sys\/x\n {2}fix: Check the permissions/);
    const enospc = userErrorOf(Object.assign(new Error('ENOSPC'), { code: 'ENOSPC', syscall: 'write' }));
    expect(enospc?.fix).toMatch(/disk is full/);
  });

  it('an exception of the user\'s own program is TM_APP_ERROR at its line', () => {
    const coded = userErrorOf(thrown(() => (undefined as unknown as { name: string }).name));
    expect(coded?.code).toBe('TM_APP_ERROR');
    expect(coded?.summary).toMatch(/^the program threw TypeError: Cannot read properties of undefined/);
    expect(coded?.location?.file).toBe(path.join('test', 'private', 'foreign-error.test.ts'));
  });

  it('an exception raised inside trustmesh\'s own code is a bug: undefined (exit 70), also for a non-Error', () => {
    expect(userErrorOf(thrown(() => appendAll(null as unknown as number[], [1])))).toBeUndefined();
    expect(userErrorOf('a string')).toBeUndefined();
  });
});
