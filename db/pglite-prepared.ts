/**
 * Named prepared statements for PGlite. PGlite's own `query` parses, describes and plans an
 * unnamed statement on every call, in six protocol round trips. `preparedPGlite` patches one
 * instance so that a parameterised statement is parsed and described once, under a name (one
 * round trip: Parse + Describe + Sync), and each call with the same text is one more: Bind +
 * Execute + Sync.
 *
 * It owns the statement cache of that instance and nothing else. It must never change what a
 * query returns or throws, nor how queries queue: it takes PGlite's own locks in PGlite's order
 * and parses results with PGlite's own `parseResults`. What it does not handle (no parameters,
 * options it does not know, a full cache) goes to PGlite's `query` unchanged.
 *
 * A prepared statement goes stale when the schema changes under it. SQL that passes through this
 * instance unprepared and looks like DDL forgets every statement. A change it does not see makes
 * PostgreSQL refuse the statement before running it; the statement is then prepared again and the
 * call retried, except inside a transaction block, which that error has already aborted: there
 * the transaction fails, and its next attempt prepares afresh.
 */
import {
  messages,
  parse,
  protocol,
  type PGlite,
  type QueryOptions,
  type Results,
  type Transaction,
} from '@electric-sql/pglite';

export interface PreparedOptions {
  /** How many distinct statement texts may be prepared; later texts run unprepared. 0 turns preparing off. */
  maxStatements?: number;
}

export interface PreparedStats {
  /** Statements prepared now. */
  cached: number;
  /** Statements parsed and described under a name, in all. */
  prepared: number;
  /** Calls that ran a statement prepared by an earlier call. */
  hits: number;
  /** Calls that ran unprepared (no parameters, options not handled here, a full cache). */
  fallbacks: number;
  /** Prepared statements dropped because the schema may have changed under them. */
  invalidated: number;
}

type BackendMessage = messages.BackendMessage;
type Query = (text: string, params?: unknown[], options?: QueryOptions) => Promise<Results>;
type Exec = (text: string, options?: QueryOptions) => Promise<Results[]>;

interface Statement {
  /** '' for a one-off unnamed statement (the cache was full, or the call has the wrong number of parameters). */
  name: string;
  paramTypes: number[];
  /** Absent for a statement that returns no rows. */
  rowDescription: BackendMessage | undefined;
}

interface State {
  client: PGlite;
  maxStatements: number;
  statements: Map<string, Statement>;
  /** Names to close on the next round trip: statements forgotten while a call could not wait. */
  toClose: string[];
  nextId: number;
  stats: Omit<PreparedStats, 'cached'>;
}

const states = new WeakMap<PGlite, State>();

const DEFAULT_MAX_STATEMENTS = 500;

/** Query options this module handles; a call with any other goes to PGlite's own `query`. */
const HANDLED_OPTIONS = new Set(['rowMode', 'parsers', 'serializers', 'onNotice']);

/**
 * SQL that may change what a prepared statement's text means (DDL, search_path, dropped
 * statements), at the start of a line or after a semicolon. A false match only costs re-preparing.
 */
const SCHEMA_CHANGE =
  /(?:^|;)\s*(?:alter|create|drop|do|discard|deallocate|reset|set\s+(?:session\s+|local\s+)?search_path)\b/im;

/**
 * Patches `client` in place (its `query`, `exec` and `transaction`, and the `query` and `exec` of
 * the transactions it hands out) and returns it, so it stays a PGlite for drizzle and for the duck
 * typing in db/client.ts. Patching twice is a no-op.
 */
