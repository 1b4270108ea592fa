import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import {
  type ExecutionResult,
  GraphQLError,
  getOperationAST,
  type OperationDefinitionNode,
} from 'graphql';
import { processRegularResult, type YogaServerInstance } from 'graphql-yoga';

/** What the lean path reports of each request it answers, for the log and the metrics. */
export interface Answered {
  method: string;
  path: string;
  url: string;
  status: number;
  /** The operation name the client sent, as the request log shows it. */
  requested: string | undefined;
  operationName: string | undefined;
  operationType: string | undefined;
  started: number;
  errorCodes: string[];
}

export interface LeanPathOptions {
  /** The request body limit, as yoga enforces it on the requests it handles. */
  bodyBytes: number;
  /** Whether CORS is configured: then requests from another origin go through yoga. */
  cors: boolean;
  /** Called once per answered request: the request log and the HTTP duration metric. */
  answered: (request: Answered) => void;
  /** What yoga masks errors with, for one that escapes execution itself. */
  maskError: (error: unknown, message: string) => Error;
}

/** The JSON body of a GraphQL POST, once it is known to have the expected shape. */
interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown> | null;
}

// biome-ignore lint/suspicious/noExplicitAny: any yoga app, whatever its contexts
type Yoga = YogaServerInstance<any, any>;

/**
 * The common request, a JSON POST to the GraphQL path that parses and
 * validates, taken without the Fetch API round trip: the body is read into one
 * buffer, the operation runs through yoga's own envelop (so every plugin's
 * limits, tokens, masking, metrics and compiled executor apply) and the answer
 * is written straight to the socket. Everything else, and every request that
 * would fail before it runs (bad JSON, a document that does not parse or
 * validate, a subscription), goes to yoga whole, which answers it as it always
 * has: those cost nothing to run twice, as nothing has run yet.
 */
export function withLeanPath(yoga: Yoga, options: LeanPathOptions): RequestListener {
  const endpoint = yoga.graphqlEndpoint;
  return (req, res) => {
    const length = Number(req.headers['content-length']);
    const eligible =
      req.method === 'POST' &&
      req.url === endpoint &&
      /^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '') &&
      acceptsJson(req.headers.accept) &&
      Number.isInteger(length) &&
      length <= options.bodyBytes &&
      !(options.cors && req.headers.origin !== undefined);
    if (!eligible) {
      yoga(req, res);
      return;
    }
    readBody(req, length)
      .then((body) => answer(yoga, options, req, res, body))
      .catch(() => res.destroy());
  };
}

/** Whether the client takes plain JSON, which is what the lean path writes. */
function acceptsJson(accept: string | undefined): boolean {
  return accept === undefined || accept === '*/*' || /^application\/json\s*(;|,|$)/i.test(accept);
}

function readBody(req: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const body = Buffer.allocUnsafe(length);
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      if (received + chunk.length > length) {
        reject(new Error('body longer than its content-length'));
        return;
      }
      chunk.copy(body, received);
      received += chunk.length;
    });
    req.on('end', () =>
      received === length ? resolve(body) : reject(new Error('body cut short')),
    );
    req.on('error', reject);
  });
}

async function answer(
  yoga: Yoga,
  options: LeanPathOptions,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const started = performance.now();
  const params = paramsOf(body);
  if (params === null) return handOver(yoga, req, res, body);
  const request = new HeadersOnlyRequest(req);
  const enveloped = yoga.getEnveloped({ req, res, request, params });
  // Limits refuse a document by throwing from parse or validate, or by the errors validate gives.
  let document: ReturnType<typeof enveloped.parse>;
  try {
    document = enveloped.parse(params.query);
    if (enveloped.validate(enveloped.schema, document).length > 0)
      return handOver(yoga, req, res, body);
  } catch {
    return handOver(yoga, req, res, body);
  }
  const operation = getOperationAST(document, params.operationName);
  if (!operation || operation.operation === 'subscription') return handOver(yoga, req, res, body);

  let result: ExecutionResult & { stringify?: (result: ExecutionResult) => string };
  try {
    result = (await enveloped.execute({
      schema: enveloped.schema,
      document,
      contextValue: await enveloped.contextFactory(),
      variableValues: params.variables,
      operationName: params.operationName,
    })) as typeof result;
  } catch (error) {
    // What escaped execution is masked as yoga masks it, then answered as an error.
    const masked = options.maskError(error, 'Unexpected error.');
    result = {
      errors: [
        masked instanceof GraphQLError
          ? masked
          : new GraphQLError(masked.message, { originalError: masked }),
      ],
    };
  }
  let status = 200;
  if (result.errors === undefined && result.extensions?.http === undefined) {
    const text = (result.stringify ?? JSON.stringify)(result);
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  } else {
    const response = await processRegularResult(result, yoga.fetchAPI, 'application/json');
    status = response.status;
    await write(res, response);
  }
  options.answered({
    method: 'POST',
    path: req.url!,
    url: request.url,
    status,
    requested: params.operationName ?? undefined,
    ...operationOf(operation),
    started,
    errorCodes: (result.errors ?? []).map((error) =>
      String(error.extensions?.code ?? 'GRAPHQL_ERROR'),
    ),
  });
}

function operationOf(operation: OperationDefinitionNode) {
  return { operationName: operation.name?.value, operationType: operation.operation };
}

const PARAM_KEYS = new Set(['query', 'variables', 'operationName', 'extensions']);

/** The body's GraphQL parameters, or null when it is not one well-formed request. */
function paramsOf(body: Buffer): Params | null {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  // Yoga turns away any other key; it is left to do so.
  if (Object.keys(value).some((key) => !PARAM_KEYS.has(key))) return null;
  const { query, variables, operationName, extensions } = value as Record<string, unknown>;
  const isObject = (x: unknown) => x == null || (typeof x === 'object' && !Array.isArray(x));
  if (typeof query !== 'string') return null;
  if (!isObject(variables) || !isObject(extensions)) return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  return value as Params;
}

/** Gives the request, body included, to yoga, and writes what it answers. */
async function handOver(
  yoga: Yoga,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const headers: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  const response = await yoga.fetch(
    `http://${req.headers.host ?? 'localhost'}${req.url}`,
    { method: 'POST', headers, body },
    { req, res },
  );
  await write(res, response);
}

async function write(res: ServerResponse, response: Response): Promise<void> {
  const text = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  headers['content-length'] = String(text.length);
  res.writeHead(response.status, headers);
  res.end(text);
}

/**
 * What the plugins read of a request in the lean path: its method, URL and
 * headers. Building a Fetch API Request for each one is what the lean path saves.
 */
class HeadersOnlyRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  constructor(req: IncomingMessage) {
    this.method = req.method ?? 'POST';
    this.url = `http://${req.headers.host ?? 'localhost'}${req.url}`;
    this.headers = {
      get: (name) => {
        const value = req.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    };
  }
}
