// The API reference, generated from the router and its zod schemas (the same documents the server
// serves at /docs). `npm run reference` prints reference.json; `-- --openapi` OpenAPI 3.1; `-- --html`
// the page; `-- --out <file>` writes instead of printing.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { docsPages } from '../server/docs/pages';
import { keyScopes } from '../server/modules/developer/scopes';
import { appRouter, fastPaths } from '../server/trpc/root';

const { values } = parseArgs({
  options: {
    openapi: { type: 'boolean', default: false },
    html: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const pages = docsPages(appRouter, { keyScopes, fastPaths: Object.keys(fastPaths) });
const page = pages[values.html ? '/docs' : values.openapi ? '/docs/openapi.json' : '/docs/reference.json'];
if (!page) throw new Error('no such page');
if (values.out) writeFileSync(values.out, page.body);
else process.stdout.write(page.body);
