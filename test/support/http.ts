/** An answer as a test reads it; `json` is null when the body is not JSON. */
export interface Posted {
  status: number;
  headers: Headers;
  json: any;
  /** From sending the request to having read the whole body. */
  ms: number;
}

/** Headers to add, and the body's content type when it is not JSON. */
export interface PostOptions {
  headers?: Record<string, string>;
  contentType?: string;
}

/** POSTs to a URL: a string body goes as it is, so tests can send malformed ones; else JSON. */
export async function post(url: string, body: unknown, opts: PostOptions = {}): Promise<Posted> {
  const { headers = {}, contentType = 'application/json' } = opts;
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: parsed(text),
    ms: performance.now() - started,
  };
}

// Tests of hostile input read error answers that may not be JSON at all.
function parsed(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
