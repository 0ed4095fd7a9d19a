// Istio objects serialize without cdk8s's per-value resolve walk (plain-json.ts): the JSON must be
// exactly cdk8s's, and cdk8s's own path must still run whenever it could differ — custom resolvers,
// JSON patches, CDK8S_DISABLE_SORT, values that are not plain data.
import { ApiObject, App, Chart, IResolver, JsonPatch, Lazy, ResolutionContext, Testing } from 'cdk8s';
import { afterEach, describe, expect, test } from 'vitest';
import { generateMesh } from '../../../bench/generate-mesh';
import { TrustmeshApp } from '../../../src';
import { createIstioApiObject } from '../../../src/constructs/private/istio-api-object';
import { hasBuiltInResolvers, plainApiObjectJson } from '../../../src/constructs/private/plain-json';
import {
  bookinfoLegacyMesh, fooHttpbinMesh, microShakeFactoryLegacyMesh, microShakeFactoryMesh, microShakeFactoryMutualMesh,
} from '../../../src/examples';
import { bookinfoMesh } from '../../../src/examples/bookinfo';
import { IstioManifest } from '../../../src/render/istio/manifest';

/** Leaves every value as it is, but makes the app's resolvers non-default. */
class PassThrough implements IResolver {
  public resolve(_context: ResolutionContext): void {}
}

/** Replaces every "GET" by "HEAD". */
class GetToHead implements IResolver {
  public resolve(context: ResolutionContext): void {
    if (context.value === 'GET') context.replaceValue('HEAD');
  }
}

function manifests(app: TrustmeshApp, define: (app: TrustmeshApp) => unknown = bookinfoMesh): Record<string, unknown>[] {
  define(app);
  return app.node.findAll().filter((c) => ApiObject.isApiObject(c)).map((c) => (c as ApiObject).toJson() as Record<string, unknown>);
}

const metadata = { name: 'api-allow', namespace: 'shop' };

function objectWithSpec(app: App, spec: unknown): ApiObject {
  return createIstioApiObject(new Chart(app, 'c'), 'p', {
    kind: 'AuthorizationPolicy',
    apiVersion: 'security.istio.io/v1',
    metadata,
    render: () => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata, spec } as IstioManifest),
  });
}

afterEach(() => {
  delete process.env.CDK8S_DISABLE_SORT;
});

