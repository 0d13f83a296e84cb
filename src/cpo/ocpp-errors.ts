/** Reading the errors of calls the gateway makes to chargers. */
import ocpp from 'ocpp-rpc';

/** Whether an ocpp-rpc call failed because the charger did not answer in time. Example: `isTimeout(err) ? 312 : 310`. */
export function isTimeout(err: unknown): boolean {
  return err instanceof ocpp.TimeoutError;
}
