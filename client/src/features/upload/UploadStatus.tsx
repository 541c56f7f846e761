import './upload.css';
import { useI18n } from '../../i18n/I18nProvider';
import type { UploadState } from './useUpload';

/** Progress of one upload (a bar while bytes go out), or what went wrong. */
export function UploadStatus({ state }: { state: UploadState }) {
  const { t, formatNumber } = useI18n();
  if (state.phase === 'idle') return null;
  if (state.phase === 'error') {
    return (
      <p className="form-error" role="alert">
        {t(state.error)}
      </p>
    );
  }
  const label =
    state.phase === 'preparing'
      ? t('upload.preparing')
      : state.phase === 'saving'
        ? t('upload.saving')
        : t('upload.uploading', { percent: formatNumber(state.progress, { style: 'percent' }) });
  return (
    <div className="upload-status" role="status">
      <progress
        className="upload-progress"
        max={1}
        value={state.phase === 'uploading' ? state.progress : undefined}
        aria-label={label}
      />
      <span className="muted small">{label}</span>
    </div>
  );
}
