import type { ReactElement } from 'react';

/**
 * The catalogue's built-in icon set (keys in server/contracts/console.ts `catalogIcons`). Inline SVG with
 * `currentColor` strokes: no emoji (they render as boxes where no emoji font is installed), no uploads
 * to sanitise. Drawn on a 24×24 grid in the style of open line-icon sets.
 */
const paths: Record<string, ReactElement> = {
  tools: (
    <>
      <path d="M14.7 6.3a4 4 0 0 0-5.4 5.4L3 18l3 3 6.3-6.3a4 4 0 0 0 5.4-5.4l-2.5 2.5-2.4-.6-.6-2.4z" />
    </>
  ),
  wrench: <path d="M14.7 6.3a4 4 0 0 0-5.4 5.4L3 18l3 3 6.3-6.3a4 4 0 0 0 5.4-5.4l-2.5 2.5-2.4-.6-.6-2.4z" />,
  shoe: (
    <>
      <path d="M3 16V8h4l2 3h4l6 2.5c1.2.5 2 1.5 2 2.5v1H3z" />
      <path d="M3 19h18" />
    </>
  ),
  tap: (
    <>
      <path d="M4 10h9a3 3 0 0 1 3 3v2" />
      <path d="M8 6h4M10 6v4" />
      <path d="M16 19c0-1 .8-2 1-2.5.2.5 1 1.5 1 2.5a1 1 0 0 1-2 0z" />
    </>
  ),
  bulb: (
    <>
      <path d="M9 18h6M10 21h4" />
      <path d="M12 3a6 6 0 0 0-4 10.5c.7.7 1 1.5 1 2.5h6c0-1 .3-1.8 1-2.5A6 6 0 0 0 12 3z" />
    </>
  ),
  snowflake: (
    <>
      <path d="M12 2v20M4 7l16 10M20 7L4 17" />
      <path d="M9 4l3 2 3-2M9 20l3-2 3 2" />
    </>
  ),
  broom: (
    <>
      <path d="M19 3l-7 7" />
      <path d="M12 10l-5 2-4 8h9l3-5z" />
      <path d="M7 20l2-4M10 20l1.5-3" />
    </>
  ),
  saw: (
    <>
      <path d="M3 14l11-11 3 3-11 11z" />
      <path d="M6 17l1.5 1.5M9 14l1.5 1.5M12 11l1.5 1.5" />
      <path d="M17 6l4 4-3 3" />
    </>
  ),
  plug: (
    <>
      <path d="M9 2v5M15 2v5" />
      <path d="M6 7h12v4a6 6 0 0 1-12 0z" />
      <path d="M12 17v5" />
    </>
  ),
  phone: (
    <>
      <rect x="7" y="2" width="10" height="20" rx="2" />
      <path d="M11 18h2" />
    </>
  ),
  paint: (
    <>
      <rect x="3" y="3" width="15" height="6" rx="1" />
      <path d="M18 6h3v5h-9v3" />
      <rect x="10" y="14" width="4" height="7" rx="1" />
    </>
  ),
  key: (
    <>
      <circle cx="7.5" cy="15.5" r="4.5" />
      <path d="M10.7 12.3L20 3M16 7l3 3M18 5l2 2" />
    </>
  ),
  car: (
    <>
      <path d="M5 16V11l2-5h10l2 5v5z" />
      <path d="M3 11h18" />
      <circle cx="7.5" cy="16.5" r="1.5" />
      <circle cx="16.5" cy="16.5" r="1.5" />
    </>
  ),
  scissors: (
    <>
      <circle cx="6" cy="6" r="3" />
      <circle cx="6" cy="18" r="3" />
      <path d="M20 4L8.1 15.9M14.5 14.5L20 20M8.1 8.1L12 12" />
    </>
  ),
  leaf: (
    <>
      <path d="M5 21c0-9 5-15 15-17-1 10-6 15-15 17z" />
      <path d="M5 21l8-8" />
    </>
  ),
  bug: (
    <>
      <rect x="8" y="7" width="8" height="13" rx="4" />
      <path d="M12 7V4M9 4l1.5 3M15 4l-1.5 3M4 11h4M16 11h4M4 17h4M16 17h4" />
    </>
  ),
};

export const iconKeys = Object.keys(paths);

/** A category's icon; unknown keys (old data) draw the generic tools icon. Decorative unless labelled. */
export function CatalogIcon({ name, size = 20, label }: { name: string; size?: number; label?: string }) {
  return (
    <svg
      className="catalog-icon"
      viewBox="0 0 24 24"
      width={size}
      height={size}
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
      focusable="false"
    >
      {paths[name] ?? paths.tools}
    </svg>
  );
}
