// Tables for the cases module (filled in by its owner).
export {};
