// The bundled example app: synthesizes the example meshes into dist/.
