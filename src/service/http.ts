/**
 * The service's one HTTP port: `/metrics` (Prometheus text), `/livez` (the process answers) and
 * `/readyz` (200 once the group is joined and the registry reached, 503 before, while the registry
 * is unreachable and while shutting down; a 503's body names what is missing). node:http only;
 * nothing else is served.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HttpOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  /** What keeps the instance from being ready; empty when it is. */
  readonly readiness: () => readonly string[];
}

export interface HttpServer {
  /** Listens; resolves with the bound port (useful with port 0). */
  start(): Promise<number>;
  stop(): Promise<void>;
}

export function createHttpServer(options: HttpOptions): HttpServer {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    switch (path) {
      case '/metrics':
        options.registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
          (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics collection failed: ${String(err)}\n`),
        );
        return;
      case '/livez':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        return;
      case '/readyz': {
        const missing = options.readiness();
        if (missing.length === 0) res.writeHead(200, { 'content-type': 'text/plain' }).end('ready\n');
        else res.writeHead(503, { 'content-type': 'text/plain' }).end(`not ready:\n${missing.map((m) => `- ${m}\n`).join('')}`);
        return;
      }
      default:
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  // Scrapes must not keep a shutting-down process alive.
  server.keepAliveTimeout = 5_000;
  return {
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
