// Tables for the developer module (filled in by its owner).
export {};
