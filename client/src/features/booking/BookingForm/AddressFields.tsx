import { useId } from 'react';
import { TextField } from '../../../components/TextField';
import { useI18n } from '../../../i18n/I18nProvider';
import type { Field } from './fields';

/** The address, its details (floor, gate…) and notes for the technician: read from the form on submit. */
export function AddressFields({
  fieldError,
  clearError,
}: {
  fieldError: (field: Field) => string | undefined;
  clearError: (field: Field) => void;
}) {
  const { t } = useI18n();
  const id = useId();
  return (
    <>
      <TextField
        name="address"
        label={t('book.address')}
        hint={t('book.addressHint')}
        autoComplete="street-address"
        required
        minLength={3}
        maxLength={300}
        error={fieldError('address')}
        onChange={() => clearError('address')}
      />
      <TextField
        name="addressDetails"
        label={t('book.addressDetails')}
        hint={t('book.addressDetailsHint')}
        maxLength={300}
        error={fieldError('addressDetails')}
      />
      <div className="field">
        <label htmlFor={`${id}-notes`}>{t('book.notes')}</label>
        <p id={`${id}-notes-hint`} className="field-hint">
          {t('book.notesHint')}
        </p>
        <textarea
          id={`${id}-notes`}
          name="notes"
          rows={3}
          maxLength={1000}
          aria-describedby={`${id}-notes-hint`}
          aria-invalid={fieldError('notes') ? true : undefined}
        />
        {fieldError('notes') && <p className="field-error">{fieldError('notes')}</p>}
      </div>
    </>
  );
}