export function preparedPGlite<T extends PGlite>(client: T, options: PreparedOptions = {}): T {
  if (states.has(client)) return client;
  const maxStatements = options.maxStatements ?? DEFAULT_MAX_STATEMENTS;
  if (!Number.isInteger(maxStatements) || maxStatements < 0)
    throw new RangeError(
      `preparedPGlite: maxStatements is ${maxStatements}; give a whole number of statements, or 0 to prepare none.`,
    );
  const state: State = {
    client,
    maxStatements,
    statements: new Map(),
    toClose: [],
    nextId: 0,
    stats: { prepared: 0, hits: 0, fallbacks: 0, invalidated: 0 },
  };
  states.set(client, state);

  const query = client.query.bind(client) as Query;
  const exec = client.exec.bind(client) as Exec;
  const transaction = client.transaction.bind(client);

  // As PGlite's `query`: wait for a running transaction, then for the running query; sync the
  // file system after, as a statement outside a transaction may have written.
  client.query = (async (text: string, params?: unknown[], options?: QueryOptions) => {
    if (!handles(state, text, params, options)) return runUnprepared(state, query, text, params, options);
    await client._checkReady();
    return await client._runExclusiveTransaction(() =>
      client._runExclusiveQuery(() => runPrepared(state, text, params!, options, true)),
    );
  }) as PGlite['query'];

  client.exec = (async (text: string, options?: QueryOptions) => {
    try {
      return await exec(text, options);
    } finally {
      schemaMayHaveChanged(state, text);
    }
  }) as PGlite['exec'];

  client.transaction = (<R>(callback: (tx: Transaction) => Promise<R>) =>
    transaction(async (tx) => {
      let schemaChanged = false;
      patchTransaction(
        state,
        tx,
        () => (schemaChanged = true),
        () => schemaChanged,
      );
      try {
        return await callback(tx);
      } finally {
        // Statements prepared after a schema change in this transaction describe a schema that a
        // rollback undoes: forget them before COMMIT or ROLLBACK.
        if (schemaChanged) invalidateAll(state);
      }
    })) as PGlite['transaction'];

  return client;
}

/** What the statement cache of a patched PGlite has done; null for an instance not patched. */
export function preparedStats(client: PGlite): PreparedStats | null {
  const state = states.get(client);
  return state ? { cached: state.statements.size, ...state.stats } : null;
}

/**
 * As PGlite's transaction `query`: refuse once the transaction is closed, then wait for the
 * running query only (the transaction already holds the transaction lock), and never sync the
 * file system per statement (COMMIT does). Once the transaction has changed the schema, its
 * statements run unprepared.
 */
function patchTransaction(
  state: State,
  tx: Transaction,
  onSchemaChange: () => void,
  schemaChanged: () => boolean,
): void {
  const query = tx.query.bind(tx) as Query;
  const exec = tx.exec.bind(tx) as Exec;
  tx.query = (async (text: string, params?: unknown[], options?: QueryOptions) => {
    // After DDL in this transaction, nothing more is prepared or reused in it: a ROLLBACK TO
    // SAVEPOINT may undo the change under a statement prepared meanwhile, and one prepared before
    // may no longer fit the changed schema (inside a transaction block a stale statement cannot
    // be retried).
    if (schemaChanged() || !handles(state, text, params, options))
      return runUnprepared(state, query, text, params, options, onSchemaChange);
    if (tx.closed) throw new Error('Transaction is closed');
    return await state.client._runExclusiveQuery(() => runPrepared(state, text, params!, options, false));
  }) as Transaction['query'];
  tx.exec = (async (text: string, options?: QueryOptions) => {
    try {
      return await exec(text, options);
    } finally {
      if (schemaMayHaveChanged(state, text)) onSchemaChange();
    }
  }) as Transaction['exec'];
}

/**
 * Whether a call may take the prepared path. Decided before taking the locks, so the cache may
 * fill up meanwhile: `describe` then runs the text as a one-off unnamed statement.
 */
function handles(state: State, text: string, params: unknown[] | undefined, options: QueryOptions | undefined) {
  if (!params || params.length === 0) return false;
  if (!state.statements.has(text) && state.statements.size >= state.maxStatements) return false;
  for (const key in options)
    if (options[key as keyof QueryOptions] !== undefined && !HANDLED_OPTIONS.has(key)) return false;
  return true;
}

async function runUnprepared(
  state: State,
  query: Query,
  text: string,
  params: unknown[] | undefined,
  options: QueryOptions | undefined,
  onSchemaChange?: () => void,
): Promise<Results> {
  state.stats.fallbacks++;
  try {
    return await query(text, params, options);
  } finally {
    if (schemaMayHaveChanged(state, text)) onSchemaChange?.();
  }
}

/** Runs under PGlite's query lock. */
async function runPrepared(
  state: State,
  text: string,
  params: unknown[],
  options: QueryOptions | undefined,
  syncToFs: boolean,
): Promise<Results> {
  const { client } = state;
  if (client.debug > 0) console.log('runQuery', text, params, options);
  let reply: BackendMessage[];
  try {
    reply = await execute(state, text, params, options);
  } catch (error) {
    // As PGlite does: the failing query rides on the error.
    if (error instanceof messages.DatabaseError) Object.assign(error, { query: text, params, queryOptions: options });
    throw error;
  }
  if (syncToFs) await client.syncToFs();
  return parse.parseResults(reply, client.parsers, options)[0]!;
}

