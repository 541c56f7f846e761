import './upload.css';
import { useCallback, useId, useState } from 'react';
import type { Booking } from '../../../../server/contracts/booking';
import type { JobPhoto, JobPhotoPhase, StoredUpload } from '../../../../server/contracts/upload';
import { MAX_JOB_PHOTOS_PER_PHASE } from '../../../../server/contracts/upload';
import { useModal } from '../../components/Modal';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { trpc } from '../../lib/trpc';
import { UploadStatus } from './UploadStatus';
import { useUpload } from './useUpload';

/** Statuses in which the assigned technician may add photos (the server says the same). */
const ADDING = new Set<Booking['status']>(['arrived', 'in_progress']);
/** Statuses in which photos may exist and are worth showing. */
const SHOWN = new Set<Booking['status']>(['arrived', 'in_progress', 'completed', 'disputed']);

/** The booking's before/after photos; refreshed while the job is on (the technician may add more). */
function usePhotos(booking: Booking) {
  const active = ADDING.has(booking.status);
  return trpc.booking.photos.useQuery(
    { id: booking.id },
    {
      enabled: SHOWN.has(booking.status),
      // The URLs are signed for a few minutes: refresh before they end; faster while photos may arrive.
      refetchInterval: active ? 20_000 : 120_000,
      staleTime: 15_000,
    },
  );
}

/** Thumbnails by phase; a tap opens the photo large in a dialog (not a new page: the app owns navigation). */
export function Gallery({ photos }: { photos: JobPhoto[] }) {
  const { t, formatTime } = useI18n();
  const [open, setOpen] = useState<JobPhoto | null>(null);
  const dialog = useModal(open !== null);
  const titleId = useId();

  return (
    <>
      {(['before', 'after'] as const).map((phase) => {
        const list = photos.filter((p) => p.phase === phase);
        if (list.length === 0) return null;
        return (
          <div key={phase} className="job-photos-group">
            <h3 className="job-photos-phase">{t(`jobPhotos.${phase}`)}</h3>
            <ul className="job-photos-grid">
              {list.map((p, index) => (
                <li key={p.uploadId}>
                  <button
                    type="button"
                    className="job-photo-thumb"
                    onClick={() => setOpen(p)}
                    aria-label={t('jobPhotos.open', {
                      phase: t(`jobPhotos.${phase}`),
                      n: index + 1,
                      time: formatTime(p.addedAt),
                    })}
                  >
                    <img
                      src={p.url}
                      alt=""
                      loading="lazy"
                      width={p.width ?? undefined}
                      height={p.height ?? undefined}
                    />
                  </button>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
      <dialog
        ref={dialog}
        className="dialog photo-viewer"
        aria-labelledby={titleId}
        onClose={() => setOpen(null)}
      >
        {open && (
          <>
            <h2 id={titleId} className="photo-viewer-title">
              {t(`jobPhotos.${open.phase}`)} · <time dateTime={open.addedAt}>{formatTime(open.addedAt)}</time>
            </h2>
            <img className="photo-viewer-img" src={open.url} alt={t(`jobPhotos.${open.phase}`)} />
            <div className="dialog-actions">
              <button type="button" className="button button-secondary" onClick={() => setOpen(null)}>
                {t('jobPhotos.close')}
              </button>
            </div>
          </>
        )}
      </dialog>
    </>
  );
}

/** One "Add before/after photo" button: opens the camera on phones, uploads, attaches to the job. */
function AddPhoto({ booking, phase, count }: { booking: Booking; phase: JobPhotoPhase; count: number }) {
  const { t } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  const add = trpc.booking.addPhoto.useMutation({
    onSuccess: () => void utils.booking.photos.invalidate({ id: booking.id }),
  });
  const attach = useCallback(
    (stored: StoredUpload) => add.mutateAsync({ id: booking.id, uploadId: stored.uploadId, phase }),
    [add.mutateAsync, booking.id, phase],
  );
  const upload = useUpload('job_photo', attach, 'jobPhotos.error.state');
  const full = count >= MAX_JOB_PHOTOS_PER_PHASE;
  return (
    <div className="job-photo-add">
      <input
        id={`${id}-file`}
        className="visually-hidden file-input"
        type="file"
        accept="image/*"
        capture="environment"
        disabled={upload.busy || full}
        onChange={(event) => {
          const file = event.currentTarget.files?.[0];
          event.currentTarget.value = '';
          if (file) void upload.start(file);
        }}
      />
      <label
        className={`button button-secondary button-block${upload.busy || full ? ' is-disabled' : ''}`}
        htmlFor={`${id}-file`}
        data-testid={`add-${phase}-photo`}
      >
        {t(phase === 'before' ? 'jobPhotos.addBefore' : 'jobPhotos.addAfter')}
      </label>
      <UploadStatus state={upload.state} />
    </div>
  );
}

/** The technician's side (active job card): add before/after photos while there, see what was added. */
export function JobPhotos({ booking }: { booking: Booking }) {
  const { t } = useI18n();
  const photos = usePhotos(booking);
  if (!SHOWN.has(booking.status)) return null;
  const list = photos.data ?? [];
  const adding = ADDING.has(booking.status);
  return (
    <section className="job-photos" aria-labelledby={`photos-${booking.id}`} data-testid="job-photos">
      <h3 id={`photos-${booking.id}`} className="job-photos-title">
        {t('jobPhotos.title')}
      </h3>
      {adding && <p className="muted small">{t('jobPhotos.hint')}</p>}
      <Gallery photos={list} />
      {adding && (
        <div className="job-photo-buttons">
          <AddPhoto
            booking={booking}
            phase="before"
            count={list.filter((p) => p.phase === 'before').length}
          />
          <AddPhoto booking={booking} phase="after" count={list.filter((p) => p.phase === 'after').length} />
        </div>
      )}
    </section>
  );
}

/** The customer's (and admin's) side, on the booking screen: the technician's before/after photos. */
export function BookingPhotos({ booking }: { booking: Booking }) {
  const { t } = useI18n();
  const photos = usePhotos(booking);
  if (!SHOWN.has(booking.status)) return null;
  const list = photos.data ?? [];
  // Nothing to show after the job when no photo was taken.
  if (list.length === 0 && !ADDING.has(booking.status)) return null;
  return (
    <section className="card" aria-labelledby="booking-photos-title" data-testid="booking-photos">
      <h2 id="booking-photos-title">{t('jobPhotos.title')}</h2>
      {list.length === 0 ? (
        <p className="muted">{photos.isPending ? t('app.loading') : t('jobPhotos.none')}</p>
      ) : (
        <>
          <p className="muted small">{t('jobPhotos.customerHint')}</p>
          <Gallery photos={list} />
        </>
      )}
      {photos.error && <p className="form-error">{t(problemKey(photos.error))}</p>}
    </section>
  );
}
