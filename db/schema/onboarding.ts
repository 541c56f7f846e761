// Tables for the onboarding module (filled in by its owner).
export {};
