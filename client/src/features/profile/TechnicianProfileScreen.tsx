import './profile.css';
import { useMemo, useState } from 'react';
import type { PublicTechnicianProfile } from '../../../../server/contracts/discovery';
import { Avatar } from '../../components/Avatar';
import { Loading } from '../../components/Loading';
import { Screen } from '../../components/Screen';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey, toApiProblem } from '../../lib/apiErrors';
import { Link } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { usePriceLabel } from '../catalog/ServicePrice';
import { useCategories } from '../catalog/useCatalog';
import { MapView } from '../map/MapView';
import { usePlural } from '../reviews/plural';
import { ReviewList } from '../reviews/ReviewList';
import { Stars } from '../reviews/Stars';
import { useSession } from '../session/SessionProvider';
import { languageList } from './languages';

/** A technician's public page at /technicians/:id: shareable, readable before signing up. */
export function TechnicianProfileScreen({ id }: { id: string }) {
  const { t } = useI18n();
  const profile = trpc.technician.profile.useQuery({ technicianId: id }, { staleTime: 30_000 });

  if (!profile.data) {
    const notFound = profile.error && toApiProblem(profile.error).code === 'NOT_FOUND';
    return (
      <Screen heading={t('profile.title')} testId="technician-profile">
        {notFound ? (
          <>
            <p>{t('profile.notFound')}</p>
            <Link href="/search" className="button button-secondary">
              {t('search.title')}
            </Link>
          </>
        ) : profile.error ? (
          <div className="card">
            <p className="form-error" role="alert">
              {t(problemKey(profile.error))}
            </p>
            <button type="button" className="button button-secondary" onClick={() => void profile.refetch()}>
              {t('common.retry')}
            </button>
          </div>
        ) : (
          <Loading />
        )}
      </Screen>
    );
  }
  return <Profile profile={profile.data} />;
}

