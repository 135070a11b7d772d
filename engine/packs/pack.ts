/**
 * Template packs: a department's set of ready processes as one data file — a manifest (key, names
 * in English and Vietnamese, a semver version, the department, the departments and roles it
 * expects, its processes, forms and decision tables, a changelog) and the files of its processes
 * (`<process>/process.json`, `<process>/forms/*.form.json`, decision tables beside the process as
 * `.dmn` or `.decisions.json`, a README and scenarios), each as text under its relative path.
 *
 * A pack is data: reading one never runs anything from it. Everything is checked before anything
 * is returned — sizes, paths (no `..`, no absolute or hidden paths), XML without DOCTYPE or
 * entities, JSON depth, every definition, form and table, and that each department a process names
 * is one the manifest declares — and every problem is reported by file (and element), so an import
 * takes all of a pack or nothing. Pure: the CLI and the server read files; this reads text.
 */
import { z } from 'zod';
import { importDmn } from '../decisions/dmn';
import { decisionSchema, type Decision } from '../decisions/model';
import { assertSafeXml } from '../bpmn/safe-xml';
import { formDefinitionSchema, type FormDefinition } from '../forms/form';
import { keySchema, localizedTextSchema, type ProcessDefinition } from '../model/definition';
import { flatten } from '../model/scopes';
import { validateDefinition } from '../validate/validate';
import { formKeysOf } from '../validate/variables';

export const PACK_FORMAT = 'trellis-pack';

export interface PackLimits {
  /** The whole pack file, in characters. */
  maxPackChars: number;
  /** One file inside it, in characters. */
  maxFileChars: number;
  maxFiles: number;
  /** Nesting of arrays and objects in any JSON inside (and of the pack itself). */
  maxJsonDepth: number;
}
export const DEFAULT_PACK_LIMITS: PackLimits = {
  maxPackChars: 10_000_000,
  maxFileChars: 1_000_000,
  maxFiles: 500,
  maxJsonDepth: 64,
};

const semver = z
  .string()
  .regex(/^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/, 'must be a version like 1.2.0 (major.minor.patch)');
const names = z.strictObject({ en: z.string().min(1).max(200), vi: z.string().min(1).max(200) });
/** What a version changed, in both languages: a paragraph, not a name. */
const changes = z.strictObject({ en: z.string().min(1).max(2_000), vi: z.string().min(1).max(2_000) });

export const packManifestSchema = z.strictObject({
  key: keySchema,
  name: names,
  version: semver,
  /** The department the pack is for (its processes' home). */
  department: keySchema,
  description: localizedTextSchema.optional(),
  /** The departments its processes name (candidate groups, who may start or send), with the roles they need there. */
  departments: z
    .array(
      z.strictObject({
        key: keySchema,
        name: names,
        roles: z
          .array(z.enum(['member', 'manager']))
          .max(2)
          .default(['member']),
      }),
    )
    .max(50),
  /** Process keys; each is the folder `<key>/` with its `process.json`. */
  processes: z.array(keySchema).min(1).max(100),
  forms: z.array(keySchema).max(500).default([]),
  decisions: z.array(z.string().min(1).max(200)).max(500).default([]),
  changelog: z
    .array(z.strictObject({ version: semver, changes }))
    .max(500)
    .default([]),
});
export type PackManifest = z.infer<typeof packManifestSchema>;

const packFileSchema = z.strictObject({
  format: z.literal(PACK_FORMAT),
  formatVersion: z.literal(1),
  manifest: z.unknown(),
  files: z.record(z.string(), z.string()),
});

export interface PackTemplate {
  key: string;
  definition: ProcessDefinition;
  forms: FormDefinition[];
  decisions: Decision[];
  readme: string | null;
  /** Scenario files by name, as JSON (trellis test runs them). */
  scenarios: Record<string, unknown>;
}

export interface ReadPack {
  manifest: PackManifest;
  templates: PackTemplate[];
}

