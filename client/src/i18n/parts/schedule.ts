// UI strings of the schedule screens: English defines the keys, Arabic must provide every one of them.
export const scheduleEn = {} satisfies Record<string, string>;

export const scheduleAr: Record<keyof typeof scheduleEn, string> = {};
