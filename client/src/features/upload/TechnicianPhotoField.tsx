import { useCallback } from 'react';
import type { TechnicianProfile } from '../../../../server/contracts/technician';
import type { StoredUpload } from '../../../../server/contracts/upload';
import { trpc } from '../../lib/trpc';
import { PhotoField } from './PhotoField';

/** The technician's photo, set by upload (technician.setPhoto): what customers see on their booking. */
export function TechnicianPhotoField({ profile }: { profile: TechnicianProfile }) {
  const utils = trpc.useUtils();
  const setPhoto = trpc.technician.setPhoto.useMutation({
    onSuccess: (updated) => utils.technician.me.setData(undefined, updated),
  });
  const attach = useCallback(
    (stored: StoredUpload) => setPhoto.mutateAsync({ uploadId: stored.uploadId }),
    [setPhoto.mutateAsync],
  );
  return (
    <PhotoField name={profile.name} photoUrl={profile.photoUrl} attach={attach} testId="technician-photo" />
  );
}
