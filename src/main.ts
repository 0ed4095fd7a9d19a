// The bundled example app: `npm run synth` writes the example meshes into dist/.
import { TrustmeshApp } from './constructs/trustmesh-app';
import { bookinfoMesh } from './examples/bookinfo';
import { fooHttpbinMesh } from './examples/foo-httpbin';
import { microShakeFactoryMesh } from './examples/micro-shake-factory';
import { runSynth } from './synth-entry';

runSynth(() => {
  const app = new TrustmeshApp();
  microShakeFactoryMesh(app);
  bookinfoMesh(app);
  fooHttpbinMesh(app);
  return app;
});
