import { chatStreamInput, listChatInput, markChatReadInput, sendChatInput } from '../../contracts/chat';
import { authedProcedure, router } from '../../trpc/procedures';
import { trackedStream } from '../../trpc/tracked';

/** A booking's conversation between its customer and its technician (admins: read-only, in a dispute). */
export const chatRouter = router({
  /** Idempotent per `clientId`: a retry (an offline outbox replaying) returns the stored message. */
  send: authedProcedure
    // The body drops control characters itself (chatBody); every other field is checked as everywhere.
    .meta({ cleansControlCharacters: ['body'] })
    .input(sendChatInput)
    .mutation(({ ctx, input }) => ctx.services.chat.send(ctx.user, input)),
  /** Newest first; `cursor` (a previous page's `nextCursor`) pages back. */
  list: authedProcedure
    .input(listChatInput)
    .query(({ ctx, input }) => ctx.services.chat.list(ctx.user, input)),
  /** Messages, receipts and the conversation's state, live; resumable with `lastEventId`. */
  stream: authedProcedure
    .input(chatStreamInput)
    .subscription(({ ctx, input, signal }) =>
      trackedStream(ctx.services.chat.stream(input.bookingId, ctx.user, input.lastEventId, signal)),
    ),
  /** Read (and received) everything up to message `upTo`. */
  markRead: authedProcedure
    .input(markChatReadInput)
    .mutation(({ ctx, input }) => ctx.services.chat.markRead(ctx.user, input.bookingId, input.upTo)),
});
