/**
 * A connector setting a designer must fix, named. Thrown by the settings readers the server's
 * connectors run on a job's evaluated settings and the designer runs on the literal ones as they
 * are typed: one rule, two callers. The server turns it into its connector's INVALID_SETTINGS
 * failure; the designer shows it under the field.
 */
export class ConnectorSettingsError extends Error {
  override readonly name = 'ConnectorSettingsError';
  readonly code = 'INVALID_SETTINGS';
  /** The setting at fault (`to`, `url`…), or null when the settings as a whole are (unknown names). */
  readonly setting: string | null;
  constructor(setting: string | null, message: string) {
    super(message);
    this.setting = setting;
  }
}

export function isSettingsError(error: unknown): error is ConnectorSettingsError {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === 'INVALID_SETTINGS' &&
    error.name === 'ConnectorSettingsError'
  );
}
