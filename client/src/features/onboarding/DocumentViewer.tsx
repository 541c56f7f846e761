import { useEffect, useRef, useState } from 'react';
import type { UploadUrl } from '../../../../server/contracts/upload';
import { useI18n } from '../../i18n/I18nProvider';

const STEPS = [1, 1.5, 2, 3, 4];

/**
 * A document full screen, in a modal dialog: images zoom with the buttons (or the phone's pinch; the
 * frame scrolls), PDFs open in the browser's own viewer.
 */
export function DocumentViewer({
  doc,
  title,
  onClose,
}: {
  doc: UploadUrl;
  title: string;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const [step, setStep] = useState(0);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  const zoom = STEPS[step]!;
  const image = doc.contentType.startsWith('image/');
  return (
    <dialog
      ref={dialog}
      className="doc-viewer"
      aria-label={title}
      data-testid="doc-viewer"
      onClose={onClose}
      onCancel={onClose}
    >
      <div className="doc-viewer-bar">
        <strong>{title}</strong>
        {image && (
          <span className="poly-toolbar">
            <button
              type="button"
              className="button button-secondary"
              disabled={step === 0}
              onClick={() => setStep((s) => Math.max(0, s - 1))}
            >
              {t('onboarding.viewer.zoomOut')}
            </button>
            <span aria-live="polite" className="small">
              {t('onboarding.viewer.zoom', { pct: Math.round(zoom * 100) })}
            </span>
            <button
              type="button"
              className="button button-secondary"
              disabled={step === STEPS.length - 1}
              data-testid="doc-zoom-in"
              onClick={() => setStep((s) => Math.min(STEPS.length - 1, s + 1))}
            >
              {t('onboarding.viewer.zoomIn')}
            </button>
            <button
              type="button"
              className="button button-ghost"
              disabled={step === 0}
              onClick={() => setStep(0)}
            >
              {t('onboarding.viewer.fit')}
            </button>
          </span>
        )}
        <button type="button" className="button button-ghost" onClick={onClose}>
          {t('onboarding.viewer.close')}
        </button>
      </div>
      {image ? (
        <div className="doc-viewer-frame">
          <img src={doc.url} alt={title} style={{ inlineSize: `${zoom * 100}%` }} data-zoom={zoom} />
        </div>
      ) : (
        <p className="doc-viewer-bar">
          <a className="button" href={doc.url} target="_blank" rel="noopener noreferrer">
            {t('onboarding.viewer.openPdf')}
          </a>
        </p>
      )}
    </dialog>
  );
}
