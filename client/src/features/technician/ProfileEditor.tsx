import { type FormEvent, useId, useState } from 'react';
import type { TechnicianProfile } from '../../../../server/contracts/technician';
import { Avatar } from '../../components/Avatar';
import { Spinner } from '../../components/Spinner';
import { useI18n } from '../../i18n/I18nProvider';
import { problemKey } from '../../lib/apiErrors';
import { trpc } from '../../lib/trpc';
import { Rating } from '../booking/Rating';
import { languageChoices, languageList, languageName } from '../profile/languages';
import { TechnicianPhotoField } from '../upload/TechnicianPhotoField';

/** What customers see about the technician: photo (uploaded, with a preview and progress), rating and a short bio. */
export function ProfileEditor({ profile }: { profile: TechnicianProfile }) {
  const { t, locale } = useI18n();
  const id = useId();
  const utils = trpc.useUtils();
  const [open, setOpen] = useState(false);
  // The public profile says which languages they speak (their app's language until they choose).
  const publicProfile = trpc.technician.profile.useQuery({ technicianId: profile.userId });
  const languages = publicProfile.data?.languages ?? [];
  const update = trpc.technician.updateProfile.useMutation({
    onSuccess: (updated) => utils.technician.me.setData(undefined, updated),
  });
  const setLanguages = trpc.technician.setLanguages.useMutation({
    onSuccess: () => utils.technician.profile.invalidate({ technicianId: profile.userId }),
  });
  const saving = update.isPending || setLanguages.isPending;
  const error = update.error ?? setLanguages.error;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    // The photo is saved by its own picker (an upload), not with this form.
    try {
      await update.mutateAsync({ bio: String(data.get('bio') ?? '').trim() });
      await setLanguages.mutateAsync({ languages: data.getAll('language').map(String) });
      setOpen(false);
    } catch {
      // Shown below from the mutation's error.
    }
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
          <button
            type="button"
            className="button button-ghost"
            data-testid="edit-profile"
            onClick={() => setOpen(true)}
          >
            {t('technician.profile.edit')}
          </button>
        )}
      </div>
      {!open && profile.bio && (
        <p className="prewrap" dir="auto">
          {profile.bio}
        </p>
      )}
      {!open && languages.length > 0 && (
        <p className="muted" data-testid="own-languages">
          {t('profile.languages')}: {languageList(languages, locale)}
        </p>
      )}
      {open && (
        <form className="form" noValidate onSubmit={submit}>
          <div className="field">
            <label htmlFor={`${id}-bio`}>{t('technician.profile.bio')}</label>
            <textarea id={`${id}-bio`} name="bio" rows={3} maxLength={1000} defaultValue={profile.bio} />
          </div>
          <fieldset className="field">
            <legend>{t('technician.profile.languages')}</legend>
            {languageChoices(languages).map((code) => (
              <div key={code} className="check">
                <input
                  type="checkbox"
                  id={`${id}-lang-${code}`}
                  name="language"
                  value={code}
                  defaultChecked={languages.includes(code)}
                />
                <label htmlFor={`${id}-lang-${code}`}>{languageName(code, locale)}</label>
              </div>
            ))}
          </fieldset>
          <TechnicianPhotoField profile={profile} />
          {error && (
            <p className="form-error" role="alert">
              {t(problemKey(error))}
            </p>
          )}
          <div className="actions">
            <button type="button" className="button button-ghost" onClick={() => setOpen(false)}>
              {t('dialog.back')}
            </button>
            <button
              type="submit"
              className="button button-primary"
              disabled={saving}
              data-testid="save-profile"
            >
              {saving && <Spinner small />}
              {saving ? t('common.saving') : t('common.save')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
