/**
 * The like-for-like script of `npm run bench:runtime`, generated from what Trellis really writes:
 * one bench instance is driven through Trellis (runtime-trellis.ts driveOneInstance), and after
 * each of its four commands — start, the worker's claim, the job's step, complete — the rows that
 * command wrote are read back from every table of db/schema.ts (rows whose xmin is newer than the
 * command). Each command becomes BEGIN; one statement per table; END (a single statement runs
 * alone): an INSERT per new row with every column the schema gives the row (generated columns and
 * serial keys left to the database, uuid keys fresh from gen_random_uuid() and carried to later
 * statements with pgbench's \gset), an UPDATE per changed row setting the columns Trellis's write
 * path sets (UPDATES below) to the values read back. No reads. Values are the real ones (state,
 * audit data, hashes), so the sizes match; timestamps become now() (plus the offset Trellis gave,
 * as a lease's end). Rendered as a pgbench script, or run statement by statement through PGlite.
 *
 * Bench-only. It reads the database and the schema; it never imports the write path itself.
 */
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable, type PgColumn } from 'drizzle-orm/pg-core';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import * as schema from '@/db/schema';

/** One SQL statement with positional parameters; every value comes back as text (or null). */
export type Sql = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** The four commands of one bench instance, in order (runtime-trellis.ts drives them). */
export const PHASES = ['start', 'claim', 'finish', 'complete'] as const;
export type Phase = (typeof PHASES)[number];
/** The API commands among them: what "commands" counts, for Trellis and the like-for-like script alike. */
export const API_PHASES: readonly Phase[] = ['start', 'complete'];

/**
 * The columns each UPDATE of Trellis's write path sets, and what its WHERE guards on besides the
 * key: claimWithSnapshots (job-steps.ts) for the claim, writeOneStatement (app/server/host/write.ts) for the steps.
 * A column the read-back shows changed but not named here is set too, and reported.
 */
const UPDATES: Record<string, { set: string[]; guard: string[] }> = {
  'claim jobs': { set: ['status', 'locked_by', 'locked_until', 'attempts'], guard: [] },
  'finish jobs': {
    set: ['status', 'completed_at', 'locked_by', 'locked_until'],
    guard: ['instance_id', 'locked_by', 'status'],
  },
  'finish process_instances': {
    set: ['state', 'status', 'outcome', 'version', 'audit_head', 'ended_at'],
    guard: ['version', 'status', 'audit_head'],
  },
  'complete process_instances': {
    set: ['state', 'status', 'outcome', 'version', 'audit_head', 'ended_at'],
    guard: ['version', 'status', 'audit_head'],
  },
  'complete tasks': { set: ['status', 'data', 'completed_at', 'completed_by'], guard: ['instance_id', 'status'] },
};

/** A piece of a statement: SQL text, or a variable (an id written by an earlier statement). */
type Part = string | { variable: string };

export interface LflStatement {
  table: string;
  kind: 'insert' | 'update';
  rows: number;
  /** The columns an INSERT names (for the coverage check). */
  columns: string[];
  parts: Part[];
  /** `RETURNING <column> AS <variable>`: the id later statements use. */
  returns?: { column: string; variable: string };
}

export interface LflCommand {
  phase: Phase;
  api: boolean;
  statements: LflStatement[];
}

export interface LflScript {
  commands: LflCommand[];
  /** What the generator could not reproduce, or added beyond its list: printed by the bench. */
  notes: string[];
}

// ---- schema -------------------------------------------------------------------------------------

