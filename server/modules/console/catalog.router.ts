import { router } from '../../trpc/procedures';

/** admin.catalog.* (issue 14 §4). */
export const adminCatalogRouter = router({});
