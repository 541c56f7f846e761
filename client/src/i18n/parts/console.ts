// UI strings of the console screens: English defines the keys, Arabic must provide every one of them.
export const consoleEn = {} satisfies Record<string, string>;

export const consoleAr: Record<keyof typeof consoleEn, string> = {};
