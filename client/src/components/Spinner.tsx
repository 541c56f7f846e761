/** An inline spinner for buttons and status lines (the page-level one is <Loading />). */
export function Spinner({ small = false }: { small?: boolean }) {
  return <span className={small ? 'spinner spinner-small' : 'spinner'} aria-hidden="true" />;
}
