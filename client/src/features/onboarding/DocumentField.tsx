import { useId } from 'react';
import type { StoredUpload, UploadKind, UploadUrl } from '../../../../server/contracts/upload';
import { useI18n } from '../../i18n/I18nProvider';
import { UploadStatus } from '../upload/UploadStatus';
import { useUpload } from '../upload/useUpload';

/** A private document (ID side, certificate): what is there now, and upload/replace through the upload path. */
export function DocumentField({
  label,
  kind,
  current,
  attach,
  onView,
  testId,
}: {
  label: string;
  kind: Extract<UploadKind, 'id_document' | 'certificate'>;
  current: UploadUrl | null;
  attach: (stored: StoredUpload) => Promise<unknown>;
  onView?: (doc: UploadUrl, title: string) => void;
  testId: string;
}) {
  const { t } = useI18n();
  const id = useId();
  const upload = useUpload(kind, attach);
  return (
    <div className="onb-doc" data-testid={testId} data-uploaded={current ? 'yes' : 'no'}>
      <span className="onb-doc-title" id={`${id}-label`}>
        {label}
      </span>
      <DocumentThumb doc={current} title={label} onView={onView} />
      <input
        id={`${id}-file`}
        className="visually-hidden file-input"
        type="file"
        accept="image/jpeg,image/png,image/webp,application/pdf,image/*"
        aria-labelledby={`${id}-label`}
        disabled={upload.busy}
        data-testid={`${testId}-file`}
        onChange={(event) => {
          const file = event.currentTarget.files?.[0];
          if (file) void upload.start(file);
          event.currentTarget.value = '';
        }}
      />
      <label className={`button button-secondary${upload.busy ? ' is-disabled' : ''}`} htmlFor={`${id}-file`}>
        {current ? t('onboarding.doc.replace') : t('onboarding.doc.upload')}
      </label>
      <UploadStatus state={upload.state} />
    </div>
  );
}

/** A document's thumbnail (images) or a PDF tile; a button to open it in the viewer when there is one. */
export function DocumentThumb({
  doc,
  title,
  onView,
}: {
  doc: UploadUrl | null;
  title: string;
  onView?: ((doc: UploadUrl, title: string) => void) | undefined;
}) {
  const { t } = useI18n();
  if (!doc) return <span className="onb-doc-thumb">{t('onboarding.doc.missing')}</span>;
  const inner = doc.contentType.startsWith('image/') ? (
    <img src={doc.url} alt={title} loading="lazy" />
  ) : (
    <span>{t('onboarding.doc.pdf')}</span>
  );
  if (!onView) return <span className="onb-doc-thumb">{inner}</span>;
  return (
    <button
      type="button"
      className="onb-doc-thumb"
      aria-label={`${t('onboarding.doc.view')}: ${title}`}
      onClick={() => onView(doc, title)}
    >
      {inner}
    </button>
  );
}
