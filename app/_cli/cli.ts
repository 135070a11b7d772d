/**
 * The `trellis` command line: validate, simulate, test and list the paths of process
 * definitions without a server. The file-reading shell around engine/ (which stays pure).
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  canonicalJson,
  compile,
  decisionSchema,
  diffDefinitions,
  exportBpmn,
  importBpmn,
  importDmn,
  importFormFile,
  processDefinitionSchema,
  validateDefinition,
  type CompiledProcess,
  type Decision,
  type Diagnostic,
  type ProcessDefinition,
} from '../../engine';
import { scenarioSchema } from '../../engine/simulate/scenario';
import { simulate, type SimulationResult } from '../../engine/simulate/simulate';
import { coverage, enumeratePaths } from '../../engine/simulate/paths';
import { PackError } from '../../engine/packs/pack';
import { packFromFolder } from '../server/pack-folder';
import { runCamundaTestCaseFile } from '../../engine/simulate/camunda-test-case';

const USAGE = `usage:
  trellis validate FILE [--json] [--publishing]
  trellis simulate FILE --scenario SCENARIO.json [--with CALLED.json ...]
  trellis test [FOLDER_OR_GLOB] [--all-paths]
                                     (default: definitions/; *.scenario.json and Camunda Process Test *.test.json;
                                     prints which of each process's paths its scenarios cover; --all-paths: a path
                                     no scenario takes fails the run)
  trellis paths FILE
  trellis pack FOLDER [--out FILE]   (a department's templates, FOLDER/pack.json and its process folders, as one checked pack file)
  trellis import PACK --company SLUG [--publish] [--create-departments] [--map FROM=TO ...] [--only PROCESS ...] [--as EMAIL]
  trellis export PROCESS --pack --company SLUG [--version 1.0.0] [--out FILE]
                                     (DATABASE_URL, else the PGlite data folder: the app's database)
  trellis convert FILE --to json|bpmn [--process ID] [--relayout]
  trellis convert FILE --report [--process ID]
  trellis diff OLD NEW
  trellis worker                     (DATABASE_URL: a worker process for timers and jobs)
  trellis worker --external --job-type TYPE --handler FILE [--url URL] [--lease-seconds N] [--wait-seconds 0-60]
                                     (TRELLIS_API_KEY: works jobs of TYPE over the REST API with FILE's handler)
  trellis audit verify [--json]      (the app's database: DATABASE_URL, else the PGlite folder; stop the app first on PGlite)
FILE: a definition (.json) or BPMN 2.0 (.bpmn, .xml); convert also reads forms (.form, .html) and DMN (.dmn).`;

/** Largest definition or scenario file read. */
const MAX_FILE_BYTES = 5_000_000;

type Out = { log: (text: string) => void; error: (text: string) => void };
const console_: Out = { log: (t) => process.stdout.write(`${t}\n`), error: (t) => process.stderr.write(`${t}\n`) };

export async function main(argv: string[], out: Out = console_): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'validate':
        return await validateCommand(args, out);
      case 'simulate':
        return await simulateCommand(args, out);
      case 'test':
        return await testCommand(args, out);
      case 'paths':
        return await pathsCommand(args, out);
      case 'pack':
        return await packCommand(args, out);
      case 'import':
        return await (await import('./packs')).importCommand(args, out);
      case 'export':
        return await (await import('./packs')).exportCommand(args, out);
      case 'convert':
        return await convertCommand(args, out);
      case 'diff':
        return await diffCommand(args, out);
      case 'worker':
        // --external: works jobs over HTTP with an API key, without the database or the server's modules.
        if (args.includes('--external'))
          return await (await import('./external-worker')).externalWorkerCommand(args, out);
        return await (await import('./worker')).workerCommand(args, out);
      case 'audit':
        return await (await import('./audit')).auditCommand(args, out);
      default:
        out.error(USAGE);
        return 2;
    }
  } catch (error) {
    out.error(`trellis: ${(error as Error).message}`);
    return 2;
  }
}

function readText(file: string): string {
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  const size = statSync(file).size;
  if (size > MAX_FILE_BYTES) throw new Error(`${file} is ${size} bytes; the limit is ${MAX_FILE_BYTES}`);
  return readFileSync(file, 'utf8');
}

