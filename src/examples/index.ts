// The bundled example meshes: what `src/main.ts` synthesizes for `npm run synth`, and what the tests
// exercise. Not part of the library's public API (`src/index.ts` does not export them).
export { bookinfoMesh } from './bookinfo';
export type { ExampleOptions } from './example-options';
export { fooHttpbinMesh, EXAMPLE_ISSUER } from './foo-httpbin';
export {
  microShakeFactoryMesh, microShakeFactoryMutualMesh, microShakeFactoryPassthroughMesh, ISTIO_SUCCINCTLY_ISSUER, JUICE_SHOP_HOST,
  JUICE_SHOP_CREDENTIALS, JuiceShopIngress,
} from './micro-shake-factory';
export type { MicroShakeFactoryOptions } from './micro-shake-factory';
export { bookinfoLegacyMesh, JUICE_SHOP_LEGACY_CREDENTIAL, microShakeFactoryLegacyMesh } from './legacy';
export type { LegacyExampleOptions } from './legacy';
