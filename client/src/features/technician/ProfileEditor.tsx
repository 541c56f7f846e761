import { type FormEvent, useId, useState } from 'react';
import type { TechnicianProfile } from '../../../../server/contracts/technician';
import { Avatar } from '../../components/Avatar';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { trpc } from '../../lib/trpc';
import { Rating } from '../booking/Rating';
import { TechnicianPhotoField } from '../upload/TechnicianPhotoField';

/** What customers see about the technician: photo (uploaded, with a preview and progress), rating and a short bio. */
export function ProfileEditor({ profile }: { profile: TechnicianProfile }) {
  const { t } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  const [open, setOpen] = useState(false);
  const update = trpc.technician.updateProfile.useMutation({
    onSuccess: (updated) => {
      utils.technician.me.setData(undefined, updated);
      setOpen(false);
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    // The photo is saved by its own picker (an upload), not with this form.
    update.mutate({ bio: String(data.get('bio') ?? '').trim() });
  };

  return (
    <section className="card" aria-labelledby="profile-title">
      <div className="person">
        <Avatar name={profile.name} photoUrl={profile.photoUrl} />
        <div className="person-text">
          <h2 id="profile-title" className="person-name">
            {profile.name}
          </h2>
          <Rating value={profile.rating.average} count={profile.rating.count} />
        </div>
        {!open && (
          <button type="button" className="button button-ghost" onClick={() => setOpen(true)}>
            {t('technician.profile.edit')}
          </button>
        )}
      </div>
      {!open && profile.bio && (
        <p className="prewrap" dir="auto">
          {profile.bio}
        </p>
      )}
      {open && (
        <form className="form" noValidate onSubmit={submit}>
          <div className="field">
            <label htmlFor={`${id}-bio`}>{t('technician.profile.bio')}</label>
            <textarea id={`${id}-bio`} name="bio" rows={3} maxLength={1000} defaultValue={profile.bio} />
          </div>
          <TechnicianPhotoField profile={profile} />
          {update.error && (
            <p className="form-error" role="alert">
              {t(problemKey(update.error))}
            </p>
          )}
          <div className="actions">
            <button type="button" className="button button-ghost" onClick={() => setOpen(false)}>
              {t('dialog.back')}
            </button>
            <button type="submit" className="button button-primary" disabled={update.isPending}>
              {update.isPending && <Spinner small />}
              {update.isPending ? t('common.saving') : t('common.save')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
