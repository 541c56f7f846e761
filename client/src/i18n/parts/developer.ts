// UI strings of the developer screens: English defines the keys, Arabic must provide every one of them.
export const developerEn = {} satisfies Record<string, string>;

export const developerAr: Record<keyof typeof developerEn, string> = {};
