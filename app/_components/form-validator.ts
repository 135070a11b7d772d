/**
 * The validator RJSF checks forms with in the browser: its ajv with the server's regular-expression
 * engine, so a field `pattern` runs in linear time here too (a hostile pattern cannot freeze the
 * page) and means what the server checks (app/server/forms.ts).
 */
import { customizeValidator } from '@rjsf/validator-ajv8';
import { isRunnablePattern, re2PatternEngine } from '@/engine/forms/patterns';

export const formValidator = customizeValidator({
  ajvOptionsOverrides: { code: { regExp: re2PatternEngine() } },
  customFormats: { regex: isRunnablePattern },
});
