import type { Database } from '../db/client';
import type { Config } from './config';
import { docsPages } from './docs/pages';
import { log } from './lib/log';
import { keyScopes } from './modules/developer/scopes';
import type { Services } from './services';
import { attachDocs } from './transport/docs';
import { guardRoutes } from './transport/guard';
import { createTrpcHttpHandler } from './transport/http';
import { createOriginPolicy } from './transport/security';
import { createStaticHandler } from './transport/static';
import { attachUploads } from './transport/uploads';
import { type us_listen_socket, uws, uwsImplementation } from './transport/uws';
import { attachWebhooks } from './transport/webhooks';
import { attachTrpcWebSocket } from './transport/ws';
import { createContext, identify, readSessionCookie } from './trpc/context';
import { logServerFault } from './trpc/errors';
import { appRouter, fastPaths } from './trpc/root';

/** On shutdown, no request in flight for this long means the keep-alive clients have moved on. */
const QUIET_MS = 150;

/** WebSockets cannot set cookies (one shared no-op, not a closure per connection). */
const noCookies = () => {};

export type RunningServer = {
  port: number;
  url: string;
  /**
   * Keep serving, but answer /healthz with 503 `draining` so a load balancer takes this node out of
   * rotation before it closes (SIGTERM in a cluster).
   */
  drain(): void;
  /** Stop accepting, close WebSockets cleanly, let in-flight requests finish. Does not close the DB. */
  close(): Promise<void>;
};

/** One uWS app: tRPC over HTTP and WebSocket at /trpc, /healthz, and the built PWA for everything else. */
export function startServer(config: Config, services: Services, database: Database): Promise<RunningServer> {
  // Every HTTP route behind the protocol-edge checks (414, 431, 501: see transport/guard.ts).
  const app = guardRoutes(
    config.tls ? uws.SSLApp({ cert_file_name: config.tls.cert, key_file_name: config.tls.key }) : uws.App(),
  );
  const originAllowed = createOriginPolicy(config);
  const inflight = { count: 0 };
  let draining = false;
  /** Shutting down: answers close their keep-alive connections (`Connection: close`). */
  let closingDown = false;

  app.any(
    '/trpc/*',
    createTrpcHttpHandler({
      router: appRouter,
      prefix: '/trpc',
      originAllowed,
      readSessionCookie,
      onError: logServerFault,
      inflight,
      trustProxies: config.trustProxies,
      draining: () => closingDown,
      createContext: (meta) => createContext(services, config, meta),
    }),
  );
  const sockets = attachTrpcWebSocket(app, {
    router: appRouter,
    fastPaths,
    path: '/trpc',
    originAllowed,
    readSessionCookie,
    identify,
    onError: logServerFault,
    revocations: services.sessions.events,
    onUserSocket: (user, open) => services.presence.socket(user, open),
    trustProxies: config.trustProxies,
    limits: config.ws,
    createContext: (meta) =>
      createContext(services, config, { transport: 'ws', ...meta, setCookie: noCookies }),
  });

  // Payment gateways' webhooks (raw body, signature checked before anything else).
  attachWebhooks(app, (provider, req) => services.payments.webhook(provider, req), inflight);

  // Upload slots (PUT /uploads/:id) and stored files (/files/public/…, signed /files/private/…).
  attachUploads(app, services.uploads, inflight);

  app.get('/healthz', (res) => {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    inflight.count++;
    database
      .ping()
      .then(
        () => 'ok' as const,
        () => 'down' as const,
      )
      .then((db) => {
        inflight.count--;
        if (aborted) return;
        const healthy = db === 'ok' && !draining;
        // Redis down is reported but keeps the node in rotation: it still serves (its events stay local
        // until Redis is back), and taking every node out at once would be an outage.
        const redis = services.bus.mode === 'memory' ? 'off' : services.bus.healthy() ? 'ok' : 'down';
        const body = JSON.stringify({
          status: draining ? 'draining' : db === 'ok' && redis !== 'down' ? 'ok' : 'degraded',
          node: config.nodeId,
          db,
          redis,
          driver: database.driver,
          uws: uwsImplementation,
          websockets: sockets.connections,
          uptimeSeconds: Math.round(process.uptime()),
        });
        res.cork(() => {
          res.writeStatus(healthy ? '200 OK' : '503 Service Unavailable');
          res
            .writeHeader('content-type', 'application/json')
            .writeHeader('x-content-type-options', 'nosniff')
            .writeHeader('cache-control', 'no-store')
            .end(body, closingDown);
        });
      });
  });

  // The API reference (issue 17 §3), generated from the router on the first request.
  attachDocs(app, () => docsPages(appRouter, { keyScopes, fastPaths: Object.keys(fastPaths) }));

  app.any('/*', createStaticHandler(config.staticDir));

  return new Promise((resolve, reject) => {
    app.listen(config.host, config.port, (listenSocket: us_listen_socket | false) => {
      if (!listenSocket) {
        reject(new Error(`Could not listen on ${config.host}:${config.port} (is the port in use?)`));
        return;
      }
      const port = uws.us_socket_local_port(listenSocket as never);
      const scheme = config.tls ? 'https' : 'http';
      const url = `${scheme}://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
      let closing: Promise<void> | undefined;
      resolve({
        port,
        url,
        drain: () => {
          draining = true;
          // Keep-alive clients (and balancers' pooled connections) move on with their next request.
          closingDown = true;
        },
        close: () => {
          closing ??= (async () => {
            // Stop accepting; from now on every answer closes its connection, so a keep-alive client
            // sends its next request elsewhere instead of on a connection we are about to close.
            closingDown = true;
            uws.us_listen_socket_close(listenSocket);
            sockets.closeAll();
            // In-flight requests finish (bounded). A request can still arrive on a keep-alive connection
            // that was idle until now, so "idle" means no request in flight for a short quiet spell.
            const deadline = Date.now() + 10_000;
            let quietSince = inflight.count === 0 ? Date.now() : 0;
            while (Date.now() < deadline && !(quietSince && Date.now() - quietSince >= QUIET_MS)) {
              await new Promise((r) => setTimeout(r, 10));
              if (inflight.count > 0) quietSince = 0;
              else quietSince ||= Date.now();
            }
            if (inflight.count > 0)
              log.warn('closing with requests still in flight', { inflight: inflight.count });
            // Closes the keep-alive HTTP connections left (typed as missing in this build's d.ts).
            (app as unknown as { close(): void }).close();
          })();
          return closing;
        },
      });
    });
  });
}
