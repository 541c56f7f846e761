import { useState } from 'react';

/** Up to two initials, from the first and last word of the name (works for Arabic script too). */
function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = words[0]?.[0] ?? '?';
  const last = words.length > 1 ? (words[words.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

/** A person's photo, or their initials when there is none or it fails to load (flaky data, no network). */
export function Avatar({
  name,
  photoUrl,
  size = 56,
}: {
  name: string;
  photoUrl: string | null;
  size?: number;
}) {
  const [failed, setFailed] = useState(false);
  const style = { inlineSize: size, blockSize: size, fontSize: size * 0.4 };
  if (photoUrl && !failed) {
    return (
      <img
        className="avatar"
        src={photoUrl}
        alt=""
        width={size}
        height={size}
        style={style}
        loading="lazy"
        onError={() => setFailed(true)}
      />
    );
  }
  return (
    <span className="avatar avatar-initials" style={style} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
