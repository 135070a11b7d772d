/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite loads its WebAssembly and data files by path at run time, argon2 is a native binding:
  // bundling either breaks it.
  serverExternalPackages: ['@electric-sql/pglite', '@node-rs/argon2'],
  // `next dev` browsed at http://127.0.0.1 does not hydrate without this.
  allowedDevOrigins: ['127.0.0.1'],
  // forbidden(): a page that is not the caller's answers 403 with its segment's forbidden.tsx (app/server/page-helpers.ts, pageData).
  experimental: { authInterrupts: true },
};

export default nextConfig;
