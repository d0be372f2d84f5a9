import { z } from 'zod';
import { recordLapsedEntitlements } from '../outgoing-events/record-lapsed-entitlements.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { defineJob } from './job-definition.ts';
import { onNoticesSchedule } from './on-notices-schedule.ts';

export const RECORD_LAPSED_ENTITLEMENTS = 'record-lapsed-entitlements';

/** On the notices' schedule (NOTICES_CRON): a trial's or a grace's end reaches the shop on the cadence its notices keep. */
export const recordLapsedEntitlementsJob = (ctx: ServiceContext) =>
  defineJob({
    name: RECORD_LAPSED_ENTITLEMENTS,
    description: 'Records entitlement.changed for customers whose entitlement ran out with time alone (a trial, a past-due grace, prepaid time)',
    payload: z.object({}).passthrough(),
    ...onNoticesSchedule(ctx),
    handle: async () => {
      await recordLapsedEntitlements(ctx, ctx.clock.now());
    },
  });