function Profile({ profile }: { profile: PublicTechnicianProfile }) {
  const { t, formatDate, formatNumber } = useI18n();
  const plural = usePlural();
  return (
    <Screen heading={profile.name} testId="technician-profile">
      <nav className="breadcrumbs" aria-label={t('search.title')}>
        <Link href="/search">{t('profile.backToSearch')}</Link>
      </nav>
      <section className="card profile-head" aria-label={t('profile.title')}>
        <div className="person">
          <Avatar name={profile.name} photoUrl={profile.photoUrl} size={72} />
          <div className="person-text">
            <div className="profile-badges">
              {profile.verified && (
                <span className="badge" data-testid="verified-badge">
                  <span aria-hidden="true">✓ </span>
                  {t('profile.verified')}
                </span>
              )}
              {profile.availableNow && <span className="badge badge-live">{t('search.availableNow')}</span>}
            </div>
            <Stars rating={profile.rating} />
            <span className="muted small">
              {t('profile.memberSince', { date: formatDate(profile.memberSince) })}
            </span>
          </div>
        </div>
        <dl className="facts profile-facts">
          <div>
            <dt>{t('profile.jobs')}</dt>
            <dd data-testid="jobs-completed">{plural('count.jobs', profile.jobsCompleted)}</dd>
          </div>
          <div>
            <dt>{t('profile.languages')}</dt>
            <dd data-testid="profile-languages">
              <Languages codes={profile.languages} />
            </dd>
          </div>
        </dl>
        {profile.bio && (
          <p className="prewrap" dir="auto">
            {profile.bio}
          </p>
        )}
        {profile.topTags.length > 0 && (
          <div>
            <p className="small muted">{t('profile.knownFor')}</p>
            <ul className="chips">
              {profile.topTags.map((tag) => (
                <li key={tag.tag} className="chip">
                  {t(`review.tag.${tag.tag}`)} <span className="muted">· {formatNumber(tag.count)}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="actions">
          <FavoriteButton technicianId={profile.id} />
          <ShareButton name={profile.name} />
        </div>
      </section>
      <Services profile={profile} />
      {profile.area && <Area profile={profile} area={profile.area} />}
      <section className="card" aria-labelledby="reviews-title">
        <h2 id="reviews-title">{t('profile.reviews')}</h2>
        <ReviewList technicianId={profile.id} technicianName={profile.name} />
      </section>
    </Screen>
  );
}

function Languages({ codes }: { codes: string[] }) {
  const { locale } = useI18n();
  return <>{languageList(codes, locale)}</>;
}

function Services({ profile }: { profile: PublicTechnicianProfile }) {
  const { t, localized, formatMinutes } = useI18n();
  const priceLabel = usePriceLabel();
  const categories = useCategories();
  return (
    <section className="card" aria-labelledby="services-title">
      <h2 id="services-title">{t('profile.services')}</h2>
      {profile.services.length === 0 ? (
        <p className="muted">{t('profile.noServices')}</p>
      ) : (
        <ul className="option-list">
          {profile.services.map((service) => {
            const category = categories.data?.find((c) => c.id === service.categoryId);
            const own = service.price.amount !== service.catalogPrice.amount;
            return (
              <li key={service.id} className="option profile-service" data-testid="profile-service">
                <span className="option-main">
                  <span className="option-title">{localized(service.name)}</span>
                  <span className="option-hint">{formatMinutes(service.durationMinutes)}</span>
                </span>
                <span className="option-side">
                  <span className="option-price" data-testid="profile-price">
                    {priceLabel(service.price, service.priceUnit)}
                  </span>
                  {own && <span className="muted small">{t('profile.ownPrice')}</span>}
                  {category && (
                    // Booking this very technician is issue 12 §4: the booking screen reads `technician`.
                    <Link
                      className="small"
                      data-testid="profile-book"
                      href={`/book?category=${encodeURIComponent(category.slug)}&service=${encodeURIComponent(service.slug)}&technician=${profile.id}`}
                    >
                      {t('profile.book')}
                    </Link>
                  )}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function Area({
  profile,
  area,
}: {
  profile: PublicTechnicianProfile;
  area: NonNullable<PublicTechnicianProfile['area']>;
}) {
  const { t } = useI18n();
  const markers = useMemo(
    () => [
      {
        id: 'area',
        position: { lat: area.lat, lng: area.lng },
        kind: 'area' as const,
        label: t('profile.areaLabel', { name: profile.name }),
      },
    ],
    [area, profile.name, t],
  );
  return (
    <section className="card" aria-labelledby="area-title">
      <h2 id="area-title">{t('profile.area')}</h2>
      <p className="muted small">{t('profile.areaHint')}</p>
      <MapView
        label={t('profile.areaLabel', { name: profile.name })}
        center={area}
        zoom={13}
        markers={markers}
        height={180}
      />
    </section>
  );
}

/** Save for later (signed-in users); signed-out visitors are asked to sign up first. */
function FavoriteButton({ technicianId }: { technicianId: string }) {
  const { t } = useI18n();
  const session = useSession();
  const signedIn = session.status === 'signed-in';
  const utils = trpc.useUtils();
  const has = trpc.favorite.has.useQuery({ technicianId }, { enabled: signedIn });
  const onDone = () => {
    void utils.favorite.has.invalidate({ technicianId });
    void utils.favorite.list.invalidate();
  };
  const add = trpc.favorite.add.useMutation({ onSuccess: onDone });
  const remove = trpc.favorite.remove.useMutation({ onSuccess: onDone });
  if (!signedIn) {
    return (
      <Link href="/sign-up" className="button button-secondary">
        <span aria-hidden="true">♡ </span>
        {t('profile.save')}
      </Link>
    );
  }
  const saved = has.data === true;
  const pending = add.isPending || remove.isPending || has.isPending;
  return (
    <button
      type="button"
      className="button button-secondary"
      aria-pressed={saved}
      disabled={pending}
      data-testid="favorite-toggle"
      onClick={() => (saved ? remove : add).mutate({ technicianId })}
    >
      <span aria-hidden="true">{saved ? '♥ ' : '♡ '}</span>
      {saved ? t('profile.saved') : t('profile.save')}
    </button>
  );
}

/** The phone's share sheet where there is one; otherwise copy the link. */
function ShareButton({ name }: { name: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const share = async () => {
    const url = window.location.href;
    try {
      if (navigator.share) {
        await navigator.share({ title: name, url });
        return;
      }
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      // Dismissed share sheet or no clipboard permission: nothing to do.
    }
  };
  return (
    <button type="button" className="button button-ghost" onClick={() => void share()}>
      {copied ? t('profile.linkCopied') : t('profile.share')}
    </button>
  );
}