function readJson(file: string): unknown {
  const text = readText(file);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

const isBpmn = (file: string) => /\.(bpmn|bpmn2|xml)$/i.test(file);

/** A definition from JSON, or imported from BPMN (a draft: it may not be publishable). */
async function readDefinition(file: string, processId?: string): Promise<unknown> {
  if (!isBpmn(file)) return readJson(file);
  try {
    return (await importBpmn(readText(file), { processId })).definition;
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}: ${d.severity} [${d.ruleId}]${d.elementId ? ` ${d.elementId}` : ''}: ${d.message}`;
}

async function validateCommand(args: string[], out: Out): Promise<number> {
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) throw new Error('validate needs a FILE');
  const result = validateDefinition(await readDefinition(file), {
    decisions: await decisionsBeside(file),
    publishing: args.includes('--publishing'),
  });
  if (args.includes('--json')) out.log(JSON.stringify({ ok: result.ok, diagnostics: result.diagnostics }, null, 2));
  else if (result.diagnostics.length === 0) out.log(`${file}: valid`);
  else for (const d of result.diagnostics) out.log(formatDiagnostic(file, d));
  return result.ok ? 0 : 1;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Decision tables beside a definition: every `*.dmn` and `*.decisions.json` in its folder. */
async function decisionsBeside(definitionFile: string): Promise<Decision[]> {
  const dir = path.dirname(definitionFile);
  const decisions: Decision[] = [];
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (name.endsWith('.dmn')) {
      if (statSync(file).size > MAX_FILE_BYTES) throw new Error(`${file} is larger than ${MAX_FILE_BYTES} bytes`);
      decisions.push(
        ...(await importDmn(readFileSync(file, 'utf8')).catch((error: Error) =>
          Promise.reject(new Error(`${file}: ${error.message}`)),
        )),
      );
    } else if (name.endsWith('.decisions.json')) {
      const list = readJson(file);
      for (const [i, d] of (Array.isArray(list) ? list : [list]).entries()) {
        const parsed = decisionSchema.safeParse(d);
        if (!parsed.success)
          throw new Error(
            `${file} decision #${i + 1}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`,
          );
        decisions.push(parsed.data);
      }
    }
  }
  return decisions;
}

/** Definitions a call activity may call: other process definitions beside this one, and --with files. */
async function libraryFor(definitionFile: string, extra: string[]): Promise<Map<string, CompiledProcess>> {
  return (await libraryIn(path.dirname(definitionFile), extra, definitionFile)).library;
}

/** A folder's processes: the ones that load, by key, and every definition file that does not, with why. */
interface Library {
  library: Map<string, CompiledProcess>;
  notLoaded: { file: string; reason: string }[];
  /** JSON files in the folder that are not process definitions (left alone, but named). */
  other: string[];
}

/** Every valid process definition (JSON or BPMN) in a folder, plus `extra` files, by key. */
async function libraryIn(dir: string, extra: string[], except?: string): Promise<Library> {
  const definitionFile = except ?? '';
  const candidates = readdirSync(dir)
    .filter((n) => (n.endsWith('.json') && !/\.(scenario|form|decisions|test)\.json$/.test(n)) || isBpmn(n))
    .map((n) => path.join(dir, n))
    .filter((f) => path.resolve(f) !== path.resolve(definitionFile));
  const found: Library = { library: new Map(), notLoaded: [], other: [] };
  for (const file of [...candidates, ...extra]) {
    let data: { formatVersion?: unknown; key?: unknown; elements?: unknown };
    try {
      data = (await readDefinition(file)) as typeof data;
    } catch (error) {
      if (extra.includes(file)) throw error;
      found.notLoaded.push({ file, reason: (error as Error).message.replace(`${file}: `, '') });
      continue;
    }
    if (data?.formatVersion === undefined || typeof data.key !== 'string' || !Array.isArray(data.elements)) {
      if (extra.includes(file)) throw new Error(`${file} is not a Trellis process definition`);
      found.other.push(file);
      continue;
    }
    let decisions: Decision[];
    try {
      decisions = await decisionsBeside(file);
    } catch (error) {
      if (extra.includes(file)) throw error;
      found.notLoaded.push({ file, reason: (error as Error).message });
      continue;
    }
    const validation = validateDefinition(data, { decisions });
    if (!validation.ok) {
      // A broken neighbour matters only if it is called; one named with --with must be valid.
      if (extra.includes(file))
        throw new Error(validation.diagnostics.map((d) => formatDiagnostic(file, d)).join('\n'));
      const errors = validation.diagnostics.filter((d) => d.severity === 'error');
      found.notLoaded.push({
        file,
        reason: `process "${data.key}" is not valid: ${errors.map((d) => `[${d.ruleId}]${d.elementId ? ` ${d.elementId}` : ''}: ${d.message}`).join('; ')}`,
      });
      continue;
    }
    found.library.set(data.key, compile(data, { decisions }));
  }
  return found;
}

