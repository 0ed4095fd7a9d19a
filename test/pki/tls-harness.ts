// A real TLS server and client (Node's tls, i.e. OpenSSL) for handshake tests.
import { AddressInfo } from 'net';
import * as tls from 'tls';

/** One side's credentials. */
export interface TlsCredentials {
  /** PEM private key. */
  readonly key?: string;
  /** PEM certificate chain (leaf first, without the root). */
  readonly cert?: string;
  /** PEM trust anchors. */
  readonly ca: string;
}

/** What happened on both sides. */
export interface HandshakeOutcome {
  /** The client received the server's greeting: the handshake completed and the server accepted the client. */
  readonly connected: boolean;
  /** The client certificate's URI SANs as the server read them from the peer certificate. */
  readonly clientIdSeenByServer?: string;
  /** The server certificate's URI SANs as the client read them. */
  readonly serverIdSeenByClient?: string;
  /** Why the server refused the client, if it did. */
  readonly serverError?: string;
  /** Why the client failed, if it did. */
  readonly clientError?: string;
}

/**
 * Runs one handshake: the server requires and verifies a client certificate (like a sidecar in
 * STRICT mTLS); the client verifies the server against `servername` (default Node check) or with
 * `checkServerIdentity`.
 */
export async function handshake(
  server: TlsCredentials,
  client: TlsCredentials & {
    readonly servername?: string;
    readonly checkServerIdentity?: (host: string, cert: tls.PeerCertificate) => Error | undefined;
  },
  options: { readonly requestClientCert?: boolean } = {},
): Promise<HandshakeOutcome> {
  let clientIdSeenByServer: string | undefined;
  let serverError: string | undefined;
  const requestCert = options.requestClientCert ?? true;
  // The server refuses unverified clients itself (what `rejectUnauthorized: true` does inside
  // Node) so that the test can see OpenSSL's reason (`authorizationError`).
  const srv = tls.createServer({ key: server.key, cert: server.cert, ca: server.ca, requestCert, rejectUnauthorized: false }, (socket) => {
    if (requestCert && !socket.authorized) {
      serverError = String(socket.authorizationError);
      socket.destroy();
      return;
    }
    clientIdSeenByServer = socket.getPeerCertificate().subjectaltname;
    socket.end('hello');
  });
  srv.on('tlsClientError', (e) => { serverError = e.message; });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  try {
    return await new Promise<HandshakeOutcome>((resolve) => {
      let data = '';
      let clientError: string | undefined;
      let serverIdSeenByClient: string | undefined;
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        servername: client.servername ?? 'localhost',
        key: client.key,
        cert: client.cert,
        ca: client.ca,
        checkServerIdentity: client.checkServerIdentity ?? tls.checkServerIdentity,
      }, () => { serverIdSeenByClient = socket.getPeerCertificate().subjectaltname; });
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => { data += d; });
      socket.on('error', (e: NodeJS.ErrnoException) => { clientError = e.code ?? e.message; });
      socket.on('close', () => {
        // Give the server's error event a moment to arrive (TLS 1.3 rejects the client after the client's handshake).
        setTimeout(() => resolve({ connected: data === 'hello', clientIdSeenByServer, serverIdSeenByClient, serverError, clientError }), 20);
      });
    });
  } finally {
    srv.close();
  }
}

/** A checkServerIdentity that expects a SPIFFE ID in the URI SAN (as Envoy does with Istio), ignoring the host name. */
export function expectSpiffeId(uri: string): (host: string, cert: tls.PeerCertificate) => Error | undefined {
  return (_host, cert) => (cert.subjectaltname === `URI:${uri}` ? undefined : new Error(`peer is ${cert.subjectaltname}, expected ${uri}`));
}
