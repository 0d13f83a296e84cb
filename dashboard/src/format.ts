// Small display helpers shared by the pages: status colours, times, numbers.
import type { Status } from './types';

/** Colour of each status, the same on map, panel and charts. Example: `STATUS_COLOR.Available` -> '#1f9d55'. */
export const STATUS_COLOR: Record<Status, string> = {
  Available: '#1f9d55',
  Occupied: '#2b6cb0',
  Reserved: '#b7791f',
  Offline: '#c53030',
  Unknown: '#8a94a6',
};

/** A local time with seconds. Example: `time('2024-05-01T10:00:00Z')` -> '12:00:00'. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString(undefined, { hour12: false });
}

/** A local date and time. Example: `dateTime('2024-05-01T10:00:00Z')` -> '2024-05-01 12:00'. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Compact counts. Example: `count(12345)` -> '12.3k'. */
export function count(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** Whether an OIOI result code means success (0, 11, 12). Example: `isSuccess(11)` -> true. */
export const isSuccess = (code: number | null) => code === 0 || code === 11 || code === 12;
