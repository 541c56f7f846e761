import { describe, expect, it } from 'vitest';
import type { Market } from '../../../../server/contracts/market';
import { marketShapes } from './marketShapes';

const market = (slug: string, boundary: number[][][][]): Market => ({
  slug,
  name: { en: slug.toUpperCase(), ar: slug },
  currency: 'XXX',
  timeZone: 'UTC',
  defaultLocale: 'en',
  boundary,
  center: [0, 0],
});

describe('the outlines of where Fundi works', () => {
  it('one shape per polygon of each market, its outer ring as lat/lng without the closing corner', () => {
    const square = [
      [3, 6],
      [4, 6],
      [4, 7],
      [3, 7],
      [3, 6],
    ];
    const hole = [
      [3.4, 6.4],
      [3.6, 6.4],
      [3.6, 6.6],
      [3.4, 6.4],
    ];
    const island = [
      [31, 30],
      [32, 30],
      [31.5, 31],
      [31, 30],
    ];
    const shapes = marketShapes(
      [market('lagos', [[square, hole]]), market('cairo', [[island], [square]])],
      (m) => m.name.en,
    );
    expect(shapes.map((s) => [s.id, s.label, s.ring.length])).toEqual([
      ['lagos-0', 'LAGOS', 4],
      ['cairo-0', 'CAIRO', 3],
      ['cairo-1', 'CAIRO', 4],
    ]);
    expect(shapes[0]!.ring[1]).toEqual({ lat: 6, lng: 4 });
  });
});
