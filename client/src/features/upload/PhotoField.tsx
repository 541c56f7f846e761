import './upload.css';
import { useEffect, useId, useRef, useState } from 'react';
import type { StoredUpload } from '../../../../server/contracts/upload';
import { Avatar } from '../../components/Avatar';
import { useI18n } from '../../i18n/I18nProvider';
import { UploadStatus } from './UploadStatus';
import { useUpload } from './useUpload';

/**
 * A profile photo picker: the current photo (or initials), a button that opens the phone's gallery or
 * camera, a preview of the chosen photo at once, and progress while it goes up. `attach` makes the stored
 * upload the person's photo.
 */
export function PhotoField({
  name,
  photoUrl,
  attach,
  testId,
}: {
  name: string;
  photoUrl: string | null;
  attach: (stored: StoredUpload) => Promise<unknown>;
  testId?: string;
}) {
  const { t } = useI18n();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const upload = useUpload('profile_photo', attach);

  // The preview's object URL is released when replaced or unmounted.
  useEffect(() => () => void (preview && URL.revokeObjectURL(preview)), [preview]);
  // Once saved, the real photo (from the server) replaces the preview.
  useEffect(() => {
    if (upload.state.phase === 'idle' && file) {
      setFile(null);
      setPreview(null);
    }
  }, [upload.state.phase, file]);

  const choose = (chosen: File | undefined) => {
    if (!chosen) return;
    setFile(chosen);
    setPreview(URL.createObjectURL(chosen));
    void upload.start(chosen);
  };

  return (
    <div className="field photo-field" data-testid={testId}>
      <span className="photo-field-label" id={`${id}-label`}>
        {t('upload.photo.label')}
      </span>
      <div className="photo-field-row">
        {preview ? (
          <img
            className="avatar"
            src={preview}
            alt=""
            width={72}
            height={72}
            style={{ inlineSize: 72, blockSize: 72 }}
          />
        ) : (
          <Avatar name={name} photoUrl={photoUrl} size={72} />
        )}
        <div className="photo-field-actions">
          <input
            ref={input}
            id={`${id}-file`}
            className="visually-hidden file-input"
            type="file"
            accept="image/jpeg,image/png,image/webp,image/*"
            aria-describedby={`${id}-hint`}
            disabled={upload.busy}
            onChange={(event) => {
              choose(event.currentTarget.files?.[0]);
              // The same file can be chosen again after an error.
              event.currentTarget.value = '';
            }}
          />
          <label
            className={`button button-secondary${upload.busy ? ' is-disabled' : ''}`}
            htmlFor={`${id}-file`}
          >
            {photoUrl || preview ? t('upload.photo.change') : t('upload.photo.choose')}
          </label>
          {upload.state.phase === 'error' && file && (
            <button type="button" className="button button-ghost" onClick={() => void upload.start(file)}>
              {t('common.retry')}
            </button>
          )}
        </div>
      </div>
      <p className="field-hint" id={`${id}-hint`}>
        {t('upload.photo.hint')}
      </p>
      <UploadStatus state={upload.state} />
    </div>
  );
}
