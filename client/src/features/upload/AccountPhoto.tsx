import { useCallback } from 'react';
import type { StoredUpload } from '../../../../server/contracts/upload';
import { trpc } from '../../lib/trpc';
import { PhotoField } from './PhotoField';

/** A customer's (or anyone's) own photo, set by upload (upload.setProfilePhoto). */
export function AccountPhoto({ name }: { name: string }) {
  const utils = trpc.useUtils();
  const current = trpc.upload.profilePhoto.useQuery(undefined, { staleTime: 5 * 60_000 });
  const setPhoto = trpc.upload.setProfilePhoto.useMutation({
    onSuccess: (photo) => utils.upload.profilePhoto.setData(undefined, photo),
  });
  const attach = useCallback(
    (stored: StoredUpload) => setPhoto.mutateAsync({ uploadId: stored.uploadId }),
    [setPhoto.mutateAsync],
  );
  return (
    <PhotoField name={name} photoUrl={current.data?.url ?? null} attach={attach} testId="account-photo" />
  );
}
