/**
 * Rating subscriptions: subscribe to or cancel a plan, read the active subscription, list the
 * plans on offer (docs/calls/user_manage_subscription.rst, user_subscription_get_active,
 * user_subscription_plans_get).
 */
import Type, { type Static } from 'typebox';
import { defineCall } from '../registry-types.js';
import { DateTime, isRecord, response } from './common.js';
import { Country, Currency, Decimal, LIST_MAX, NAME_MAX, Name, OptNull, Text, UserOnlyRequest, UserRef, lenientCountry, normalizeUserPayload } from './user-common.js';

/** `{"en": "Name", "de": "Name"}`: text by ISO 639-1 language. */
const Localized = (text: typeof Name | typeof Text) => Type.Record(Type.String({ pattern: '^[a-z]{2}$' }), text);

/** Per-session terms of a plan for AC or DC charging. */
export const PlanComponent = Type.Object({
  'free-minutes': Type.Integer({ minimum: 0 }),
  'parking-time-price': Decimal,
  'parking-time-step-size': Type.Integer({ minimum: 0 }),
  'discount-percent': Type.Integer({ minimum: 0, maximum: 100 }),
});

const planProperties = {
  id: Type.Integer(),
  'localized-names': Localized(Name),
  'localized-descriptions': Localized(Text),
  duration: Type.Enum([6, 12], { errorMessage: 'not a plan duration (6 or 12 months)' }),
  'valid-from': DateTime,
  'monthly-price': Decimal,
  currency: Currency,
  country: OptNull(Country),
  'ac-component': PlanComponent,
  'dc-component': PlanComponent,
};

/** A plan on offer; an open-ended offer has no `valid-to`. */
export const SubscriptionPlan = Type.Object({ ...planProperties, 'valid-to': OptNull(DateTime) });
export type SubscriptionPlan = Static<typeof SubscriptionPlan>;

/** The plan a subscription was taken under: its offer window is always known. */
export const SubscribedPlan = Type.Object({ ...planProperties, 'valid-to': DateTime });

export const Subscription = Type.Object({
  id: Type.Integer(),
  'subscribed-at': DateTime,
  'expired-at': DateTime,
  'cancelled-at': OptNull(DateTime),
  'payment-method-reference': OptNull(Type.String({ maxLength: NAME_MAX })),
  'subscription-plan': SubscribedPlan,
});
export type Subscription = Static<typeof Subscription>;

function normalizePlan(plan: unknown): void {
  if (isRecord(plan) && plan.country !== undefined) plan.country = lenientCountry(plan.country);
}

export const userManageSubscription = defineCall({
  name: 'user-manage-subscription',
  roles: ['emp', 'oem'],
  // `cancel` true ends the renewal of plan `id`; false or absent subscribes to it.
  request: Type.Object({ user: UserRef, id: Type.Integer(), cancel: Type.Optional(Type.Boolean()) }),
  response: response(),
  normalizeRequest: normalizeUserPayload,
});

export const userSubscriptionGetActive = defineCall({
  name: 'user-subscription-get-active',
  roles: ['emp', 'oem'],
  request: UserOnlyRequest,
  // A user has at most one active subscription: an object, or null when there is none.
  response: response({ subscription: OptNull(Subscription) }),
  normalizeRequest: normalizeUserPayload,
  // The page's example wraps the one subscription in an array; [] means none.
  normalizeResponse: (body) => {
    if (!isRecord(body)) return body;
    if (Array.isArray(body.subscription) && body.subscription.length <= 1) body.subscription = body.subscription[0] ?? null;
    if (isRecord(body.subscription)) normalizePlan(body.subscription['subscription-plan']);
    return body;
  },
});

export const userSubscriptionPlansGet = defineCall({
  name: 'user-subscription-plans-get',
  roles: ['emp', 'oem'],
  request: UserOnlyRequest,
  response: response({ 'subscription-plans': Type.Optional(Type.Array(SubscriptionPlan, { maxItems: LIST_MAX })) }),
  normalizeRequest: normalizeUserPayload,
  normalizeResponse: (body) => {
    const plans = isRecord(body) ? body['subscription-plans'] : undefined;
    if (Array.isArray(plans)) plans.forEach(normalizePlan);
    return body;
  },
});

export const userSubscriptionCalls = {
  'user-manage-subscription': userManageSubscription,
  'user-subscription-get-active': userSubscriptionGetActive,
  'user-subscription-plans-get': userSubscriptionPlansGet,
} as const;
