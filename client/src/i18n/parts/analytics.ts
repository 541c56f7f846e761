// UI strings of the analytics screens: English defines the keys, Arabic must provide every one of them.
export const analyticsEn = {} satisfies Record<string, string>;

export const analyticsAr: Record<keyof typeof analyticsEn, string> = {};
