import type { AnyRouter } from '@trpc/server';
import type { DocsPages } from '../transport/docs';
import { renderDocsHtml } from './html';
import { toOpenApi } from './openapi';
import { buildReference, type ReferenceOptions } from './reference';

/** The documents /docs serves, built from the router (server/app.ts hands them to the transport). */
export function docsPages(router: AnyRouter, opts: ReferenceOptions): DocsPages {
  const ref = buildReference(router, opts);
  return {
    '/docs': { type: 'text/html; charset=utf-8', body: renderDocsHtml(ref) },
    '/docs/reference.json': { type: 'application/json', body: `${JSON.stringify(ref, null, 2)}\n` },
    '/docs/openapi.json': { type: 'application/json', body: `${JSON.stringify(toOpenApi(ref), null, 2)}\n` },
  };
}
