// The bundled example app: `npm run synth` creates/reuses the CA key store (`trustmesh ca init`) and
// the juice-shop gateway credentials (`trustmesh ca issue gateway`), then runs this to write the
// example meshes into dist/ and their key material into .trustmesh/secrets/.
import { TrustmeshApp } from './constructs/trustmesh-app';
import { bookinfoMesh } from './examples/bookinfo';
import { fooHttpbinMesh } from './examples/foo-httpbin';
import { bookinfoLegacyMesh, microShakeFactoryLegacyMesh } from './examples/legacy';
import { microShakeFactoryMesh, microShakeFactoryMutualMesh, microShakeFactoryPassthroughMesh } from './examples/micro-shake-factory';
import { KeyStore } from './pki/key-store';
import { runSynth } from './synth-entry';

void runSynth(async () => {
  const ca = await KeyStore.at(process.env.TRUSTMESH_CA_DIR ?? '.trustmesh/ca').load();
  const app = new TrustmeshApp();
  microShakeFactoryMesh(app, { ca });
  microShakeFactoryMutualMesh(app, { ca });
  microShakeFactoryPassthroughMesh(app, { ca });
  bookinfoMesh(app, { ca });
  fooHttpbinMesh(app, { ca });
  // The same kind of intentions for the articles' Istio 1.x meshes (the legacy APIs).
  microShakeFactoryLegacyMesh(app, { ca });
  bookinfoLegacyMesh(app, { ca });
  return app;
});
