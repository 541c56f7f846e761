/** A user's own channel on the bus: anything that concerns them publishes a `MeEvent` here. */
export const meChannel = (userId: string) => `me:${userId}`;
