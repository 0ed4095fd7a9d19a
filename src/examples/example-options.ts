import { CaMaterial } from '../pki/ca-material';

/** Options shared by the bundled example meshes. */
export interface ExampleOptions {
  /**
   * CA material (from `trustmesh ca init`) to emit the plug-in CA for this example's cluster;
   * the cluster is named after the mesh.
   * @default - no CA objects
   */
  readonly ca?: CaMaterial;
}
