// Tables for the console module (filled in by its owner).
export {};
