/**
 * `@herald/realtime-client/testing`: what tests of code built on the client need and the
 * client's users cannot get from the package itself, namely a real Socket.IO server that
 * speaks Herald's contract on an ephemeral port, a token signer for it, and a wait for a
 * connection status. Never imported by the library's own runtime code.
 */
export { mintToken, startTestServer, type TestServer, type TestServerOptions } from './test-server';
export { waitForStatus } from './wait';
