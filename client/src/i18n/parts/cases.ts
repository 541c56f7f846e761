// UI strings of the cases screens: English defines the keys, Arabic must provide every one of them.
export const casesEn = {} satisfies Record<string, string>;

export const casesAr: Record<keyof typeof casesEn, string> = {};
