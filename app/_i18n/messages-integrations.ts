/**
 * The admin pages for integrations (API keys) and their procedures, in English and Vietnamese. Merged into messages.ts (every key exists in both, checked by the type).
 */
export const integrationsEn = {} as const;

export const integrationsVi: Record<keyof typeof integrationsEn, string> = {};
