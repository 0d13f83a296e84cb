/**
 * The OIOI endpoint of a simulated partner (the demo CPO, the demo OEM): the real server core on
 * a free loopback port, accepting only the key the hub was told to present.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createOioiServer, type Handlers, type Logger, type OioiServer } from '../transport/server/index.js';

export interface SimEndpoint {
  url: string;
  server: OioiServer;
  close(): Promise<void>;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Starts an endpoint that trusts exactly one caller, the hub. Role and partner-identifier checks
 * are off: the roles are the hub's business, and what the hub puts in `partner-identifier` when
 * it forwards (its own or the original sender's) is not for a simulator to judge.
 * Example: `const cpo = await startSimEndpoint({ name: 'hub', key, handlers, logger })`.
 */
export async function startSimEndpoint({ name, key, handlers, logger, host = '127.0.0.1' }: { name: string; key: string; handlers: Handlers; logger: Logger; host?: string }): Promise<SimEndpoint> {
  const expected = digest(key);
  const principal = Object.freeze({ partnerId: name, name, roles: ['cpo', 'emp', 'oem'] as const, partnerIdentifiers: [], keyId: name });
  const server = createOioiServer({
    authenticate: (presented) => (timingSafeEqual(digest(presented), expected) ? principal : undefined),
    authorize: () => {},
    handlers,
    logger,
  });
  const url = await server.listen(0, host);
  return { url, server, close: () => server.close(2_000) };
}
