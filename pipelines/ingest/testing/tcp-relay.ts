// A camera that goes away and returns, for tests: a TCP relay in front of a test RTSP server.
import { createServer, connect, type Server, type Socket } from 'node:net';

/** A TCP relay to `target` on a port of its own that can be cut (listener closed, connections dropped) and restored. */
export async function tcpRelay(target: URL): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const up = connect(Number(target.port), target.hostname);
        for (const s of [client, up]) {
          sockets.add(s);
          s.on('error', () => {});
          s.on('close', () => (sockets.delete(s), client.destroy(), up.destroy()));
        }
        client.pipe(up).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  await listen();
  return { url: `rtsp://127.0.0.1:${port}${target.pathname}`, cut, restore: listen, close: cut };
}
