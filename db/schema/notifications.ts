// Tables for the notifications module (filled in by its owner).
export {};
