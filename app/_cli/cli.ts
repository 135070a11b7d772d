/**
 * The `trellis` command line: validate, simulate, test and list the paths of process
 * definitions without a server. The file-reading shell around engine/ (which stays pure).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { compile, decisionSchema, importDmn, validateDefinition, type CompiledProcess, type Decision, type Diagnostic } from '../../engine';
import { scenarioSchema } from '../../engine/simulate/scenario';
import { simulate, type SimulationResult } from '../../engine/simulate/simulate';
import { enumeratePaths } from '../../engine/simulate/paths';

const USAGE = `usage:
  trellis validate FILE [--json]
  trellis simulate FILE --scenario SCENARIO.json [--with CALLED.json ...]
  trellis test [FOLDER_OR_GLOB]      (default: definitions/)
  trellis paths FILE`;

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
      default:
        out.error(USAGE);
        return 2;
    }
  } catch (error) {
    out.error(`trellis: ${(error as Error).message}`);
    return 2;
  }
}

function readJson(file: string): unknown {
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  const size = statSync(file).size;
  if (size > MAX_FILE_BYTES) throw new Error(`${file} is ${size} bytes; the limit is ${MAX_FILE_BYTES}`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}: ${d.severity} [${d.ruleId}]${d.elementId ? ` ${d.elementId}` : ''}: ${d.message}`;
}

async function validateCommand(args: string[], out: Out): Promise<number> {
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) throw new Error('validate needs a FILE');
  const result = validateDefinition(readJson(file), { decisions: await decisionsBeside(file) });
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
      decisions.push(...(await importDmn(readFileSync(file, 'utf8')).catch((error: Error) => Promise.reject(new Error(`${file}: ${error.message}`)))));
    } else if (name.endsWith('.decisions.json')) {
      const list = readJson(file);
      for (const [i, d] of (Array.isArray(list) ? list : [list]).entries()) {
        const parsed = decisionSchema.safeParse(d);
        if (!parsed.success) throw new Error(`${file} decision #${i + 1}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
        decisions.push(parsed.data);
      }
    }
  }
  return decisions;
}

/** Definitions a call activity may call: other process definitions beside this one, and --with files. */
async function libraryFor(definitionFile: string, extra: string[]): Promise<Map<string, CompiledProcess>> {
  const dir = path.dirname(definitionFile);
  const candidates = readdirSync(dir)
    .filter((n) => n.endsWith('.json') && !/\.(scenario|form|decisions|test)\.json$/.test(n))
    .map((n) => path.join(dir, n))
    .filter((f) => path.resolve(f) !== path.resolve(definitionFile));
  const library = new Map<string, CompiledProcess>();
  for (const file of [...candidates, ...extra]) {
    const data = readJson(file) as { formatVersion?: unknown; key?: unknown; elements?: unknown };
    if (data?.formatVersion === undefined || typeof data.key !== 'string' || !Array.isArray(data.elements)) {
      if (extra.includes(file)) throw new Error(`${file} is not a Trellis process definition`);
      continue;
    }
    const decisions = await decisionsBeside(file);
    const validation = validateDefinition(data, { decisions });
    if (!validation.ok) {
      // A broken neighbour matters only if it is called; one named with --with must be valid.
      if (extra.includes(file)) throw new Error(validation.diagnostics.map((d) => formatDiagnostic(file, d)).join('\n'));
      continue;
    }
    library.set(data.key, compile(data, { decisions }));
  }
  return library;
}

async function runScenario(definitionFile: string, scenarioFile: string, extra: string[] = []): Promise<SimulationResult> {
  const definition = readJson(definitionFile);
  const decisions = await decisionsBeside(definitionFile);
  const validation = validateDefinition(definition, { decisions });
  if (!validation.ok) throw new Error(validation.diagnostics.map((d) => formatDiagnostic(definitionFile, d)).join('\n'));
  const parsed = scenarioSchema.safeParse(readJson(scenarioFile));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${scenarioFile}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return simulate(compile(definition, { decisions }), parsed.data, { library: await libraryFor(definitionFile, extra) });
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
  const pattern = target.includes('*') ? globToRegExp(target) : null;
  const root = pattern ? '.' : target;
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) visit(full);
      else if (name.endsWith('.scenario.json') && (!pattern || pattern.test(path.relative('.', full)))) found.push(full);
    }
  };
  if (statSync(root).isFile()) return [root];
  visit(root);
  return found;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\/?/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '(?:.*/)?');
  return new RegExp(`^${escaped}$`);
}

function definitionFor(scenarioFile: string): string {
  const scenario = readJson(scenarioFile) as { definition?: unknown };
  const dir = path.dirname(scenarioFile);
  return path.join(dir, typeof scenario.definition === 'string' ? scenario.definition : 'process.json');
}

async function testCommand(args: string[], out: Out): Promise<number> {
  const scenarios = findScenarios(args[0] ?? 'definitions');
  let passed = 0;
  let failed = 0;
  for (const file of scenarios) {
    try {
      const result = await runScenario(definitionFor(file), file);
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
  out.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

async function pathsCommand(args: string[], out: Out): Promise<number> {
  const file = args[0];
  if (!file) throw new Error('paths needs a FILE');
  const { paths, truncated } = enumeratePaths(compile(readJson(file), { decisions: await decisionsBeside(file) }));
  out.log(JSON.stringify({ paths, truncated }, null, 2));
  return 0;
}
