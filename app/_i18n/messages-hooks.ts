/**
 * Inbound webhooks (POST /api/v1/hooks/…): their management and the answers a sender gets, in English and Vietnamese. Merged into messages.ts (every key exists in both, checked by the type).
 */
export const hooksEn = {} as const;

export const hooksVi: Record<keyof typeof hooksEn, string> = {};