export interface PackProblem {
  /** The file inside the pack (or "(pack)" for the pack itself, "pack.json" for its manifest). */
  file: string;
  element?: string;
  message: string;
}

export class PackError extends Error {
  override readonly name = 'PackError';
  constructor(readonly problems: PackProblem[]) {
    super(
      `The pack cannot be read: ${problems.map((p) => `${p.file}${p.element ? ` (${p.element})` : ''}: ${p.message}`).join('; ')}`,
    );
  }
}

/** A path a pack may hold: up to four segments of letters, digits, ".", "-" and "_", none hidden or `..`, ending in a kind of file packs carry. */
const PATH = /^[a-z0-9][a-z0-9._-]{0,99}(\/[a-z0-9][a-z0-9._-]{0,99}){0,3}$/i;
const KINDS = ['.json', '.md', '.dmn'];

/** Whether JSON text nests arrays and objects deeper than `max` (a linear scan; strings skipped). */
export function jsonTooDeep(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** The department keys and roles a definition names: task candidates, who may start it, who may send its messages and signals. */
export function departmentsOf(
  definition: ProcessDefinition,
): { key: string; role: 'member' | 'manager'; element?: string }[] {
  const found: { key: string; role: 'member' | 'manager'; element?: string }[] = [];
  for (const key of definition.startableBy?.groups ?? []) found.push({ key, role: 'member' });
  for (const element of flatten(definition).elements) {
    const e = element as unknown as {
      id: string;
      type: string;
      candidateGroups?: unknown;
      candidateRole?: 'member' | 'manager';
      event?: { sendableBy?: { groups?: string[] } };
      message?: { sendableBy?: { groups?: string[] } };
    };
    if (e.type === 'userTask' && Array.isArray(e.candidateGroups))
      for (const key of e.candidateGroups as string[])
        found.push({ key, role: e.candidateRole ?? 'member', element: e.id });
    for (const key of e.event?.sendableBy?.groups ?? []) found.push({ key, role: 'member', element: e.id });
    if (e.type === 'receiveTask')
      for (const key of e.message?.sendableBy?.groups ?? []) found.push({ key, role: 'member', element: e.id });
  }
  return found;
}

/**
 * Reads and checks a pack file's text: all of it, or a PackError listing every problem by file.
 * Nothing in it runs; decision tables in DMN are parsed only after the XML is found safe.
 */
export async function readPack(text: string, limits: PackLimits = DEFAULT_PACK_LIMITS): Promise<ReadPack> {
  const fail = (problems: PackProblem[]): never => {
    throw new PackError(problems);
  };
  if (text.length > limits.maxPackChars)
    fail([{ file: '(pack)', message: `the pack is ${text.length} characters; the limit is ${limits.maxPackChars}` }]);
  if (jsonTooDeep(text, limits.maxJsonDepth))
    fail([{ file: '(pack)', message: `the pack nests its data more than ${limits.maxJsonDepth} levels deep` }]);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    fail([{ file: '(pack)', message: `not JSON: ${(error as Error).message}` }]);
  }
  const shape = packFileSchema.safeParse(raw);
  if (!shape.success)
    fail(
      shape.error.issues.map((i) => ({
        file: '(pack)',
        message: `${i.path.join('.') || '(root)'}: ${i.message} (a pack is { "format": "${PACK_FORMAT}", "formatVersion": 1, "manifest", "files" })`,
      })),
    );
  const { manifest: rawManifest, files } = shape.data!;
  const problems: PackProblem[] = [];
  const paths = Object.keys(files);
  if (paths.length > limits.maxFiles)
    fail([{ file: '(pack)', message: `the pack holds ${paths.length} files; the limit is ${limits.maxFiles}` }]);
  for (const file of paths) {
    const content = files[file]!;
    if (!PATH.test(file) || file.split('/').some((s) => s === '..' || s === '.'))
      problems.push({
        file,
        message:
          'is not a path a pack may hold (letters, digits, ".", "-" and "_", at most four folders deep, nothing hidden, no "..")',
      });
    else if (!KINDS.some((k) => file.endsWith(k)))
      problems.push({ file, message: `is not a kind of file a pack carries (${KINDS.join(', ')})` });
    else if (content.length > limits.maxFileChars)
      problems.push({ file, message: `is ${content.length} characters; the limit is ${limits.maxFileChars}` });
    else if (file.endsWith('.dmn')) {
      try {
        assertSafeXml(content);
      } catch (error) {
        problems.push({ file, message: (error as Error).message });
      }
    } else if (file.endsWith('.json') && jsonTooDeep(content, limits.maxJsonDepth))
      problems.push({ file, message: `nests its data more than ${limits.maxJsonDepth} levels deep` });
  }
  if (problems.length > 0) fail(problems);

  const manifestCheck = packManifestSchema.safeParse(rawManifest);
  if (!manifestCheck.success)
    fail(
      manifestCheck.error.issues.map((i) => ({
        file: 'pack.json',
        message: `${i.path.join('.') || '(root)'}: ${i.message}`,
      })),
    );
  const manifest = manifestCheck.data!;
  const json = (file: string): unknown => {
    try {
      return JSON.parse(files[file]!);
    } catch (error) {
      problems.push({ file, message: `not JSON: ${(error as Error).message}` });
      return undefined;
    }
  };
  const declared = new Map(manifest.departments.map((d) => [d.key, d]));
  const templates: PackTemplate[] = [];
  const formKeys = new Set<string>();
  const decisionIds = new Set<string>();
  for (const key of manifest.processes) {
    const processFile = `${key}/process.json`;
    if (!(processFile in files)) {
      problems.push({
        file: processFile,
        message: `the manifest lists process "${key}", whose process.json the pack does not have`,
      });
      continue;
    }
    const inFolder = paths.filter((p) => p.startsWith(`${key}/`));
    const decisions: Decision[] = [];
    for (const file of inFolder.filter(
      (p) => p.split('/').length === 2 && (p.endsWith('.dmn') || p.endsWith('.decisions.json')),
    )) {
      if (file.endsWith('.dmn')) {
        try {
          decisions.push(...(await importDmn(files[file]!)));
        } catch (error) {
          problems.push({ file, message: (error as Error).message });
        }
      } else {
        const list = json(file);
        for (const [i, d] of (Array.isArray(list) ? list : [list]).entries()) {
          const parsed = decisionSchema.safeParse(d);
          if (parsed.success) decisions.push(parsed.data);
          else
            problems.push({
              file,
              element: `decision #${i + 1}`,
              message: `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`,
            });
        }
      }
    }
    const forms: FormDefinition[] = [];
    for (const file of inFolder.filter((p) => p.startsWith(`${key}/forms/`) && p.endsWith('.form.json'))) {
      const parsed = formDefinitionSchema.safeParse(json(file));
      if (parsed.success) forms.push(parsed.data);
      else
        problems.push({
          file,
          message: `not a form: ${parsed.error.issues[0]!.path.join('.') || '(root)'}: ${parsed.error.issues[0]!.message}`,
        });
    }
    const validation = validateDefinition(json(processFile), { decisions, publishing: true });
    if (!validation.ok) {
      for (const d of validation.diagnostics)
        problems.push({ file: processFile, ...(d.elementId ? { element: d.elementId } : {}), message: d.message });
      continue;
    }
    const definition = validation.definition;
    if (definition.key !== key)
      problems.push({
        file: processFile,
        message: `has key "${definition.key}"; its folder and the manifest say "${key}"`,
      });
    for (const used of formKeysOf(definition))
      if (!forms.some((f) => f.key === used))
        problems.push({ file: processFile, message: `uses form "${used}", which ${key}/forms/ does not have` });
    // Departments named by an expression cannot be mapped to the importing company's own.
    for (const e of flatten(definition).elements) {
      if (e.type === 'userTask' && typeof e.candidateGroups === 'string')
        problems.push({
          file: processFile,
          element: e.id,
          message:
            "names its departments by an expression: a pack's processes list their departments, so that importing can map them to the company's own",
        });
    }
    for (const named of departmentsOf(definition)) {
      const department = declared.get(named.key);
      if (!department)
        problems.push({
          file: processFile,
          ...(named.element ? { element: named.element } : {}),
          message: `names department "${named.key}", which the manifest does not declare`,
        });
      else if (!department.roles.includes(named.role))
        problems.push({
          file: processFile,
          ...(named.element ? { element: named.element } : {}),
          message: `needs the ${named.role}s of "${named.key}", a role the manifest does not declare for it`,
        });
    }
    const readme = files[`${key}/README.md`] ?? null;
    const scenarios: Record<string, unknown> = {};
    for (const file of inFolder.filter((p) => p.endsWith('.scenario.json')))
      scenarios[file.slice(key.length + 1)] = json(file);
    for (const f of forms) formKeys.add(f.key);
    for (const d of decisions) decisionIds.add(d.id);
    templates.push({ key, definition, forms, decisions, readme, scenarios });
  }
  for (const form of manifest.forms)
    if (!formKeys.has(form))
      problems.push({ file: 'pack.json', message: `lists form "${form}", which no process folder has` });
  for (const id of manifest.decisions)
    if (!decisionIds.has(id))
      problems.push({ file: 'pack.json', message: `lists decision table "${id}", which no process folder has` });
  const listed = new Set(manifest.processes);
  for (const file of paths)
    if (!listed.has(file.split('/')[0]!) && file !== 'README.md' && file !== 'CHANGELOG.md')
      problems.push({ file, message: 'belongs to no process the manifest lists' });
  if (problems.length > 0) fail(problems);
  return { manifest, templates };
}

