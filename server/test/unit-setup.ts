// Setup of the `unit` Vitest project (files named *.unit.test.ts): they are pure, so a test there that
// opens a connection (PostgreSQL, Redis, an HTTP call) or starts uWS fails at once instead of quietly
// needing the database or a port. Such a test belongs in a *.test.ts file (the `postgres` project).
import { createRequire } from 'node:module';
import net from 'node:net';

const refuse = (what: string) => () => {
  throw new Error(`a *.unit.test.ts must not ${what}: name the file *.test.ts (the integration suite)`);
};

net.Socket.prototype.connect = refuse('open a network connection (PostgreSQL, Redis, HTTP …)');
net.Server.prototype.listen = refuse('listen on a port');

// server/transport/uws.ts loads uWS with require(): this is the same module object.
const uws = createRequire(import.meta.url)('uWebSockets.js') as Record<string, unknown>;
for (const name of ['App', 'SSLApp']) {
  const real = uws[name] as (...args: unknown[]) => unknown;
  uws[name] = Object.assign(refuse('start a uWS server'), { toString: () => real.toString() });
}
