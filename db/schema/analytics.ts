// Tables for the analytics module (filled in by its owner).
export {};