async function execute(
  state: State,
  text: string,
  params: unknown[],
  options: QueryOptions | undefined,
): Promise<BackendMessage[]> {
  let statement = state.statements.get(text);
  if (statement) state.stats.hits++;
  else statement = await describe(state, text, options);
  // PostgreSQL names the statement in this error: bind an unnamed one, as PGlite does, to say the same.
  if (statement.paramTypes.length !== params.length) statement = await describe(state, text, options, false);
  try {
    return await bindAndExecute(state, statement, params, options);
  } catch (error) {
    if (statement.name === '' || !isStale(error)) throw error;
    forget(state, text, statement);
    // The error happened before the statement ran, so running it again is safe, but not inside a
    // transaction block: the error has aborted it. The transaction fails; a retry of it re-prepares.
    if (state.client.isInTransaction()) throw error;
    return await bindAndExecute(state, await describe(state, text, options), params, options);
  }
}

/** Parse + Describe + Sync: the parameter types and row description, learned once per text. */
async function describe(
  state: State,
  text: string,
  options: QueryOptions | undefined,
  cache = true,
): Promise<Statement> {
  const cacheable = cache && state.statements.size < state.maxStatements;
  const name = cacheable ? `trellis_${++state.nextId}` : '';
  let reply: BackendMessage[];
  try {
    reply = await send(
      state,
      [protocol.serialize.parse({ name, text }), protocol.serialize.describe({ type: 'S', name }), SYNC],
      options,
    );
  } catch (error) {
    // A failed Parse creates nothing, but should a later message have failed, the name may exist.
    if (name) state.toClose.push(name);
    throw error;
  }
  const statement: Statement = {
    name,
    paramTypes: parse.parseDescribeStatementResults(reply),
    rowDescription: reply.find((message) => message.name === 'rowDescription'),
  };
  if (cacheable) {
    state.statements.set(text, statement);
    state.stats.prepared++;
  } else state.stats.fallbacks++;
  return statement;
}

/**
 * Bind + Execute + Sync in one round trip. The row description learned at Describe stands in for
 * a Describe of the portal: PostgreSQL refuses to run a named statement whose result type has
 * changed ("cached plan must not change result type"), so it cannot go stale silently.
 */
async function bindAndExecute(
  state: State,
  statement: Statement,
  params: unknown[],
  options: QueryOptions | undefined,
): Promise<BackendMessage[]> {
  const { client } = state;
  // Exactly as PGlite's `query` serialises parameters.
  const values = params.map((value, i) => {
    if (value === null || value === undefined) return null;
    const type = statement.paramTypes[i] as number;
    const serialize = options?.serializers?.[type] ?? client.serializers[type];
    return serialize ? serialize(value) : (value as { toString(): string }).toString();
  });
  const reply = await send(
    state,
    [protocol.serialize.bind({ statement: statement.name, values }), EXECUTE, SYNC],
    options,
  );
  return statement.rowDescription ? [statement.rowDescription, ...reply] : reply;
}

const EXECUTE = protocol.serialize.execute({});
const SYNC = protocol.serialize.sync();

/** One round trip; closes forgotten statements first. Sync ends every batch, so an error leaves the connection usable. */
function send(state: State, parts: Uint8Array[], options: QueryOptions | undefined): Promise<BackendMessage[]> {
  if (state.toClose.length > 0)
    parts = [...state.toClose.splice(0).map((name) => protocol.serialize.close({ type: 'S', name })), ...parts];
  let length = 0;
  for (const part of parts) length += part.length;
  const message = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    message.set(part, offset);
    offset += part.length;
  }
  return state.client.execProtocolStream(message, { syncToFs: false, onNotice: options?.onNotice });
}

/** The statement no longer matches the schema (0A000 from plan revalidation) or no longer exists (26000). */
function isStale(error: unknown): boolean {
  if (!(error instanceof messages.DatabaseError)) return false;
  return (error.code === '0A000' && error.routine === 'RevalidateCachedQuery') || error.code === '26000';
}

function forget(state: State, text: string, statement: Statement): void {
  if (state.statements.get(text) === statement) state.statements.delete(text);
  state.toClose.push(statement.name);
  state.stats.invalidated++;
}

/** Called after SQL that ran unprepared: forgets every prepared statement if it looks like a schema change. */
function schemaMayHaveChanged(state: State, text: string): boolean {
  if (!SCHEMA_CHANGE.test(text)) return false;
  invalidateAll(state);
  return true;
}

function invalidateAll(state: State): void {
  for (const statement of state.statements.values()) state.toClose.push(statement.name);
  state.stats.invalidated += state.statements.size;
  state.statements.clear();
}
