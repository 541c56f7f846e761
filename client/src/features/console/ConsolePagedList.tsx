import type { ComponentProps } from 'react';
import { PagedList } from '../../components/PagedList';
import { useI18n } from '../../i18n/I18nProvider';

/** A console list read page by page: a problem shows instead of the rows, "Load more" under them. */
export function ConsolePagedList(props: Omit<ComponentProps<typeof PagedList>, 'errorOverRows' | 'more'>) {
  const { t } = useI18n();
  return <PagedList {...props} errorOverRows more={{ label: t('console.loadMore') }} />;
}
