// Import boundaries (issue 20), checked by dependency-cruiser in `npm run lint:deps` and in CI.
// Dependencies point inward: app → engine, db. Each rule below names the boundary it keeps and why;
// test/integration/boundaries.test.ts runs these rules on a throw-away tree to show each one failing.
//
// Type-only imports count (`tsPreCompilationDeps: true`): an `import type` cycle is harmless at
// runtime, but it still ties the two modules' designs together, and the rule is "no import cycles".
// Counting them costs little: such a cycle goes away by moving the shared types into a module both
// sides import (as app/_components/designer/modeler.ts does for the properties panel).

/**
 * Node built-ins the engine may import: they compute and do no I/O. Every other built-in (fs, net, http, https,
 * child_process, worker_threads, dgram, dns, tls, os, …) reaches the world outside the step. `events` is here for
 * bpmn-engine's typings (engine/types/moddle.d.ts). The engine does not import `crypto` today: add it here if it comes
 * to hash something (hashing is not I/O), but not for randomUUID or randomBytes, which would make the step
 * non-deterministic.
 */
const ENGINE_BUILTINS = ['events'];

/** Packages that talk to a database, the network, the file system or the web framework. */
const IO_PACKAGES = [
  'postgres',
  '@electric-sql/pglite',
  'drizzle-orm',
  'drizzle-kit',
  'nodemailer',
  'smtp-server',
  'better-auth',
  '@node-rs/argon2',
  'next',
  'server-only',
  '@trpc/server',
  '@trpc/client',
  'file-type',
  'playwright-core',
];

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'engine-not-to-app-or-db',
      comment:
        'engine/ is the pure engine: it imports nothing of app/ or db/ (nor test/, nor the root files such as ' +
        'proxy.ts), so it can be run, tested and replayed without the app or a database; pass what it needs in as ' +
        "data. definitions/ is not on the list: it is data, which the engine's tests read as fixtures.",
      severity: 'error',
      from: { path: '^engine/' },
      to: { path: ['^(app|db|test)/', '^[^/]+\\.[cm]?[jt]sx?$'] },
    },
    {
      name: 'engine-no-io',
      comment:
        'engine/ does no I/O: the step is pure, and its callers persist and apply the effects it returns. Read or ' +
        'call out in app/server/ and pass the engine what came back. Of the built-ins, only those that compute are ' +
        `allowed (${ENGINE_BUILTINS.join(', ')}). Unit tests beside the code may read their fixture files with ` +
        'node:fs: that I/O is the test harness, not the engine.',
      severity: 'error',
      from: { path: '^engine/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'], pathNot: `^(node:)?(${ENGINE_BUILTINS.map(escapeRegExp).join('|')})$` },
    },
    {
      name: 'engine-no-io-packages',
      comment:
        'engine/ does no I/O, so it imports no database driver, ORM, mailer, auth or web framework. Do the I/O in ' +
        'app/server/ and hand the engine the result.',
      severity: 'error',
      from: { path: '^engine/' },
      to: { path: `(^|/)node_modules/(${IO_PACKAGES.map(escapeRegExp).join('|')})/` },
    },
    {
      name: 'db-not-to-app',
      comment:
        'db/ is the data layer under the app: the schema, client and migrations know nothing of the features built ' +
        'on them. What both need lives in db/ (or engine/), and app/ imports it.',
      severity: 'error',
      from: { path: '^db/' },
      to: { path: '^app/' },
    },
    {
      name: 'no-circular',
      comment:
        'Modules that import each other cannot be understood, tested or loaded one at a time, and an ES module cycle ' +
        'can read a binding before it is initialised. Move what both sides need into a lower module both import.',
      severity: 'error',
      from: { path: '^(app|engine|db)/' },
      to: { circular: true },
    },
  ],
  options: {
    // node_modules is not cruised (doNotFollow), but imports of it stay in the graph: engine-no-io-packages reads them.
    // `exclude` would drop those imports too. .next/ is Next's build output; test/fixtures/ holds foreign code (the
    // conformance corpus). The engine's fixtures/*.ts are kept: they are engine code that tests import.
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: ['(^|/)\\.next/', '^test/fixtures/'] },
    // Type-only imports count as dependencies (see the top of this file).
    tsPreCompilationDeps: true,
    // Resolves the `@/` alias through tsconfig.json's paths, as tsc and Next do.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
