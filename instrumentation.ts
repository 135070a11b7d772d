/** Opens, migrates and seeds the database when the server starts, before the first request. */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { getDatabase } = await import('./app/server/database');
    await getDatabase();
  }
}