async function runScenario(
  definitionFile: string,
  scenarioFile: string,
  extra: string[] = [],
): Promise<SimulationResult> {
  const definition = await readDefinition(definitionFile);
  const decisions = await decisionsBeside(definitionFile);
  const validation = validateDefinition(definition, { decisions });
  if (!validation.ok)
    throw new Error(validation.diagnostics.map((d) => formatDiagnostic(definitionFile, d)).join('\n'));
  const parsed = scenarioSchema.safeParse(readJson(scenarioFile));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${scenarioFile}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return simulate(compile(definition, { decisions }), parsed.data, {
    library: await libraryFor(definitionFile, extra),
  });
}

function printable(result: SimulationResult) {
  const { status, path: p, active, variables, incidents } = result;
  return { status, path: p, active, variables, incidents };
}

async function simulateCommand(args: string[], out: Out): Promise<number> {
  const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--scenario' && args[i - 1] !== '--with');
  const scenario = option(args, '--scenario');
  if (!file || !scenario) throw new Error('simulate needs FILE and --scenario SCENARIO.json');
  const withFiles = args.flatMap((a, i) => (args[i - 1] === '--with' ? [a] : []));
  const result = await runScenario(file, scenario, withFiles);
  out.log(JSON.stringify(printable(result), null, 2));
  for (const f of result.failures) out.error(f);
  return result.failures.length === 0 && result.status !== 'error' ? 0 : 1;
}

/** Every *.scenario.json under the folder (or matching the glob), with the definition it runs. */
export function findScenarios(target: string): string[] {
  return findFiles(target, '.scenario.json');
}

function findFiles(target: string, suffix: string): string[] {
  const pattern = target.includes('*') ? globToRegExp(target) : null;
  const root = pattern ? '.' : target;
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) visit(full);
      else if (name.endsWith(suffix) && (!pattern || pattern.test(path.relative('.', full)))) found.push(full);
    }
  };
  if (statSync(root).isFile()) return root.endsWith(suffix) ? [root] : [];
  visit(root);
  return found;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*\/?/g, '\u0000')
    .replace(/\*/g, '[^/]*')
    .replace(/\u0000/g, '(?:.*/)?');
  return new RegExp(`^${escaped}$`);
}

function definitionFor(scenarioFile: string): string {
  const scenario = readJson(scenarioFile) as { definition?: unknown };
  const dir = path.dirname(scenarioFile);
  return path.join(dir, typeof scenario.definition === 'string' ? scenario.definition : 'process.json');
}

