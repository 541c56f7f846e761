export const inputs: { client: string[]; server: string[] };
export const outputs: { client: string; server: string };
export function newestMtime(base: string, paths: string[]): number;
export function staleBuilds(base?: string): Array<'client' | 'server'>;
