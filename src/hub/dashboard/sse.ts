/**
 * The dashboard's live stream (`GET /dashboard/api/events`, text/event-stream): every connected
 * browser gets each `traffic` and `status` event. A comment line every 15 s keeps proxies from
 * closing idle streams; a client that cannot keep up (its socket buffer full) is dropped.
 */
import type http from 'node:http';

const HEARTBEAT_MS = 15_000;
/** Bytes a slow client may have queued before it is dropped. */
const MAX_BUFFERED = 1024 * 1024;

/** Example: `const sse = new EventStream(); sse.attach(res); sse.send('status', {...}); sse.close()`. */
export class EventStream {
  private readonly clients = new Set<http.ServerResponse>();
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.write(': keep-alive\n\n'), HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Starts streaming to a response. */
  attach(res: http.ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', connection: 'keep-alive' });
    res.write(': connected\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  /** How many browsers listen. */
  get size(): number {
    return this.clients.size;
  }

  /** Sends one event to everyone. */
  send(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private write(chunk: string): void {
    for (const res of this.clients) {
      if (res.writableLength > MAX_BUFFERED) {
        this.clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(chunk);
    }
  }

  /** Ends every stream (the hub is stopping). */
  close(): void {
    clearInterval(this.timer);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
