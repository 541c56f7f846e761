// Tables for the schedule module (filled in by its owner).
export {};