/** A pack file's content for a manifest and its files (checked by reading it back). */
export async function buildPack(
  manifest: unknown,
  files: Record<string, string>,
  limits: PackLimits = DEFAULT_PACK_LIMITS,
): Promise<{ text: string; pack: ReadPack }> {
  const text = JSON.stringify({ format: PACK_FORMAT, formatVersion: 1, manifest, files }, null, 1);
  return { text, pack: await readPack(text, limits) };
}

/**
 * The definition with its department keys renamed as a company maps them (template key → the
 * company's key): task candidates, who may start it, who may send its messages and signals — in
 * subprocesses too. Keys the map does not name stay. A new object; the input is not changed.
 */
export function mapDepartments(
  definition: ProcessDefinition,
  map: Readonly<Record<string, string>>,
): ProcessDefinition {
  const rename = (key: string) => (Object.hasOwn(map, key) ? map[key]! : key);
  const groups = (list: unknown) =>
    Array.isArray(list) ? list.map((k) => (typeof k === 'string' ? rename(k) : k)) : list;
  const element = (e: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...e };
    if (Array.isArray(e.candidateGroups)) out.candidateGroups = groups(e.candidateGroups);
    const event = e.event as Record<string, unknown> | undefined;
    const sendableBy = event?.sendableBy as Record<string, unknown> | undefined;
    if (event && sendableBy?.groups)
      out.event = { ...event, sendableBy: { ...sendableBy, groups: groups(sendableBy.groups) } };
    const message = e.type === 'receiveTask' ? (e.message as Record<string, unknown> | undefined) : undefined;
    const receivable = message?.sendableBy as Record<string, unknown> | undefined;
    if (message && receivable?.groups)
      out.message = { ...message, sendableBy: { ...receivable, groups: groups(receivable.groups) } };
    if (Array.isArray(e.elements)) out.elements = (e.elements as Record<string, unknown>[]).map(element);
    return out;
  };
  const mapped = {
    ...definition,
    elements: (definition.elements as unknown as Record<string, unknown>[]).map(element),
  } as unknown as ProcessDefinition;
  if (definition.startableBy?.groups)
    mapped.startableBy = { ...definition.startableBy, groups: definition.startableBy.groups.map(rename) };
  return mapped;
}
