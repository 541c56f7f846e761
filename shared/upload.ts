/**
 * What can be uploaded, and the phases of a job's photos (issue 13 §3, §5).
 * No zod and no Node here: the database schema, the server and the PWA share these.
 */

/**
 * `profile_photo`: public (anyone may load it; cached forever under a content-addressed name).
 * `id_document`, `certificate`: private (the owner and admins, through short-lived signed URLs).
 * `job_photo`: a before/after photo of a job (the booking's customer and technician, and admins).
 */
export const uploadKinds = ['profile_photo', 'id_document', 'certificate', 'job_photo'] as const;
export type UploadKind = (typeof uploadKinds)[number];

export const jobPhotoPhases = ['before', 'after'] as const;
export type JobPhotoPhase = (typeof jobPhotoPhases)[number];
