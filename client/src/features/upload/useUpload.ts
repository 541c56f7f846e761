import { useCallback, useEffect, useRef, useState } from 'react';
import type { StoredUpload, UploadKind } from '../../../../server/contracts/upload';
import { uploadRules } from '../../../../server/contracts/upload';
import type { MessageKey } from '../../i18n/en';
import { toApiProblem } from '../../lib/apiErrors';
import { trpc } from '../../lib/trpc';
import { declaredType, prepareImage, sendToSlot, UploadError, type UploadErrorKind } from './send';

export type UploadState =
  | { phase: 'idle' }
  | { phase: 'preparing' }
  | { phase: 'uploading'; progress: number }
  | { phase: 'saving' }
  | { phase: 'error'; error: MessageKey };

const messages: Record<UploadErrorKind, MessageKey> = {
  type: 'upload.error.type',
  size: 'upload.error.size',
  unreadable: 'upload.error.unreadable',
  expired: 'upload.error.expired',
  network: 'upload.error.network',
  generic: 'upload.error.generic',
};

/**
 * One file through the upload path: shrink it on the phone, ask for a slot, send the bytes with progress,
 * then `attach` (set as profile photo, add to a job …). `state` drives the UI; `reset` clears an error.
 */
export function useUpload(
  kind: UploadKind,
  attach: (stored: StoredUpload) => Promise<unknown>,
  /** What to say when attaching is refused as a CONFLICT (e.g. the job is no longer in progress). */
  conflict: MessageKey = 'upload.error.state',
) {
  const utils = trpc.useUtils();
  const [state, setState] = useState<UploadState>({ phase: 'idle' });
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const start = useCallback(
    async (file: File) => {
      abort.current?.abort();
      const controller = new AbortController();
      abort.current = controller;
      const alive = () => !controller.signal.aborted;
      try {
        setState({ phase: 'preparing' });
        const blob = await prepareImage(file);
        if (blob.size > uploadRules[kind].maxBytes) throw new UploadError('size');
        const slot = await utils.client.upload.create.mutate({
          kind,
          contentType: declaredType(blob, kind),
          size: blob.size,
        });
        if (!alive()) return;
        setState({ phase: 'uploading', progress: 0 });
        const stored = await sendToSlot(
          slot,
          blob,
          (progress) => alive() && setState({ phase: 'uploading', progress }),
          controller.signal,
        );
        if (!alive()) return;
        setState({ phase: 'saving' });
        await attach(stored);
        if (alive()) setState({ phase: 'idle' });
      } catch (e) {
        if (!alive()) return;
        let error: MessageKey = 'upload.error.generic';
        if (e instanceof UploadError) error = messages[e.kind];
        else {
          const problem = toApiProblem(e);
          if (problem.code === 'NETWORK') error = 'upload.error.network';
          else if (problem.code === 'VALIDATION') error = 'upload.error.type';
          else if (problem.code === 'RATE_LIMITED') error = 'upload.error.tooMany';
          else if (problem.code === 'CONFLICT') error = conflict;
        }
        setState({ phase: 'error', error });
      }
    },
    [kind, attach, utils, conflict],
  );

  const reset = useCallback(() => {
    abort.current?.abort();
    setState({ phase: 'idle' });
  }, []);

  const busy = state.phase === 'preparing' || state.phase === 'uploading' || state.phase === 'saving';
  return { state, start, reset, busy };
}
