/**
 * The app's HTTP API as another program (or an attacker) calls it: better-auth's email sign-in
 * for a session cookie, then tRPC over plain fetch (no transformer: the body is the input).
 */
export interface ApiAnswer<T = unknown> {
  status: number;
  ms: number;
  data?: T;
  error?: { message: string; code: string; data?: { code?: string } };
}

export async function signIn(url: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`Sign-in as ${email} answered ${res.status}: ${await res.text()}`);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  return cookies.join('; ');
}

/** One tRPC procedure: a mutation (POST) when `input` is given with `mutation`, else a query (GET). */
export async function call<T = unknown>(
  url: string,
  cookie: string,
  procedure: string,
  input?: unknown,
  kind: 'query' | 'mutation' = 'mutation',
): Promise<ApiAnswer<T>> {
  const began = performance.now();
  const query = kind === 'query' && input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : '';
  const res = await fetch(`${url}/api/trpc/${procedure}${query}`, {
    method: kind === 'mutation' ? 'POST' : 'GET',
    headers: { cookie, origin: url, ...(kind === 'mutation' ? { 'content-type': 'application/json' } : {}) },
    ...(kind === 'mutation' ? { body: JSON.stringify(input ?? {}) } : {}),
  });
  const text = await res.text();
  const ms = performance.now() - began;
  let body: { result?: { data: T }; error?: ApiAnswer['error'] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { status: res.status, ms, error: { message: text.slice(0, 500), code: 'NOT_JSON' } };
  }
  return {
    status: res.status,
    ms,
    ...(body.result ? { data: body.result.data } : {}),
    ...(body.error ? { error: body.error } : {}),
  };
}

/** The resident memory of a process in MB, from /proc (Linux). */
export async function residentMb(pid: number | undefined): Promise<number> {
  if (!pid) return Number.NaN;
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/**
 * Asks `procedure` every `everyMs` until stopped, recording how long each answer took: how a
 * person using the app meanwhile would fare. Returns the latencies (ms) and non-2xx answers.
 */
export function probe(url: string, cookie: string, procedure: string, everyMs = 100) {
  const latencies: number[] = [];
  const failures: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const answer = await call(url, cookie, procedure, undefined, 'query');
      latencies.push(answer.ms);
      if (answer.status !== 200) failures.push(`${answer.status} ${answer.error?.message ?? ''}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { latencies, failures, max: Math.max(...latencies), count: latencies.length };
    },
  };
}
