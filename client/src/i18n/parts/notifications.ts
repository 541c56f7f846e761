// UI strings of the notifications screens: English defines the keys, Arabic must provide every one of them.
export const notificationsEn = {} satisfies Record<string, string>;

export const notificationsAr: Record<keyof typeof notificationsEn, string> = {};
