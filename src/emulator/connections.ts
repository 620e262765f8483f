/**
 * Which connections a server keeps when there are too many: the ones doing work.
 *
 * Node's `maxConnections` refuses every connection past the limit, so anyone who opens enough and
 * sends nothing (no TLS hello, or no request) locks every client out. Here, at the limit, a new
 * connection takes the place of ones that have been idle for a while: first those whose TLS handshake
 * never finished, then those that never sent an authenticated request, then the longest idle. When
 * every connection is busy, the new one is still served, with a 503 and Retry-After (clients retry
 * that; a reset they would not), up to twice the limit; past that it is closed at once.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** How long a connection must have been idle before a newcomer may take its place. */
export const IDLE_BEFORE_EVICTION_MS = 1000;

interface Connection {
  socket: Socket;
  lastActiveMs: number;
  inFlight: number;
  secured: boolean;
  authenticated: boolean;
  /** Admitted past the limit: its requests are answered 503. */
  overflow: boolean;
}

export interface ConnectionGuard {
  /** Called by the request handler once a request on this socket was authenticated. */
  authenticated(socket: Socket): void;
  /** Whether this request came on a connection admitted past the limit (to be answered 503). */
  overLimit(req: IncomingMessage): boolean;
  /** Open connections (for tests and logs). */
  readonly size: number;
  /** Closes every connection, those still in their TLS handshake too (Node's closeAllConnections knows only HTTP's). */
  destroyAll(): void;
}

/** The raw TCP socket and the TLS socket on it share their remote address and port. */
const keyOf = (socket: Socket) => `${socket.remoteAddress}|${socket.remotePort}`;

export function guardConnections(server: Server, limit: number, options: { tls: boolean }): ConnectionGuard {
  const connections = new Map<string, Connection>();
  const now = () => performance.now();

  server.on("connection", (socket: Socket) => {
    // Room for the newcomer: as many idle connections as it takes go (held ones past the limit too).
    for (let victim = connections.size >= limit ? evictable(connections, now()) : undefined; victim; victim = connections.size >= limit ? evictable(connections, now()) : undefined) {
      connections.delete(keyOf(victim.socket));
      victim.socket.destroy();
    }
    const overflow = connections.size >= limit;
    if (overflow && connections.size >= limit * 2) return void socket.destroy();
    const key = keyOf(socket);
    connections.set(key, { socket, lastActiveMs: now(), inFlight: 0, secured: !options.tls, authenticated: false, overflow });
    socket.once("close", () => {
      if (connections.get(key)?.socket === socket) connections.delete(key);
    });
  });
  if (options.tls) {
    server.on("secureConnection", (socket: Socket) => {
      const connection = connections.get(keyOf(socket));
      if (connection) connection.secured = true;
    });
  }
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const connection = connections.get(keyOf(req.socket));
    if (!connection) return;
    connection.inFlight++;
    connection.lastActiveMs = now();
    res.once("close", () => {
      connection.inFlight--;
      connection.lastActiveMs = now();
    });
  };
  // Listened to before the handlers are: a request counts as work from its first moment.
  server.on("request", onRequest);
  server.on("checkContinue", onRequest);

  return {
    authenticated(socket) {
      const connection = connections.get(keyOf(socket));
      if (connection) connection.authenticated = true;
    },
    overLimit: (req) => connections.get(keyOf(req.socket))?.overflow ?? false,
    get size() {
      return connections.size;
    },
    destroyAll() {
      for (const { socket } of connections.values()) socket.destroy();
    },
  };
}

/** The connection a newcomer may replace: idle long enough, the least useful first. */
function evictable(connections: Map<string, Connection>, nowMs: number): Connection | undefined {
  let best: Connection | undefined;
  const rank = (c: Connection) => (!c.secured ? 0 : !c.authenticated ? 1 : 2);
  for (const c of connections.values()) {
    if (c.inFlight > 0 || nowMs - c.lastActiveMs < IDLE_BEFORE_EVICTION_MS) continue;
    if (!best || rank(c) < rank(best) || (rank(c) === rank(best) && c.lastActiveMs < best.lastActiveMs)) best = c;
  }
  return best;
}
