'use client';

import { useRouter } from 'next/navigation';
import type { Locale } from '../_i18n/messages';
import { JsonForm, type JsonFormProps } from './json-form';
import { explainTaskConflict } from './task-conflict';
import { describeFailure, ExplainedFailure, trpc } from './trpc';

/** What submitting the form does: complete a task, or start a process with the data. */
export type FormCommand =
  | {
      kind: 'completeTask';
      taskId: string;
      /** The task version the page showed: a task reassigned since is a conflict. */ version?: number;
    }
  | { kind: 'startProcess'; definitionKey: string };

/** A form wired to its server command; goes where the user continues once it succeeds. */
export function CommandForm({
  command,
  form,
  locale,
  submitLabel,
  initialData,
}: { command: FormCommand; locale: Locale } & Pick<JsonFormProps, 'form' | 'submitLabel' | 'initialData'>) {
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
          const result = await trpc.task.complete
            .mutate({
              id: command.taskId,
              data,
              ...(command.version === undefined ? {} : { version: command.version }),
            })
            .catch(async (error: unknown) => {
              // Done in another tab, by a colleague, or changed hands: say so from the task as it is now, in the reader's words.
              if (describeFailure(error).code !== 'CONFLICT') throw error;
              const now = await trpc.task.get.query({ id: command.taskId }).catch(() => null);
              // Still open as the page showed it: the conflict was something else (a retryable clash), said as the server said it.
              if (now && now.status === 'open' && now.version === command.version) throw error;
              throw new ExplainedFailure(explainTaskConflict(now, locale));
            });
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
