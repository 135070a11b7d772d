/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite loads its WebAssembly and data files by path at run time: bundling it breaks that.
  serverExternalPackages: ['@electric-sql/pglite'],
  // `next dev` browsed at http://127.0.0.1 does not hydrate without this.
  allowedDevOrigins: ['127.0.0.1'],
};

export default nextConfig;
