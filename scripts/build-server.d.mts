export const serverEntry: string;
export const serverOutfile: string;
export const serverStamp: string;
export function buildServer(): Promise<{ ms: number; inputs: number; outfile: string }>;
