/** What every hub service and handler shares: storage, partner cache, settings, logger, clock. */
import type { Storage } from '../storage/index.js';
import type { Logger } from '../transport/server/index.js';
import type { Authenticator } from './partners/authenticator.js';
import type { HubEvents } from './events.js';

/** Settings of a hub, validated once and frozen (shared/cli.md, "Hub"). */
export interface HubConfig {
  /** Deadline of calls the hub makes to partners, ms. */
  readonly upstreamTimeoutMs: number;
  /** Most stations one station-get-surface returns. */
  readonly surfaceLimit: number;
  /** What api-minimum-version-number answers. */
  readonly minimumVersion: string;
  /** Outbox: first retry delay and cap of the exponential back-off, ms. */
  readonly outboxMinDelayMs: number;
  readonly outboxMaxDelayMs: number;
  /** Outbox: an entry still undelivered this long after it was made (or retried) moves to 'dead', ms. */
  readonly outboxDeadAfterMs: number;
  /** Outbox: most partners served at once, each in a lane of its own. */
  readonly outboxLanes: number;
  /** Outbox: most entries in flight to one partner (one per session or whitelist, so each subject stays in order). */
  readonly outboxPerPartner: number;
}

export const defaultHubConfig: HubConfig = Object.freeze({
  upstreamTimeoutMs: 20_000,
  surfaceLimit: 500,
  minimumVersion: '4.0.0',
  outboxMinDelayMs: 1_000,
  outboxMaxDelayMs: 10 * 60_000,
  outboxDeadAfterMs: 7 * 24 * 3600_000,
  outboxLanes: 64,
  outboxPerPartner: 8,
});

export interface HubContext {
  readonly storage: Storage;
  readonly config: HubConfig;
  readonly auth: Authenticator;
  readonly log: Logger;
  /** The hub's clock; tests may replace it. */
  readonly now: () => Date;
  /** Traffic and status events (the dashboard listens); absent in contexts built for unit tests. */
  readonly events?: HubEvents;
}

/** A background task of the hub (the outbox worker…), started after the server listens. */
export interface HubWorker {
  stop(): Promise<void>;
}
