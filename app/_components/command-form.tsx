'use client';

import { useRouter } from 'next/navigation';
import type { Locale } from '../_i18n/messages';
import { JsonForm, type JsonFormProps } from './json-form';
import { trpc } from './trpc';

/** What submitting the form does: complete a task, or start a process with the data. */
export type FormCommand = { kind: 'completeTask'; taskId: string; /** The task version the page showed: a task reassigned since is a conflict. */ version?: number } | { kind: 'startProcess'; definitionKey: string };

/** A form wired to its server command; goes where the user continues once it succeeds. */
export function CommandForm({ command, form, locale, submitLabel, initialData }: { command: FormCommand; locale: Locale } & Pick<JsonFormProps, 'form' | 'submitLabel' | 'initialData'>) {
  const router = useRouter();
  return (
    <JsonForm
      form={form}
      locale={locale}
      submitLabel={submitLabel}
      {...(initialData ? { initialData } : {})}
      uploads={command.kind === 'completeTask' ? { taskId: command.taskId } : { definitionKey: command.definitionKey }}
      onSubmit={async (data) => {
        if (command.kind === 'completeTask') {
          const result = await trpc.task.complete.mutate({ id: command.taskId, data, ...(command.version === undefined ? {} : { version: command.version }) });
          router.push(`/inbox?done=${command.taskId}&instance=${result.instanceId}`);
        } else {
          const result = await trpc.instance.start.mutate({ definitionKey: command.definitionKey, variables: data });
          router.push(`/instances/${result.id}`);
        }
        router.refresh();
      }}
    />
  );
}
