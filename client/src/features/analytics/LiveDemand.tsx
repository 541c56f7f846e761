import './liveDemand.css';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useMemo, useState } from 'react';
import type { DemandHeatmap } from '../../../../server/contracts/analytics';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { trpc } from '../../lib/trpc';
import { HEAT_GRADIENT } from './heatColour';

const HOUR = 3_600_000;
const DAYS = 7;

/**
 * The live map's demand layer switch (issue 14 §6: a demand heatmap on the map): off by default; when on,
 * `admin.analytics.heatmap` of every market over the last 7 days (ending at the next full hour, so the
 * query key holds for the hour), a colour key and the same in words for screen readers.
 */
export function useLiveDemand(): { demand: DemandHeatmap[] | null; control: ReactNode } {
  const { t, formatNumber, locale } = useI18n();
  const [on, setOn] = useState(false);
  const markets = trpc.market.list.useQuery(undefined, { enabled: on, staleTime: 10 * 60_000 });
  const [from, to] = useMemo(() => {
    const end = Math.ceil(Date.now() / HOUR) * HOUR;
    return [new Date(end - DAYS * 24 * HOUR).toISOString(), new Date(end).toISOString()];
  }, []);
  const utils = trpc.useUtils();
  const slugs = markets.data?.map((m) => m.slug);
  // One query for every market's cells, so the map gets one array (a new one only when data changes).
  const heat = useQuery({
    queryKey: ['live-demand', from, to, slugs],
    enabled: on && slugs !== undefined,
    staleTime: 5 * 60_000,
    queryFn: () =>
      Promise.all((slugs ?? []).map((market) => utils.admin.analytics.heatmap.fetch({ market, from, to }))),
  });
  const error = markets.error ?? heat.error ?? null;
  const demand: DemandHeatmap[] | null = on ? (heat.data ?? null) : null;
  const cells = demand?.flatMap((h) => h.cells) ?? [];
  const total = cells.reduce((a, c) => a + c.count, 0);
  const top = cells.reduce((a, c) => Math.max(a, c.count), 0);

  const control = (
    <div className="live-demand" data-testid="live-demand">
      <button
        type="button"
        className="button button-ghost button-small"
        aria-pressed={on}
        onClick={() => setOn((v) => !v)}
        data-testid="live-demand-toggle"
      >
        {t('analytics.live.toggle')}
      </button>
      {on && error && (
        <p className="form-error small" role="alert">
          {t(problemKey(error))}
        </p>
      )}
      {on && demand && (
        <div className="live-demand-key">
          <span className="small muted">{t('analytics.live.period')}</span>
          <span className="live-demand-scale small" aria-hidden="true">
            <span>{t('analytics.live.fewer')}</span>
            <span
              className="live-demand-bar"
              style={{
                backgroundImage: HEAT_GRADIENT,
                transform: locale === 'ar' ? 'scaleX(-1)' : undefined,
              }}
            />
            <span>{t('analytics.live.more')}</span>
          </span>
          <p className="small" role="status" data-testid="live-demand-summary">
            {total
              ? t('analytics.live.summary', {
                  total: formatNumber(total),
                  cells: formatNumber(cells.length),
                  top: formatNumber(top),
                })
              : t('analytics.live.none')}
          </p>
        </div>
      )}
    </div>
  );
  return { demand, control };
}
