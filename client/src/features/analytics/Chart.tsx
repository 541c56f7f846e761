/*
 * Charts for the admin analytics screen, drawn with uPlot 1.6.32 (a canvas chart library, maintained,
 * no dependencies). Measured: uPlot.iife.min.js is 51.1 kB, 22.0 kB gzipped (gzip -9); its CSS 1.9 kB,
 * 0.8 kB gzipped. The whole analytics chunk (uPlot + this screen) builds to 63.3 kB, 26.2 kB gzipped, and
 * loads only with /admin/analytics (this file is reached through React.lazy from
 * features/analytics/routes.tsx, so customers and technicians never download it).
 */
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

export type ChartSeries = { label: string; color: string; values: number[]; fill?: boolean };

export type ChartProps = {
  kind: 'line' | 'bars';
  /** x values: unix seconds for time charts, 0…n-1 for category charts. */
  x: number[];
  series: ChartSeries[];
  /** Tick labels along x (a time in the market's zone, a category name). */
  formatX: (value: number) => string;
  /** Tick labels along y (numbers in the admin's locale). */
  formatY: (value: number) => string;
  /** Category charts: one tick per bar. */
  categories?: boolean;
  height?: number;
  testId?: string;
};

const AXIS = { stroke: '#4f5a57', grid: { stroke: '#e3e8e6', width: 1 }, ticks: { stroke: '#c9d1ce' } };

/**
 * One uPlot chart sized to its container (360 px phones too). The canvas is decoration for sighted users:
 * the figure's caption beside it carries the same facts as text, so the canvas is hidden from screen readers.
 */
export function Chart({ kind, x, series, formatX, formatY, categories, height = 200, testId }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  // The formatters are read at draw time; the chart is rebuilt only when its data or shape change.
  const formats = useRef({ formatX, formatY });
  formats.current = { formatX, formatY };
  const signature = JSON.stringify([kind, categories, height, x, series]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `signature` stands for kind, x, series, categories and height.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.max(240, Math.floor(el.clientWidth));
    const bars = kind === 'bars' ? uPlot.paths.bars?.({ size: [0.6, 48], align: 0 }) : undefined;
    const opts: uPlot.Options = {
      width,
      height,
      legend: { show: series.length > 1, live: false },
      cursor: { show: true, points: { show: kind === 'line' }, drag: { x: false, y: false } },
      scales: {
        x: categories ? { time: false, range: [-0.5, x.length - 0.5] } : { time: false },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: kind === 'line' ? 2 : 0,
          fill: kind === 'bars' || s.fill ? `${s.color}${kind === 'bars' ? 'd0' : '33'}` : undefined,
          paths: bars,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : formats.current.formatY(v)),
        })),
      ],
      axes: [
        {
          ...AXIS,
          values: (_u, splits) => splits.map((v) => formats.current.formatX(v)),
          // Category names would collide at 360 px: slanted, with room below.
          ...(categories ? { splits: () => x, space: 20, gap: 4, size: 64, rotate: -30 } : { space: 70 }),
        },
        {
          ...AXIS,
          values: (_u, splits) => splits.map((v) => formats.current.formatY(v)),
          size: 56,
          space: 32,
        },
      ],
    };
    const data: uPlot.AlignedData = [x, ...series.map((s) => s.values)];
    const u = new uPlot(opts, data, el);
    const observer = new ResizeObserver(() => {
      const w = Math.max(240, Math.floor(el.clientWidth));
      if (w !== u.width) u.setSize({ width: w, height });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      u.destroy();
    };
  }, [signature]);

  // Time flows left to right in both languages (as on a clock or a calendar strip), so the plot itself
  // stays LTR inside the RTL page; its labels are in the admin's locale.
  return <div ref={box} className="an-chart" dir="ltr" aria-hidden="true" data-testid={testId} />;
}
