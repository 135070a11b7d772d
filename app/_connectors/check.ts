/**
 * The designer's and the publisher's check of a service task's connector settings, as stored in
 * the definition: literal text or `=FEEL`. A literal value goes through the very reader the
 * worker runs on the job (http-settings.ts, email-settings.ts); a FEEL value through the
 * engine's FEEL checker, its value being known only when the job runs. Pure: the designer runs it
 * in the browser as a setting is typed, the server again before it publishes.
 */
import { z } from 'zod';
import { checkExpression } from '@/engine/expressions/feel';
import type { Diagnostic } from '@/engine/validate/diagnostic';
import { EMAIL_REQUIRED, EMAIL_SETTING_READERS, EMAIL_SETTINGS } from './email-settings';
import {
  checkMethodTakesBody,
  HTTP_REQUIRED,
  HTTP_SETTING_READERS,
  HTTP_SETTINGS,
  type HttpMethod,
} from './http-settings';
import { isSettingsError } from './settings-error';

/** The connectors Trellis ships, by the task type a service task names, with their settings in the order the panel shows them. */
export const CONNECTORS = {
  http: {
    settings: HTTP_SETTINGS,
    required: HTTP_REQUIRED as readonly string[],
    readers: HTTP_SETTING_READERS as Record<string, (value: unknown) => unknown>,
  },
  email: {
    settings: EMAIL_SETTINGS,
    required: EMAIL_REQUIRED as readonly string[],
    readers: EMAIL_SETTING_READERS as Record<string, (value: unknown) => unknown>,
  },
} as const;
export type ConnectorType = keyof typeof CONNECTORS;

export function isConnector(taskType: string | undefined | null): taskType is ConnectorType {
  return taskType === 'http' || taskType === 'email';
}

export interface SettingProblem {
  /** The setting at fault, or null for the settings as a whole. */
  setting: string | null;
  message: string;
}

/** What is wrong with a connector task's settings, per setting (empty: nothing). Other task types are workers' business: nothing to check. */
export function checkConnectorSettings(
  taskType: string | undefined | null,
  settings: Readonly<Record<string, string>>,
): SettingProblem[] {
  if (!isConnector(taskType)) return [];
  const connector = CONNECTORS[taskType];
  const problems: SettingProblem[] = [];
  const known: readonly string[] = connector.settings;
  for (const name of Object.keys(settings)) {
    if (!known.includes(name))
      problems.push({
        setting: name,
        message: `Unknown setting "${name}" on an ${taskType} task; the settings are ${known.join(', ')}.`,
      });
  }
  const given = (name: string) => settings[name] !== undefined && settings[name] !== '';
  for (const name of known) {
    const value = settings[name];
    const reader = connector.readers[name]!;
    if (!given(name)) {
      // A setting it cannot go without: the reader's own message for a missing value.
      if (connector.required.includes(name)) problems.push(...read(name, () => reader(undefined)));
      continue;
    }
    if (value!.startsWith('=')) {
      const problem = checkExpression(value!.slice(1));
      if (problem)
        problems.push({ setting: name, message: `The ${name} setting is not valid FEEL: ${problem.message}` });
    } else problems.push(...read(name, () => reader(value)));
  }
  // Settings read together: a literal method (or none, GET) with a body, by the reader's own rule.
  // (A method that does not read is reported on its own above.)
  if (
    taskType === 'http' &&
    given('body') &&
    !settings.method?.startsWith('=') &&
    read('method', () => HTTP_SETTING_READERS.method(settings.method)).length === 0
  ) {
    problems.push(
      ...read('body', () => checkMethodTakesBody(HTTP_SETTING_READERS.method(settings.method) as HttpMethod)),
    );
  }
  return problems;
}

function read(name: string, run: () => unknown): SettingProblem[] {
  try {
    run();
    return [];
  } catch (error) {
    if (isSettingsError(error)) return [{ setting: error.setting ?? name, message: error.message }];
    throw error;
  }
}

type Walkable = {
  id: string;
  type: string;
  name?: unknown;
  taskType?: string;
  settings?: Record<string, string>;
  elements?: Walkable[];
};

/** The connector problems of every service task in a definition, subprocesses included, as diagnostics naming the element. */
export function connectorDiagnostics(definition: { elements: readonly Walkable[] }): Diagnostic[] {
  const found: Diagnostic[] = [];
  const walk = (elements: readonly Walkable[], depth: number) => {
    if (depth > 50) return;
    for (const element of elements) {
      if (element.type === 'serviceTask') {
        for (const problem of checkConnectorSettings(element.taskType, element.settings ?? {})) {
          found.push({
            ruleId: 'connector-settings',
            elementId: element.id,
            path: problem.setting ? `settings.${problem.setting}` : 'settings',
            severity: 'error',
            message: `Service task "${element.id}": ${problem.message}`,
          });
        }
      }
      if (Array.isArray(element.elements)) walk(element.elements, depth + 1);
    }
  };
  walk(definition.elements, 0);
  return found;
}

/**
 * The zod schema of a connector's settings form (the designer's panel, through react-hook-form):
 * every problem checkConnectorSettings finds, on the setting it names. Empty fields are absent
 * settings.
 */
export function connectorSettingsSchema(taskType: ConnectorType) {
  return z.record(z.string(), z.string()).superRefine((values, ctx) => {
    const given = Object.fromEntries(Object.entries(values).filter(([, value]) => value.trim() !== ''));
    for (const problem of checkConnectorSettings(taskType, given))
      ctx.addIssue({ code: 'custom', path: [problem.setting ?? 'settings'], message: problem.message });
  });
}