interface TableInfo {
  name: string;
  columns: PgColumn[];
  key: string[];
  /** Tables its foreign keys reference. */
  parents: string[];
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function schemaTables(): TableInfo[] {
  return (Object.values(schema).filter((value) => is(value, PgTable)) as PgTable[]).map((table) => {
    const config = getTableConfig(table);
    const primary = config.columns.filter((c) => c.primary).map((c) => c.name);
    return {
      name: config.name,
      columns: config.columns,
      key: primary.length > 0 ? primary : (config.primaryKeys[0]?.columns.map((c) => c.name) ?? []),
      parents: config.foreignKeys.map((fk) => getTableConfig(fk.reference().foreignTable).name),
    };
  });
}

const isGenerated = (c: PgColumn) =>
  c.generated !== undefined || (c as { generatedIdentity?: unknown }).generatedIdentity !== undefined;
const isTimestamp = (c: PgColumn) => c.getSQLType().startsWith('timestamp');
const isJson = (c: PgColumn) => ['json', 'jsonb'].includes(c.getSQLType());
const isBare = (c: PgColumn) =>
  [
    'integer',
    'bigint',
    'smallint',
    'boolean',
    'serial',
    'bigserial',
    'smallserial',
    'real',
    'double precision',
  ].includes(c.getSQLType());
const isSerial = (c: PgColumn) => c.getSQLType().endsWith('serial');

// ---- reading back what a command wrote -----------------------------------------------------------

type Row = Record<string, string | null>;

interface Mark {
  phase: Phase;
  xid: string;
  /** The database clock at the mark, seconds since the epoch. */
  now: number;
  counts: number[];
}

interface PhaseWrites {
  phase: Phase;
  now: number;
  rows: { table: TableInfo; row: Row }[];
  /** Per table: how many rows it has more after the command than before. */
  grown: Map<string, number>;
}

async function mark(sql: Sql, tables: TableInfo[], phase: Phase): Promise<Mark> {
  const [counts] = await sql(
    `select ${tables.map((t, i) => `(select count(*) from ${quote(t.name)})::text as c${i}`).join(', ')}`,
  );
  // txid_current() takes a transaction id: every later transaction's id is newer.
  const [row] = await sql(
    `select (txid_current() % 4294967296)::text as xid, extract(epoch from now())::float8::text as now`,
  );
  return {
    phase,
    xid: String(row!.xid),
    now: Number(row!.now),
    counts: tables.map((_, i) => Number(counts![`c${i}`])),
  };
}

/** Every row written since the mark (its xmin is newer), each column as text, timestamps as epoch seconds. */
async function writesSince(sql: Sql, tables: TableInfo[], since: Mark): Promise<PhaseWrites> {
  const after = await mark(sql, tables, since.phase);
  const rows: PhaseWrites['rows'] = [];
  const grown = new Map<string, number>();
  for (const [i, table] of tables.entries()) {
    grown.set(table.name, after.counts[i]! - since.counts[i]!);
    const columns = table.columns.map((c) =>
      isTimestamp(c)
        ? `extract(epoch from t.${quote(c.name)})::text as ${quote(c.name)}`
        : `t.${quote(c.name)}::text as ${quote(c.name)}`,
    );
    const written = await sql(
      `select ${columns.join(', ')} from ${quote(table.name)} t where age(t.xmin) < age($1::text::xid)`,
      [since.xid],
    );
    for (const row of written) rows.push({ table, row: row as Row });
  }
  return { phase: since.phase, now: since.now, rows, grown };
}

// ---- generating ---------------------------------------------------------------------------------

/**
 * Drives one instance through `driveOne`, which calls `at(phase)` as each command begins and
 * `at(null)` after the last, and turns what each command wrote into the like-for-like script.
 */
export async function generateLfl(
  sql: Sql,
  driveOne: (at: (phase: Phase | null) => Promise<void>) => Promise<void>,
): Promise<LflScript> {
  const tables = schemaTables();
  const phases: PhaseWrites[] = [];
  let open: Mark | null = null;
  await driveOne(async (phase) => {
    if (open) phases.push(await writesSince(sql, tables, open));
    open = phase ? await mark(sql, tables, phase) : null;
  });
  const missing = PHASES.filter((p) => !phases.some((w) => w.phase === p));
  if (missing.length > 0) throw new Error(`The driven instance never reached its ${missing.join(', ')} command.`);
  return buildScript(tables, phases);
}

type Write =
  { kind: 'insert'; table: TableInfo; row: Row } | { kind: 'update'; table: TableInfo; row: Row; before: Row };

/** Sorts each command's rows into inserts (a key not seen before) and updates (of a row an earlier command wrote). */
function classify(phases: PhaseWrites[], notes: string[]): Write[][] {
  const seen = new Map<string, Row>();
  const keyOf = (table: TableInfo, row: Row) => `${table.name}:${table.key.map((k) => row[k]).join('|')}`;
  return phases.map(({ phase, rows, grown }) => {
    const writes: Write[] = [];
    const fresh = new Map<string, number>();
    for (const { table, row } of rows) {
      const before = table.key.length > 0 ? seen.get(keyOf(table, row)) : undefined;
      if (before) writes.push({ kind: 'update', table, row, before });
      else fresh.set(table.name, (fresh.get(table.name) ?? 0) + 1);
    }
    for (const [table, count] of grown) {
      const n = fresh.get(table) ?? 0;
      if (count < 0 && n === 0)
        notes.push(`${phase}: Trellis deleted ${-count} row(s) of ${table}; the script deletes nothing.`);
      else if (count !== n)
        notes.push(
          `${phase}: Trellis wrote ${n} row(s) of ${table} that no earlier command wrote, but the table grew by ${count}: it updated rows that were there before the instance, or deleted some; the script leaves them out.`,
        );
    }
    for (const { table, row } of rows) {
      const key = keyOf(table, row);
      if (!seen.has(key) && fresh.get(table.name) === grown.get(table.name))
        writes.push({ kind: 'insert', table, row });
    }
    for (const { table, row } of rows) if (table.key.length > 0) seen.set(keyOf(table, row), row);
    return writes;
  });
}

function buildScript(tables: TableInfo[], phases: PhaseWrites[]): LflScript {
  const notes: string[] = [];
  const writes = classify(phases, notes);

  // Every fresh uuid key this instance inserted gets a variable; those a later statement uses are
  // carried (\gset). Serial keys are not: no row of the bench refers to one.
  const variables = new Map<string, { variable: string; column: string }>();
  const taken = new Set<string>();
  for (const w of writes.flat()) {
    const fresh = freshKey(w.table);
    const value = fresh && w.row[fresh.name];
    if (w.kind !== 'insert' || !fresh || !value || isSerial(fresh)) continue;
    let variable = `${w.table.name}_${fresh.name}`;
    for (let n = 2; taken.has(variable); n++) variable = `${w.table.name}_${fresh.name}_${n}`;
    taken.add(variable);
    variables.set(value, { variable, column: fresh.name });
  }
  const used = new Set<string>();
  const value = (column: PgColumn, text: string | null, now: number): Part => {
    if (text === null) return 'NULL';
    const carried = column.getSQLType() === 'uuid' ? variables.get(text) : undefined;
    if (carried) {
      used.add(carried.variable);
      return { variable: carried.variable };
    }
    if (isTimestamp(column)) {
      const offset = Math.round(Number(text) - now);
      return Math.abs(offset) < 5 ? 'now()' : `now() + make_interval(secs => ${offset})`;
    }
    if (isJson(column)) return literal(pgbenchJson(JSON.parse(text)));
    return isBare(column) ? text : literal(text);
  };

  // Render every statement's values first: only then is it known which ids later statements use.
  const rendered = writes.map((items, index) => {
    const { phase, now } = phases[index]!;
    const updates = items.flatMap((w) => (w.kind === 'update' ? [updateOf(w, phase, now, value, notes)] : []));
    const byTable = new Map<TableInfo, Row[]>();
    for (const w of items) if (w.kind === 'insert') byTable.set(w.table, [...(byTable.get(w.table) ?? []), w.row]);
    const inserts = [...byTable].map(([table, rows]) => {
      const fresh = freshKey(table);
      // Serial keys are the database's to give; a fresh uuid key is a new gen_random_uuid().
      const columns = table.columns.filter((c) => !isGenerated(c) && !(c === fresh && isSerial(c)));
      return {
        table,
        columns,
        rows: rows.map((row) => ({
          key: fresh ? row[fresh.name] : null,
          values: columns.map((c) => (c === fresh ? 'gen_random_uuid()' : value(c, row[c.name] ?? null, now))),
        })),
        fresh,
      };
    });
    return { phase, updates, inserts };
  });

  const commands = rendered.map(({ phase, updates, inserts }): LflCommand => {
    const statements: LflStatement[] = [...updates];
    for (const { table, columns, rows, fresh } of inserts) {
      const head = `INSERT INTO ${table.name} (${columns.map((c) => c.name).join(', ')}) VALUES `;
      const tuple = (values: Part[]): Part[] => ['(', ...values.flatMap((v, i) => (i > 0 ? [', ', v] : [v])), ')'];
      const names = columns.map((c) => c.name);
      const rest: Part[][] = [];
      for (const row of rows) {
        const carried = row.key ? variables.get(row.key) : undefined;
        if (fresh && carried && used.has(carried.variable))
          statements.push({
            table: table.name,
            kind: 'insert',
            rows: 1,
            columns: names,
            parts: [head, ...tuple(row.values)],
            returns: { column: fresh.name, variable: carried.variable },
          });
        else rest.push(row.values);
      }
      if (rest.length > 0)
        statements.push({
          table: table.name,
          kind: 'insert',
          rows: rest.length,
          columns: names,
          parts: [head, ...rest.flatMap((values, i) => (i > 0 ? [', ', ...tuple(values)] : tuple(values)))],
        });
    }
    return { phase, api: API_PHASES.includes(phase), statements: ordered(statements, tables) };
  });
  return { commands, notes: [...new Set(notes)] };
}

/** The one-column key a fresh value replaces per instance (a uuid with a default, or a serial). */
function freshKey(table: TableInfo): PgColumn | undefined {
  return table.key.length === 1 ? table.columns.find((c) => c.name === table.key[0] && c.hasDefault) : undefined;
}

/**
 * An UPDATE of one row: the columns Trellis's write path sets (UPDATES; a column that changed
 * but is not named there too), to the values read back, where the key and the write path's
 * guards hold the values the row had before.
 */
function updateOf(
  w: Extract<Write, { kind: 'update' }>,
  phase: Phase,
  now: number,
  value: (column: PgColumn, text: string | null, now: number) => Part,
  notes: string[],
): LflStatement {
  const { table, row, before } = w;
  const declared = UPDATES[`${phase} ${table.name}`];
  const columns = new Map(table.columns.map((c) => [c.name, c]));
  const changed = table.columns.filter((c) => !isGenerated(c) && before[c.name] !== row[c.name]).map((c) => c.name);
  if (!declared)
    notes.push(
      `${phase}: Trellis updated a row of ${table.name}, which the generator's UPDATES does not name; the columns that changed (${changed.join(', ')}) are set.`,
    );
  for (const name of [...(declared?.set ?? []), ...(declared?.guard ?? [])])
    if (!columns.has(name))
      notes.push(`UPDATES names ${table.name}.${name}, which db/schema.ts does not have; left out.`);
  const extra = declared ? changed.filter((c) => !declared.set.includes(c)) : changed;
  if (declared && extra.length > 0)
    notes.push(
      `${phase}: Trellis also changed ${extra.map((c) => `${table.name}.${c}`).join(', ')}, which UPDATES does not name; set too (compare app/server/host/write.ts and update UPDATES).`,
    );
  const set = [...(declared?.set ?? []).filter((c) => columns.has(c)), ...extra];
  const parts: Part[] = [`UPDATE ${table.name} SET `];
  set.forEach((name, i) =>
    parts.push(i > 0 ? ', ' : '', `${name} = `, value(columns.get(name)!, row[name] ?? null, now)),
  );
  parts.push(' WHERE ');
  const guards = [...table.key, ...(declared?.guard ?? []).filter((c) => columns.has(c) && !table.key.includes(c))];
  guards.forEach((name, i) => {
    const old = before[name] ?? null;
    parts.push(i > 0 ? ' AND ' : '', old === null ? `${name} IS NULL` : `${name} = `);
    if (old !== null) parts.push(value(columns.get(name)!, old, now));
  });
  return { table: table.name, kind: 'update', rows: 1, columns: set, parts };
}

/**
 * Statements in an order the database accepts: a statement after the one whose id it uses, an
 * INSERT after the INSERTs into tables its foreign keys reference; otherwise updates first, then
 * inserts, each in the schema's table order.
 */
function ordered(statements: LflStatement[], tables: TableInfo[]): LflStatement[] {
  const rank = (s: LflStatement) => (s.kind === 'update' ? 0 : 1000) + tables.findIndex((t) => t.name === s.table);
  const pending = [...statements].sort((a, b) => rank(a) - rank(b));
  const parentsOf = (name: string) => tables.find((t) => t.name === name)?.parents ?? [];
  const uses = (s: LflStatement) => s.parts.flatMap((p) => (typeof p === 'string' ? [] : [p.variable]));
  const out: LflStatement[] = [];
  while (pending.length > 0) {
    const waitsFor = (s: LflStatement) =>
      pending.some(
        (o) =>
          o !== s &&
          ((o.returns && uses(s).includes(o.returns.variable)) ||
            (s.kind === 'insert' &&
              o.kind === 'insert' &&
              o.table !== s.table &&
              parentsOf(s.table).includes(o.table))),
      );
    const ready = pending.findIndex((s) => !waitsFor(s));
    out.push(...pending.splice(ready === -1 ? 0 : ready, 1));
  }
  return out;
}

// ---- literals -----------------------------------------------------------------------------------

/**
 * A string literal. pgbench reads ":name" as a variable even inside quotes, so a colon before a
 * letter is written as an escape (E'…\x3a…').
 */
function literal(text: string): string {
  const quoted = text.replace(/'/g, "''");
  return /:[A-Za-z_\u0080-\uffff]/.test(text)
    ? `E'${quoted.replace(/\\/g, '\\\\').replace(/:/g, '\\x3a')}'`
    : `'${quoted}'`;
}

/**
 * JSON as compact as Trellis sends it, except where pgbench would see a variable: a space after a
 * key's colon before true/false/null, and \u003a for a colon before a letter inside a string.
 */
export function pgbenchJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pgbenchJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => {
        const inner = pgbenchJson(v);
        return `${pgbenchJson(k)}:${/^[a-z]/.test(inner) ? ' ' : ''}${inner}`;
      })
      .join(',')}}`;
  return JSON.stringify(value).replace(/:(?=[A-Za-z_\u0080-\uffff])/g, '\\u003a');
}

// ---- rendering and running ------------------------------------------------------------------------

/** The statement's text with `:name` for each variable (pgbench), and its \gset. */
function pgbenchText(s: LflStatement): string {
  const text = s.parts.map((p) => (typeof p === 'string' ? p : `:${p.variable}`)).join('');
  return s.returns ? `${text} RETURNING ${s.returns.column} AS ${s.returns.variable} \\gset` : `${text};`;
}

/**
 * The pgbench script. Each pgbench transaction is one command, so its log gives each command's
 * latency: the client's variable `phase` (start it with -D phase=0) picks the next one, and the
 * ids carried by \gset stay with the client between transactions. Transaction n of a client (from
 * 1) is command (n − 1) mod commands.length.
 */
export function pgbenchScript(lfl: LflScript, header: string[] = []): string {
  const lines = [
    ...header.map((h) => `-- ${h}`),
    `-- Commands per instance, one per pgbench transaction: ${lfl.commands.map((c) => c.phase).join(', ')}. Run with -D phase=0.`,
  ];
  lfl.commands.forEach((command, i) => {
    lines.push(i === 0 ? `\\if :phase = ${i}` : i === lfl.commands.length - 1 ? '\\else' : `\\elif :phase = ${i}`);
    lines.push(`-- (${i + 1}) ${command.phase}${command.api ? ' (API command)' : ' (worker)'}`);
    const single = command.statements.length === 1;
    if (!single) lines.push('BEGIN;');
    for (const s of command.statements) lines.push(pgbenchText(s));
    if (!single) lines.push('END;');
    lines.push(`\\set phase ${(i + 1) % lfl.commands.length}`);
  });
  lines.push('\\endif', '');
  return lines.join('\n');
}

/** Rows per instance, per table: what the script inserts and updates. */
export function lflWrites(lfl: LflScript): { table: string; inserted: number; updated: number }[] {
  const byTable = new Map<string, { inserted: number; updated: number }>();
  for (const s of lfl.commands.flatMap((c) => c.statements)) {
    const t = byTable.get(s.table) ?? { inserted: 0, updated: 0 };
    if (s.kind === 'insert') t.inserted += s.rows;
    else t.updated += s.rows;
    byTable.set(s.table, t);
  }
  return [...byTable].map(([table, t]) => ({ table, ...t }));
}

/**
 * Columns of a table the script writes that its INSERTs leave out, other than generated columns
 * and serial keys: read from the database itself (information_schema), so a column a migration
 * added but db/schema.ts lacks shows too. Empty when the script covers every column.
 */
export async function uncoveredColumns(sql: Sql, lfl: LflScript): Promise<string[]> {
  const missing: string[] = [];
  const inserts = lfl.commands.flatMap((c) => c.statements).filter((s) => s.kind === 'insert');
  for (const table of new Set(inserts.map((s) => s.table))) {
    const columns = await sql(
      `select column_name::text as name, is_generated::text as generated, coalesce(column_default, '') as "default"
      from information_schema.columns where table_schema = current_schema() and table_name = $1::text`,
      [table],
    );
    for (const s of inserts.filter((i) => i.table === table))
      for (const c of columns) {
        const name = String(c.name);
        const serial = String(c.default).startsWith('nextval(');
        if (c.generated === 'NEVER' && !serial && !s.columns.includes(name)) missing.push(`${table}.${name}`);
      }
  }
  return [...new Set(missing)];
}

/** A statement with $1… for its variables (PGlite), and the variable its RETURNING sets. */
interface Prepared {
  text: string;
  variables: string[];
  returns?: string;
}

function positional(s: LflStatement): Prepared {
  const variables: string[] = [];
  const text = s.parts
    .map((p) => {
      if (typeof p === 'string') return p;
      const at = variables.indexOf(p.variable);
      if (at === -1) variables.push(p.variable);
      return `$${(at === -1 ? variables.length : at + 1).toString()}`;
    })
    .join('');
  return s.returns
    ? { text: `${text} RETURNING ${s.returns.column} AS ${s.returns.variable}`, variables, returns: s.returns.variable }
    : { text, variables };
}

/**
 * One instance of the script through `sql`, statement by statement (each on its own, without the
 * commands' transactions): for checking what it writes. Returns the ids it carried.
 */
export async function runLflOnce(sql: Sql, lfl: LflScript): Promise<Record<string, unknown>> {
  const vars: Record<string, unknown> = {};
  for (const s of lfl.commands.flatMap((c) => c.statements).map(positional)) {
    const rows = await sql(
      s.text,
      s.variables.map((v) => vars[v]),
    );
    if (s.returns) vars[s.returns] = rows[0]?.[s.returns];
  }
  return vars;
}

/**
 * The script in a closed loop through PGlite's own `query`, each command in its own transaction (a
 * single statement alone), for `seconds`; the instance in hand is finished after the window, so
 * nothing is left half done. Counts the API commands; times each command.
 */
export async function lflLoop(
  pg: PGlite,
  lfl: LflScript,
  seconds: number,
): Promise<{ commands: number; seconds: number; latencies: number[]; perCommand: number[] }> {
  const commands = lfl.commands.map((c) => ({ api: c.api, statements: c.statements.map(positional) }));
  const vars: Record<string, unknown> = {};
  const run = async (q: PGlite | Transaction, s: Prepared) => {
    const { rows } = await q.query<Record<string, unknown>>(
      s.text,
      s.variables.map((v) => vars[v]),
    );
    if (s.returns) vars[s.returns] = rows[0]?.[s.returns];
  };
  const byCommand = commands.map(() => [] as number[]);
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    for (const [i, command] of commands.entries()) {
      const started = performance.now();
      if (command.statements.length === 1) await run(pg, command.statements[0]!);
      else
        await pg.transaction(async (tx) => {
          for (const s of command.statements) await run(tx, s);
        });
      byCommand[i]!.push(performance.now() - started);
    }
  }
  const latencies = commands.flatMap((c, i) => (c.api ? byCommand[i]! : []));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  return {
    commands: latencies.length,
    seconds: (performance.now() - t0) / 1000,
    latencies,
    perCommand: byCommand.map(median),
  };
}
