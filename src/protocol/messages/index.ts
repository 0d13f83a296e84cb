/**
 * The message registry: every OIOI v4 call by name. Each family file declares its calls with
 * `defineCall` and exports them as a map; this file joins the maps.
 */
import { stationCalls } from './station.js';
import { connectorCalls } from './connector.js';
import { sessionCalls } from './session.js';
import { rfidCalls } from './rfid.js';
import { reservationCalls } from './reservation.js';
import { tariffCalls } from './tariff.js';
import { companyCalls } from './company.js';
import { apiCalls } from './api.js';
import { userAccountCalls } from './user-account.js';
import { userRfidCalls } from './user-rfid.js';
import { userPaymentCalls } from './user-payment.js';
import { userSubscriptionCalls } from './user-subscription.js';
import { userHistoryCalls } from './user-history.js';
import { fleetCalls } from './fleet.js';
import { vehicleCalls } from './vehicle.js';

export const calls = Object.freeze({
  ...stationCalls,
  ...connectorCalls,
  ...sessionCalls,
  ...rfidCalls,
  ...reservationCalls,
  ...tariffCalls,
  ...companyCalls,
  ...apiCalls,
  ...userAccountCalls,
  ...userRfidCalls,
  ...userPaymentCalls,
  ...userSubscriptionCalls,
  ...userHistoryCalls,
  ...fleetCalls,
  ...vehicleCalls,
});

export * from './common.js';
