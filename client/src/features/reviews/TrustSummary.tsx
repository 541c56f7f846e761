import './reviews.css';
import { useI18n } from '../../i18n/I18nProvider';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { Stars } from './Stars';
import { snippet } from './snippet';

/**
 * What customers are shown of a technician outside their profile (the booking screen from the offer to
 * the done job, a chosen technician on the booking form): their stars and review count, the words of
 * the latest published review that has some, and a link to the profile. The technician's rating is
 * public; a customer's rating of them by technicians never appears here (admins only).
 */
export function TrustSummary({ technicianId, name }: { technicianId: string; name: string }) {
  const { t } = useI18n();
  const profile = trpc.technician.profile.useQuery({ technicianId }, { staleTime: 60_000, retry: false });
  const reviews = trpc.review.list.useQuery({ technicianId, limit: 5 }, { staleTime: 60_000, retry: false });
  const latest = reviews.data?.items.find((r) => r.comment?.trim());
  return (
    <div className="trust-summary" data-testid="trust-summary">
      {profile.data && <Stars rating={profile.data.rating} />}
      {latest?.comment && (
        <blockquote className="trust-quote" data-testid="latest-review">
          <p dir="auto">“{snippet(latest.comment)}”</p>
          <footer className="muted small">{latest.author}</footer>
        </blockquote>
      )}
      <Link href={`/technicians/${technicianId}`} data-testid="technician-profile-link">
        {t('review.viewProfile', { name })}
      </Link>
    </div>
  );
}
