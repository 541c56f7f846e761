import type { BookingStatus } from '../../../../server/contracts/booking';
import { useT } from '../../i18n/I18nProvider';
import { statusTone } from './status';

export function StatusChip({ status }: { status: BookingStatus }) {
  const t = useT();
  return (
    <span className={`status-chip status-${statusTone(status)}`} data-status={status}>
      {t(`status.${status}`)}
    </span>
  );
}
