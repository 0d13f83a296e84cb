/** OCPP 1.6 ChargePointStatus -> OIOI connector status (what a driver looking for a free plug needs). */

export type OcppStatus = 'Available' | 'Preparing' | 'Charging' | 'SuspendedEVSE' | 'SuspendedEV' | 'Finishing' | 'Reserved' | 'Unavailable' | 'Faulted';
export type OioiStatus = 'Available' | 'Occupied' | 'Reserved' | 'Offline';

const table: Record<OcppStatus, OioiStatus> = {
  Available: 'Available',
  // A car is plugged in, charging, paused or about to leave: nobody else can use the plug.
  Preparing: 'Occupied',
  Charging: 'Occupied',
  SuspendedEV: 'Occupied',
  SuspendedEVSE: 'Occupied',
  Finishing: 'Occupied',
  Reserved: 'Reserved',
  // Out of service either way: a driver cannot charge there.
  Unavailable: 'Offline',
  Faulted: 'Offline',
};

/** Maps a StatusNotification status. Example: `oioiStatus('SuspendedEV') === 'Occupied'`. */
export function oioiStatus(status: OcppStatus): OioiStatus {
  return table[status];
}

/** Whether an OCPP status means the connector is busy with a car (remote start answers 320). */
export function isInUse(status: string | undefined): boolean {
  return status === 'Charging' || status === 'SuspendedEV' || status === 'SuspendedEVSE' || status === 'Finishing';
}
