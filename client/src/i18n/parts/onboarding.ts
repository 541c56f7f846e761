// UI strings of the onboarding screens: English defines the keys, Arabic must provide every one of them.
export const onboardingEn = {} satisfies Record<string, string>;

export const onboardingAr: Record<keyof typeof onboardingEn, string> = {};
