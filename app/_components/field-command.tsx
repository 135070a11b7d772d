'use client';

/**
 * A form's command whose refusals name its fields (the server's `fields`): each is shown beside the
 * field it names, with the field's label, and the form's one line says only the rest — or the
 * server's message when no field is named. What the form checks itself goes in the same place.
 */
import { useState } from 'react';
import { useCommand } from './command';

/** useCommand, plus the refusal of each of `fields` (by name) to show beside it. */
export function useFieldCommand<F extends string>(fields: readonly F[]) {
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<F, string>>>({});
  const command = useCommand((failure) => {
    const named: Partial<Record<F, string>> = {};
    const other: string[] = [];
    for (const f of failure.fields) {
      if ((fields as readonly string[]).includes(f.field)) named[f.field as F] = f.message;
      else other.push(`${f.label}: ${f.message}`);
    }
    setFieldErrors(named);
    return failure.fields.length === 0 ? failure.message : other.length > 0 ? other.join(' ') : null;
  });
  return { ...command, fieldErrors, setFieldErrors };
}

/** A field's refusal, under it: its label, then what is wrong (`id` for the field's aria-describedby). */
export function FieldError({
  id,
  field,
  label,
  error,
}: {
  id: string;
  field: string;
  label: string;
  error: string | undefined;
}) {
  if (!error) return null;
  return (
    <div id={id} role="alert" className="field-error" data-field={field}>
      <strong>{label}:</strong> {error}
    </div>
  );
}