describe('Istio objects serialize as cdk8s does', () => {
  test('the bundled example: the same JSON, key order included, as through cdk8s\'s resolvers', () => {
    const fast = manifests(new TrustmeshApp({ onWarning: () => undefined }));
    const slow = manifests(new TrustmeshApp({ onWarning: () => undefined, resolvers: [new PassThrough()] }));
    expect(fast.length).toBeGreaterThan(10);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
  });

  // The shaped path of AuthorizationPolicies (json-shape.ts) and the plain path of the other kinds,
  // over every example and generated meshes of both AuthorizationPolicy versions.
  test.each<[string, (app: TrustmeshApp) => unknown]>([
    ['foo-httpbin', fooHttpbinMesh],
    ['micro-shake-factory', microShakeFactoryMesh],
    ['micro-shake-factory (mutual TLS ingress)', microShakeFactoryMutualMesh],
    ['bookinfo on Istio 1.0', bookinfoLegacyMesh],
    ['micro-shake-factory on Istio 1.4', microShakeFactoryLegacyMesh],
    ['a generated mesh', (app) => generateMesh(app, { services: 120, namespaces: 6, seed: 3 })],
    ['a generated mesh on Istio 1.21 (v1beta1)', (app) => generateMesh(app, { services: 80, namespaces: 4, seed: 5, istioVersion: '1.21', legacyShapes: true })],
  ])('%s: the same JSON, key order included, as through cdk8s\'s resolvers', (_name, define) => {
    const fast = manifests(new TrustmeshApp({ onWarning: () => undefined }), define);
    const slow = manifests(new TrustmeshApp({ onWarning: () => undefined, resolvers: [new PassThrough()] }), define);
    expect(fast.length).toBeGreaterThan(5);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
  });

  test('the fast path is taken for an app with only the built-in resolvers', () => {
    const app = Testing.app();
    expect(hasBuiltInResolvers(app)).toBe(true);
    expect(hasBuiltInResolvers(new App({ resolvers: [new PassThrough()] }))).toBe(false);
    const o = objectWithSpec(app, { action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['GET'] } }] }] });
    expect(plainApiObjectJson(o, { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata, spec: { action: 'ALLOW' } }, false))
      .toEqual({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata, spec: { action: 'ALLOW' } });
  });

  test('nested Lazy values, nulls and key order come out as cdk8s makes them', () => {
    const spec = { rules: [{ to: [{ operation: { paths: Lazy.any({ produce: () => ['/b', '/a'] }), methods: null } }] }], action: 'DENY' };
    const fast = objectWithSpec(Testing.app(), spec).toJson();
    const slow = objectWithSpec(new App({ resolvers: [new PassThrough()] }), spec).toJson();
    expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
    expect(JSON.stringify(fast.spec)).toBe('{"action":"DENY","rules":[{"to":[{"operation":{"paths":["/b","/a"]}}]}]}');
  });

  // synth10: the metadata is written without cdk8s's resolve walk too (sanitizeValue's empty-array
  // and empty-object filters included).
  test('metadata with labels, Lazy values, finalizers, owner references and empty lists comes out as cdk8s makes it', () => {
    const withMetadata = (app: App): ApiObject => {
      const o = objectWithSpec(app, { action: 'ALLOW' });
      o.metadata.addLabel('b', 'two');
      o.metadata.addLabel('a', Lazy.any({ produce: () => 'one' }) as unknown as string);
      o.metadata.addAnnotation('z', 'last');
      o.metadata.addFinalizers('f/one', 'f/two');
      o.metadata.addOwnerReference({ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'u-1' });
      return o;
    };
    const object = withMetadata(Testing.app());
    // The plain path takes it (does not leave it to cdk8s's), and agrees with cdk8s's.
    const plain = plainApiObjectJson(object, { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata, spec: { action: 'ALLOW' } }, false);
    expect(plain?.metadata).toEqual(object.metadata.toJson());
    const fast = object.toJson();
    const slow = withMetadata(new App({ resolvers: [new PassThrough()] })).toJson();
    expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
    expect(Object.keys(fast.metadata)).toEqual(['annotations', 'finalizers', 'labels', 'name', 'namespace', 'ownerReferences']);
    expect(fast.metadata.labels).toEqual({ a: 'one', b: 'two' });
    const bare = objectWithSpec(Testing.app(), { action: 'ALLOW' }).toJson();
    expect(JSON.stringify(bare.metadata)).toBe(JSON.stringify(objectWithSpec(new App({ resolvers: [new PassThrough()] }), { action: 'ALLOW' }).toJson().metadata));
    expect(Object.keys(bare.metadata)).toEqual(['name', 'namespace']);
  });

  test('a custom resolver still sees every value', () => {
    const o = objectWithSpec(new App({ resolvers: [new GetToHead()] }), { rules: [{ to: [{ operation: { methods: ['GET'] } }] }] });
    expect(o.toJson().spec.rules[0].to[0].operation.methods).toEqual(['HEAD']);
  });

  test('a JSON patch added to the object is applied', () => {
    const o = objectWithSpec(Testing.app(), { action: 'ALLOW' });
    o.addJsonPatch(JsonPatch.add('/spec/action', 'DENY'));
    expect(o.toJson().spec.action).toBe('DENY');
  });

  test('CDK8S_DISABLE_SORT keeps the keys in the order cdk8s leaves them', () => {
    process.env.CDK8S_DISABLE_SORT = '1';
    const spec = { rules: [{ to: [{ operation: { paths: ['/a'], methods: ['GET'] } }] }], action: 'DENY' };
    const fast = objectWithSpec(Testing.app(), spec).toJson();
    const slow = objectWithSpec(new App({ resolvers: [new PassThrough()] }), spec).toJson();
    expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
  });

  test('an implicit token (an object with resolve()) is resolved by cdk8s', () => {
    const token = { resolve: () => ['/token'] };
    const o = objectWithSpec(Testing.app(), { rules: [{ to: [{ operation: { paths: token } }] }] });
    expect(o.toJson().spec.rules[0].to[0].operation.paths).toEqual(['/token']);
  });

  test('an error while rendering is reported by cdk8s, with the construct path', () => {
    const app = Testing.app();
    createIstioApiObject(new Chart(app, 'c'), 'p', { kind: 'AuthorizationPolicy', apiVersion: 'security.istio.io/v1', metadata, render: () => undefined });
    expect(() => app.synth()).toThrow(/Failed serializing construct at path 'c\/p'.*TM_INTERNAL_RENDER_MISMATCH/);
  });
});
