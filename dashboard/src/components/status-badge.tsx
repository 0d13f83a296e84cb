// A status word on its status colour, used wherever a connector or station status appears.
import { STATUS_COLOR } from '../format';
import type { Status } from '../types';

export function StatusBadge({ status }: { status: Status }) {
  return <span class="badge" data-status={status} style={{ background: STATUS_COLOR[status] ?? STATUS_COLOR.Unknown }}>{status}</span>;
}
