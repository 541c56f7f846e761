import { type AreaRejectionReason, areaRejectionReasons } from '../../../../server/contracts/area';
import type { MessageKey } from '../../i18n/en';
import type { ApiProblem } from '../../lib/apiErrors';

const REASON_KEYS: Record<AreaRejectionReason, MessageKey> = {
  invalid: 'areas.reason.invalid',
  outside: 'areas.reason.outside',
  zone: 'areas.reason.zone',
  too_large: 'areas.reason.too_large',
};

/**
 * The words for a refused `technician.setAreas`: from the server's reason code (`details.reason`), in the
 * user's language; never the server's English message. Other problems: the generic message of their code.
 */
export function areaProblemKey(problem: ApiProblem): MessageKey {
  const reason = problem.details?.reason;
  if (problem.code === 'VALIDATION' && areaRejectionReasons.some((r) => r === reason))
    return REASON_KEYS[reason as AreaRejectionReason];
  return `errors.${problem.code}`;
}
