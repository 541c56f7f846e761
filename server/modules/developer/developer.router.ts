import { z } from 'zod';
import { bookingPageSchema } from '../../contracts/booking';
import {
  addOrgMemberInput,
  createApiKeyInput,
  createdWebhookSchema,
  createOrgInput,
  createWebhookInput,
  deletedWebhookSchema,
  listApiKeysInput,
  listWebhooksInput,
  orgBookingsInput,
  removeOrgMemberInput,
  replayDeliveryInput,
  revokeApiKeyInput,
  setOrgRoleInput,
  webhookDeliveriesInput,
  webhookDeliveryPageSchema,
  webhookDeliverySchema,
  webhookEndpointSchema,
  webhookIdInput,
} from '../../contracts/developer';
import { DomainError } from '../../lib/errors';
import type { AuthedContext } from '../../trpc/procedures';
import { authedProcedure, customerProcedure, router } from '../../trpc/procedures';

/** People (not keys: keys are refused by the scope table) who manage an organisation's keys. */

/** The organisation a webhook call acts on: a key's own, or one the signed-in person manages. */
async function webhookOrg(ctx: AuthedContext, orgId: string | undefined): Promise<string> {
  if (ctx.apiKey) {
    if (orgId && orgId !== ctx.apiKey.orgId) throw new DomainError('NOT_FOUND', 'No such organisation.');
    return ctx.apiKey.orgId;
  }
  return (await ctx.services.developer.keys.managedOrg(ctx.user.id, orgId)).id;
}

const endpointOrg = (ctx: AuthedContext, id: string) => ctx.services.developer.webhooks.orgOfEndpoint(id);

/** org.* (issue 17 §1). */
export const orgRouter = router({
  /** A new organisation with the caller as its owner. */
  create: customerProcedure
    .input(createOrgInput)
    .mutation(({ ctx, input }) => ctx.services.developer.keys.createOrg(ctx.user, input.name)),
  /** The organisations the caller belongs to, with their role in each. */
  mine: authedProcedure.query(({ ctx }) => ctx.services.developer.keys.orgs(ctx.user.id)),
  members: authedProcedure
    .input(z.object({ orgId: z.uuid() }))
    .query(({ ctx, input }) => ctx.services.developer.keys.members(ctx.user.id, input.orgId)),
  /** Owners add an existing customer account (or change its role). Audited. */
  addMember: authedProcedure
    .input(addOrgMemberInput)
    .mutation(({ ctx, input }) =>
      ctx.services.developer.keys.addMember(ctx.user.id, input.orgId, input.email, input.role),
    ),
  /** Owners change a member's role; never the last owner's (CONFLICT). Audited. */
  setRole: authedProcedure
    .input(setOrgRoleInput)
    .mutation(({ ctx, input }) =>
      ctx.services.developer.keys.setRole(ctx.user.id, input.orgId, input.userId, input.role),
    ),
  /** Owners remove a member; never the last owner (CONFLICT). Audited. */
  removeMember: authedProcedure
    .input(removeOrgMemberInput)
    .mutation(({ ctx, input }) =>
      ctx.services.developer.keys.removeMember(ctx.user.id, input.orgId, input.userId),
    ),
  /**
   * The organisation's bookings (made by its keys), newest first, for any member; NOT_FOUND for anyone
   * else. One mode at a time: `live` (default) or `test` (the sandbox's, made by `fk_test_` keys).
   */
  bookings: authedProcedure
    .input(orgBookingsInput)
    .output(bookingPageSchema)
    .query(async ({ ctx, input }) => {
      const principal = await ctx.services.developer.keys.principalOf(ctx.user.id, input.orgId);
      return ctx.services.bookings.list(
        { id: principal, role: 'customer' },
        { cursor: input.cursor },
        { sandbox: input.mode === 'test' },
      );
    }),
});

/** apiKey.* (issue 17 §1). */
export const apiKeyRouter = router({
  /** The secret is in this answer only; the server keeps its SHA-256. */
  create: customerProcedure
    .input(createApiKeyInput)
    .mutation(({ ctx, input }) => ctx.services.developer.keys.create(ctx.user, input)),
  list: authedProcedure.input(listApiKeysInput).query(async ({ ctx, input }) => {
    const org = await ctx.services.developer.keys.managedOrg(ctx.user.id, input?.orgId);
    return ctx.services.developer.keys.list(org.id);
  }),
  revoke: authedProcedure.input(revokeApiKeyInput).mutation(async ({ ctx, input }) => {
    const { keys } = ctx.services.developer;
    const org = await keys.managedOrg(ctx.user.id, await keys.orgOfKey(input.id));
    return keys.revoke(org.id, input.id);
  }),
});

/** webhook.* (issue 17 §2). */
export const webhookRouter = router({
  /** The signing secret is in this answer only. */
  create: authedProcedure
    .meta({
      description: 'Registers an HTTPS endpoint for events; the answer holds its signing secret, once.',
    })
    .input(createWebhookInput)
    .output(createdWebhookSchema)
    .mutation(async ({ ctx, input }) =>
      ctx.services.developer.webhooks.create(await webhookOrg(ctx, input.orgId), input),
    ),
  list: authedProcedure
    .meta({ description: "The organisation's webhook endpoints (a disabled one says why)." })
    .input(listWebhooksInput)
    .output(z.array(webhookEndpointSchema))
    .query(async ({ ctx, input }) =>
      ctx.services.developer.webhooks.list(await webhookOrg(ctx, input?.orgId)),
    ),
  delete: authedProcedure
    .meta({ description: 'Removes an endpoint.', errors: ['NOT_FOUND'] })
    .input(webhookIdInput)
    .output(deletedWebhookSchema)
    .mutation(async ({ ctx, input }) =>
      ctx.services.developer.webhooks.delete(
        await webhookOrg(ctx, await endpointOrg(ctx, input.id)),
        input.id,
      ),
    ),
  /** Sends a `webhook.test` event now; answers with the delivery's log entry. */
  test: authedProcedure
    .meta({ description: 'Sends a webhook.test event to the endpoint now.', errors: ['NOT_FOUND'] })
    .input(webhookIdInput)
    .output(webhookDeliverySchema)
    .mutation(async ({ ctx, input }) =>
      ctx.services.developer.webhooks.test(await webhookOrg(ctx, await endpointOrg(ctx, input.id)), input.id),
    ),
  /** The endpoint's delivery log, newest first (20 a page). */
  deliveries: authedProcedure
    .meta({ description: "An endpoint's delivery log, newest first, 20 a page.", errors: ['NOT_FOUND'] })
    .input(webhookDeliveriesInput)
    .output(webhookDeliveryPageSchema)
    .query(async ({ ctx, input }) =>
      ctx.services.developer.webhooks.deliveries(
        await webhookOrg(ctx, await endpointOrg(ctx, input.id)),
        input.id,
        input.cursor,
      ),
    ),
  /** Sends a logged delivery's event again (same event id), as a new log entry. */
  replay: authedProcedure
    .meta({ description: 'Sends a logged delivery again (same event id).', errors: ['NOT_FOUND'] })
    .input(replayDeliveryInput)
    .output(webhookDeliverySchema)
    .mutation(async ({ ctx, input }) =>
      ctx.services.developer.webhooks.replay(
        await webhookOrg(ctx, await ctx.services.developer.webhooks.orgOfDelivery(input.deliveryId)),
        input.deliveryId,
      ),
    ),
});
