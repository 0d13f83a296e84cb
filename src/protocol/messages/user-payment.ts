/**
 * Payment: add a payment method (web flow or client-encrypted card), list methods and bills, and
 * the two Adyen pass-through calls (docs/calls/user_add_payment.rst, user_add_creditcard,
 * user_get_payment_methods, user_get_bills, adyen_setup, adyen_verify).
 */
import Type, { type Static } from 'typebox';
import { defineCall } from '../registry-types.js';
import { DateTime, isRecord, response } from './common.js';
import {
  Country, Currency, OneOf, LIST_MAX, NAME_MAX, Name, OptNull, URL_MAX, Url, UserOnlyRequest, UserRef, normalizeUserPayload,
} from './user-common.js';

export const paymentTypes = ['paypal', 'directEbanking', 'ideal'] as const;
export const paymentMethodKinds = ['Bank', 'Credit Card', 'PayPal', 'Invoice', 'SEPA'] as const;

/** The payment-methods answer may show "?" for any value its backend does not know. */
const UNKNOWN = Type.Literal('?');

/** Card expiry as MM/YYYY. */
const Expiry = Type.Union([Type.String({ pattern: '^(?:0[1-9]|1[0-2])/[0-9]{4}$' }), UNKNOWN], {
  errorMessage: 'not a card expiry (MM/YYYY)',
});

export const PaymentMethod = Type.Object({
  reference: Type.String({ minLength: 1, maxLength: NAME_MAX }),
  method: Type.Enum([...paymentMethodKinds, '?'], { errorMessage: `not a payment method (${paymentMethodKinds.join(', ')})` }),
  created: Type.Union([DateTime, UNKNOWN]),
  number: OptNull(Name),
  valid: OptNull(Expiry),
  name: OptNull(Name),
  iban: OptNull(Name),
  bic: OptNull(Name),
});
export type PaymentMethod = Static<typeof PaymentMethod>;

export const Bill = Type.Object({
  'external-session-ids': Type.Array(Name, { maxItems: LIST_MAX }),
  bill: Url,
});
export type Bill = Static<typeof Bill>;

/** Whatever the payment provider answered, handed to its SDK unchanged. */
const ProviderAnswer = Type.Record(Type.String(), Type.Unknown());

export const userAddPayment = defineCall({
  name: 'user-add-payment',
  roles: ['emp', 'oem'],
  request: Type.Object({
    user: UserRef,
    'payment-type': OneOf(paymentTypes, 'payment type'),
  }),
  // The page for the web flow: the app opens this URL in a web view.
  response: response({ 'user-add-payment': Type.Optional(Type.Object({ url: Url })) }),
  normalizeRequest: normalizeUserPayload,
});

export const userAddCreditcard = defineCall({
  name: 'user-add-creditcard',
  roles: ['emp', 'oem'],
  // Encrypted on the device; the hub never sees card data. Encrypted blobs run to a few KB.
  request: Type.Object({ user: UserRef, 'encrypted-data': Type.String({ minLength: 1, maxLength: 65536 }) }),
  response: response(),
  normalizeRequest: normalizeUserPayload,
});

export const userGetPaymentMethods = defineCall({
  name: 'user-get-payment-methods',
  roles: ['emp', 'oem'],
  request: UserOnlyRequest,
  response: response({
    user: Type.Optional(Type.Object({ 'payment-methods': Type.Array(PaymentMethod, { maxItems: LIST_MAX }) })),
  }),
  normalizeRequest: normalizeUserPayload,
  // The page's example writes the expiry as "3/2021" where its field list asks for MM/YYYY.
  normalizeResponse: (body) => {
    const methods = isRecord(body) && isRecord(body.user) ? body.user['payment-methods'] : undefined;
    if (!Array.isArray(methods)) return body;
    for (const m of methods) {
      if (isRecord(m) && typeof m.valid === 'string' && /^[1-9]\/[0-9]{4}$/.test(m.valid)) m.valid = `0${m.valid}`;
    }
    return body;
  },
});

export const userGetBills = defineCall({
  name: 'user-get-bills',
  roles: ['emp', 'oem'],
  request: Type.Object({
    user: UserRef,
    'date-interval': Type.Object({ start: DateTime, end: DateTime }),
  }),
  response: response({
    user: Type.Optional(Type.Object({ bills: Type.Array(Bill, { maxItems: LIST_MAX }) })),
  }),
  normalizeRequest: normalizeUserPayload,
});

/**
 * adyen-setup is relayed to Adyen as it is; the page names the fields below as the minimum a
 * request must hold, so those are checked and everything else passes through.
 */
export const adyenSetup = defineCall({
  name: 'adyen-setup',
  roles: ['emp', 'oem'],
  request: Type.Object({
    amount: Type.Object({ currency: Currency, value: Type.Integer({ minimum: 0 }) }),
    channel: Name,
    countryCode: Country,
    merchantAccount: Name,
    reference: Name,
    returnUrl: Type.String({ maxLength: URL_MAX }),
    shopperLocale: Name,
    shopperReference: Name,
    token: Type.String({ minLength: 1, maxLength: 65536 }),
  }),
  response: response({ 'adyen-setup': Type.Optional(Type.Object({ response: ProviderAnswer })) }),
});

export const adyenVerify = defineCall({
  name: 'adyen-verify',
  roles: ['emp', 'oem'],
  request: Type.Object({ payload: Type.String({ minLength: 1, maxLength: 65536 }) }),
  response: response({ 'adyen-verify': Type.Optional(Type.Object({ response: ProviderAnswer })) }),
});

export const userPaymentCalls = {
  'user-add-payment': userAddPayment,
  'user-add-creditcard': userAddCreditcard,
  'user-get-payment-methods': userGetPaymentMethods,
  'user-get-bills': userGetBills,
  'adyen-setup': adyenSetup,
  'adyen-verify': adyenVerify,
} as const;
