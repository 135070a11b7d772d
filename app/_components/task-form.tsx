'use client';

import { useRouter } from 'next/navigation';
import type { Locale } from '../_i18n/messages';
import { JsonForm, type JsonFormProps } from './json-form';
import { trpc } from './trpc';

export function TaskForm({ taskId, form, locale, submitLabel }: { taskId: string } & Pick<JsonFormProps, 'form' | 'submitLabel'> & { locale: Locale }) {
  const router = useRouter();
  return (
    <JsonForm
      form={form}
      locale={locale}
      submitLabel={submitLabel}
      onSubmit={async (data) => {
        const result = await trpc.task.complete.mutate({ id: taskId, data });
        router.push(`/inbox?done=${taskId}&instance=${result.instanceId}`);
        router.refresh();
      }}
    />
  );
}

export function StartForm({ definitionKey, form, locale, submitLabel }: { definitionKey: string } & Pick<JsonFormProps, 'form' | 'submitLabel'> & { locale: Locale }) {
  const router = useRouter();
  return (
    <JsonForm
      form={form}
      locale={locale}
      submitLabel={submitLabel}
      onSubmit={async (variables) => {
        const result = await trpc.instance.start.mutate({ definitionKey, variables });
        router.push(`/instances/${result.id}`);
      }}
    />
  );
}