async function testCommand(args: string[], out: Out): Promise<number> {
  const target = args.find((a) => !a.startsWith('--')) ?? 'definitions';
  const allPaths = args.includes('--all-paths');
  // The ways each scenario went through its process, by definition file: which of the process's paths they cover.
  const taken = new Map<string, string[][]>();
  const scenarios = findScenarios(target);
  let passed = 0;
  let failed = 0;
  // Every folder the run reads processes from is loaded once, and each file that does not load is
  // reported with its reason (and fails the run): a test never passes over a model it could not read.
  const folders = new Map<string, Library>();
  const folder = async (dir: string) => {
    const key = path.resolve(dir);
    let loaded = folders.get(key);
    if (!loaded) {
      loaded = await libraryIn(dir, []);
      folders.set(key, loaded);
      for (const { file, reason } of loaded.notLoaded) {
        failed++;
        out.log(`FAIL ${file} could not be loaded\n  ${reason}`);
      }
    }
    return loaded;
  };
  // Camunda Process Test cases (*.test.json) run against the processes in their folder.
  for (const file of findFiles(target, '.test.json')) {
    const { library, notLoaded } = await folder(path.dirname(file));
    const { errors, results } = runCamundaTestCaseFile(readJson(file), library, {
      notLoaded: notLoaded.map((n) => path.basename(n.file)),
    });
    if (errors.length > 0) {
      failed++;
      out.log(`FAIL ${file}\n  ${errors.join('\n  ')}`);
    }
    for (const r of results) {
      if (r.passed) passed++;
      else failed++;
      out.log(r.passed ? `ok   ${file} › ${r.name}` : `FAIL ${file} › ${r.name}\n  ${r.failures.join('\n  ')}`);
    }
  }
  for (const file of scenarios) {
    const definition = definitionFor(file);
    // The scenario's own definition reports its problems below; its neighbours are what a call activity may call.
    if (existsSync(definition)) {
      const loaded = await folder(path.dirname(definition));
      if (loaded.notLoaded.some((n) => path.resolve(n.file) === path.resolve(definition))) {
        failed++;
        out.log(`FAIL ${file}\n  its definition ${definition} could not be loaded (above)`);
        continue;
      }
    }
    try {
      const result = await runScenario(definition, file);
      const runs = taken.get(definition) ?? [];
      if (result.status === 'completed') runs.push(result.path);
      taken.set(definition, runs);
      if (result.failures.length === 0 && result.status !== 'error') {
        passed++;
        out.log(`ok   ${file}`);
      } else {
        failed++;
        out.log(`FAIL ${file}\n  ${result.failures.join('\n  ')}`);
      }
    } catch (error) {
      failed++;
      out.log(`FAIL ${file}\n  ${(error as Error).message}`);
    }
  }
  const uncovered = await printCoverage(taken, out);
  if (allPaths && uncovered > 0) {
    failed += uncovered;
    out.log(`FAIL ${uncovered} path(s) no scenario takes (--all-paths)`);
  }
  out.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

/**
 * The coverage table: per process with scenarios, its paths start to end (`trellis paths`) and how
 * many a completed scenario went along — the same elements, as many times each, whatever the order
 * parallel branches ran in; each path none took is listed. Returns how many are not covered.
 */
async function printCoverage(taken: Map<string, string[][]>, out: Out): Promise<number> {
  if (taken.size === 0) return 0;
  const rows: { name: string; paths: string; covered: number; missing: string[][] }[] = [];
  let uncovered = 0;
  for (const [file, runs] of [...taken].sort(([a], [b]) => a.localeCompare(b))) {
    let process;
    try {
      process = compile(await readDefinition(file), { decisions: await decisionsBeside(file) });
    } catch {
      continue; // reported above as a scenario failure
    }
    const { paths, truncated, covered } = coverage(process, runs);
    const missing = paths.filter((_, i) => !covered[i]);
    uncovered += missing.length;
    rows.push({
      name: `${process.definition.key} (${file})`,
      paths: `${paths.length}${truncated ? '+' : ''}`,
      covered: paths.length - missing.length,
      missing,
    });
  }
  const width = Math.max(7, ...rows.map((r) => r.name.length));
  out.log(`\n${'process'.padEnd(width)}  paths  covered`);
  for (const r of rows) {
    out.log(`${r.name.padEnd(width)}  ${r.paths.padStart(5)}  ${String(r.covered).padStart(7)}`);
    for (const m of r.missing) out.log(`  not covered: ${m.join(' → ')}`);
  }
  out.log('');
  return uncovered;
}

/**
 * Builds a department's pack: FOLDER/pack.json is the manifest; every file a pack carries under
 * the process folders (and a README.md or CHANGELOG.md beside the manifest) goes in by its relative
 * path. The pack is read back with every check an import makes: a problem fails with the file named.
 */
async function packCommand(args: string[], out: Out): Promise<number> {
  const folder = args.find((a) => !a.startsWith('--'));
  if (!folder) throw new Error('pack needs a FOLDER holding pack.json');
  const at = args.indexOf('--out');
  try {
    const { text, pack, files } = await packFromFolder(folder);
    const target =
      at !== -1 && args[at + 1] ? args[at + 1]! : `${pack.manifest.key}-${pack.manifest.version}.trellis-pack.json`;
    writeFileSync(target, text);
    const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : one.endsWith('s') ? 'es' : 's'}`;
    out.log(
      `Packed ${pack.manifest.key} ${pack.manifest.version}: ${count(pack.templates.length, 'process')}, ${count(
        pack.templates.reduce((n, t) => n + t.forms.length, 0),
        'form',
      )}, ${count(
        pack.templates.reduce((n, t) => n + t.decisions.length, 0),
        'decision table',
      )}, ${count(files, 'file')} → ${target}`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof PackError)) throw error;
    for (const p of error.problems)
      out.log(
        `FAIL ${path.join(folder, p.file === '(pack)' ? '' : p.file)}${p.element ? ` (${p.element})` : ''}: ${p.message}`,
      );
    return 1;
  }
}

async function pathsCommand(args: string[], out: Out): Promise<number> {
  const file = args[0];
  if (!file) throw new Error('paths needs a FILE');
  const { paths, truncated } = enumeratePaths(
    compile(await readDefinition(file), { decisions: await decisionsBeside(file) }),
  );
  out.log(JSON.stringify({ paths, truncated }, null, 2));
  return 0;
}

/**
 * Converts between formats, to stdout: BPMN ⇄ canonical JSON definitions, forms (Camunda,
 * Flowable, Camunda 7 HTML) and DMN to Trellis JSON. `--report` prints what the import found,
 * translated and could not translate.
 */
async function convertCommand(args: string[], out: Out): Promise<number> {
  const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--to' && args[i - 1] !== '--process');
  const to = option(args, '--to');
  const report = args.includes('--report');
  const processId = option(args, '--process');
  if (!file || (!report && to !== 'json' && to !== 'bpmn'))
    throw new Error('convert needs FILE and --to json, --to bpmn or --report');
  if (/\.(form|html?)$/i.test(file)) {
    if (to === 'bpmn') throw new Error(`${file} is a form; it converts --to json`);
    const result = importFormFile(path.basename(file), readText(file));
    out.log(JSON.stringify(report ? { format: result.format, ...result.report } : result.form, null, 2));
    return 0;
  }
  if (/\.dmn$/i.test(file)) {
    if (to === 'bpmn' || report) throw new Error(`${file} is a DMN file; it converts --to json`);
    out.log(JSON.stringify(await importDmn(readText(file)), null, 2));
    return 0;
  }
  if (isBpmn(file)) {
    const imported = await importBpmn(readText(file), { processId }).catch((error: Error) =>
      Promise.reject(new Error(`${file}: ${error.message}`)),
    );
    if (report) out.log(JSON.stringify(imported.report, null, 2));
    else if (to === 'json') out.log(JSON.stringify(imported.definition, null, 2));
    else out.log(await exportBpmn(imported.definition, { relayout: args.includes('--relayout') }));
    return 0;
  }
  if (report) throw new Error('--report describes an import; give a .bpmn, .form, .html or .dmn file');
  const definition = await structuralDefinition(file);
  if (to === 'json') out.log(canonicalJson(definition).trimEnd());
  else out.log(await exportBpmn(definition, { relayout: args.includes('--relayout') }));
  return 0;
}

/** A definition that is well-formed (it may still fail the semantic rules: drafts convert too). */
async function structuralDefinition(file: string): Promise<ProcessDefinition> {
  const data = await readDefinition(file);
  const parsed = processDefinitionSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const result = validateDefinition(data);
  throw new Error(result.diagnostics.map((d) => formatDiagnostic(file, d)).join('\n'));
}

/** What changed between two versions of a definition (JSON or BPMN), as JSON. */
async function diffCommand(args: string[], out: Out): Promise<number> {
  const [before, after] = args.filter((a) => !a.startsWith('--'));
  if (!before || !after) throw new Error('diff needs OLD and NEW');
  const diff = diffDefinitions(await structuralDefinition(before), await structuralDefinition(after));
  out.log(JSON.stringify(diff, null, 2));
  return 0;
}
