import { type FormEvent, useCallback, useRef, useState } from 'react';
import type { MessageKey } from '../../i18n/en';
import type { ApiProblem } from '../../lib/apiErrors';

type FormErrors<F extends string> = {
  fields: Partial<Record<F, MessageKey>>;
  /** Shown in the form's alert: what went wrong overall, or a pointer to the fields. */
  general: MessageKey | null;
};

/**
 * Error state for a form whose fields each have one translated message (`fieldMessages`). Field names
 * reported by client-side or server validation are mapped onto those messages; the server's own
 * (English) wording is never shown.
 */
export function useFormErrors<F extends string>(fieldMessages: Record<F, MessageKey>) {
  const formRef = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<FormErrors<F>>({ fields: {}, general: null });

  const isField = useCallback(
    (name: string): name is F => Object.hasOwn(fieldMessages, name),
    [fieldMessages],
  );

  const showProblem = useCallback(
    (problem: ApiProblem) => {
      const invalid = problem.invalidFields.filter(isField);
      const fields: Partial<Record<F, MessageKey>> = {};
      for (const name of invalid) fields[name] = fieldMessages[name];
      const general: MessageKey =
        invalid.length > 0 || problem.code === 'VALIDATION' ? 'errors.VALIDATION' : `errors.${problem.code}`;
      setErrors({ fields, general });
      // Inputs already exist, only their error state changes: focus can move before the re-render.
      const first = invalid[0] && formRef.current?.elements.namedItem(invalid[0]);
      if (first instanceof HTMLElement) first.focus();
      else if (first instanceof RadioNodeList) (first[0] as HTMLElement | undefined)?.focus();
    },
    [fieldMessages, isField],
  );

  const clear = useCallback(() => setErrors({ fields: {}, general: null }), []);

  /** Once the user edits a field, its error is out of date. Attach as the form's onChange. */
  const onChange = useCallback(
    (event: FormEvent<HTMLFormElement>) => {
      const target = event.target;
      if (!(target instanceof HTMLInputElement || target instanceof HTMLSelectElement)) return;
      const name = target.name;
      if (!isField(name)) return;
      setErrors((current) => {
        if (!current.fields[name]) return current;
        const fields = { ...current.fields };
        delete fields[name];
        return { ...current, fields };
      });
    },
    [isField],
  );

  /**
   * Client-side validation (a zod `safeParse` result): its data, with the errors cleared, when valid;
   * otherwise null, with the invalid fields shown as the server's VALIDATION answer would show them.
   */
  const validated = useCallback(
    <T>(
      parsed:
        | { success: true; data: T }
        | { success: false; error: { issues: Array<{ path: PropertyKey[] }> } },
    ): T | null => {
      if (!parsed.success) {
        showProblem({ code: 'VALIDATION', invalidFields: parsed.error.issues.map((i) => String(i.path[0])) });
        return null;
      }
      clear();
      return parsed.data;
    },
    [showProblem, clear],
  );

  return { formRef, errors, showProblem, clear, onChange, validated };
}
