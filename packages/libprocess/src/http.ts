/**
 * HTTP as a process sees it. A route handler receives an `HttpRequest` inside its process
 * (one event at a time, like messages) and returns an `HttpResponse`, whose body is text,
 * bytes, or a stream of chunks for long-lived answers (the v1 APIs' RecordIO streams).
 */
export interface HttpRequest {
  readonly method: string;
  /** The path as received, without the query string: `/master/state`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** The client's address (`ip:port`), when known. */
  readonly remote?: string;
  /** Aborted when the client goes away (streams should stop then). */
  readonly signal: AbortSignal;
}

export type HttpBody = string | Uint8Array | AsyncIterable<string | Uint8Array>;

export interface HttpResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: HttpBody;
}

export type RouteHandler = (request: HttpRequest) => HttpResponse | Promise<HttpResponse>;

export interface Route {
  /** The path below the process id, starting with '/': `/state`. */
  readonly path: string;
  /** What the endpoint does, shown at `/help/<process id><path>`. */
  readonly help: string;
  readonly handler: RouteHandler;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const TEXT_TYPE = { 'content-type': 'text/plain; charset=utf-8' };
/** A jsonp callback: a JavaScript name, dotted (no calls, no quotes). */
const JSONP_CALLBACK = /^[A-Za-z_$][\w$.]*$/;

/** Response helpers; error responses carry a plain-text message saying what was wrong. */
export const Http = {
  json(value: unknown, status = 200): HttpResponse {
    return { status, headers: JSON_TYPE, body: JSON.stringify(value) };
  },
  text(text: string, status = 200): HttpResponse {
    return { status, headers: TEXT_TYPE, body: text };
  },
  ok(body?: string): HttpResponse {
    return body === undefined ? { status: 200 } : Http.text(body, 200);
  },
  accepted(): HttpResponse {
    return { status: 202 };
  },
  badRequest(message: string): HttpResponse {
    return Http.text(message, 400);
  },
  forbidden(message: string): HttpResponse {
    return Http.text(message, 403);
  },
  notFound(message: string): HttpResponse {
    return Http.text(message, 404);
  },
  methodNotAllowed(allowed: readonly string[], method: string): HttpResponse {
    return {
      status: 405,
      headers: { ...TEXT_TYPE, allow: allowed.join(', ') },
      body: `Method '${method}' is not allowed here; use ${allowed.join(' or ')}`,
    };
  },
  conflict(message: string): HttpResponse {
    return Http.text(message, 409);
  },
  payloadTooLarge(message: string): HttpResponse {
    return Http.text(message, 413);
  },
  unsupportedMediaType(message: string): HttpResponse {
    return Http.text(message, 415);
  },
  internalError(message: string): HttpResponse {
    return Http.text(message, 500);
  },
  serviceUnavailable(message: string): HttpResponse {
    return Http.text(message, 503);
  },
  temporaryRedirect(location: string): HttpResponse {
    return { status: 307, headers: { location } };
  },
  /** JSON, or with `?jsonp=CALLBACK` JavaScript calling it (as Mesos's unversioned endpoints answer). */
  jsonp(request: Pick<HttpRequest, 'query'>, value: unknown): HttpResponse {
    return Http.jsonpText(request, () => JSON.stringify(value));
  },
  /** `jsonp` of an answer already serialised: `text` is called once the request is known to be good. */
  jsonpText(request: Pick<HttpRequest, 'query'>, text: () => string): HttpResponse {
    const callback = request.query.get('jsonp');
    if (callback === null) return { status: 200, headers: JSON_TYPE, body: text() };
    if (!JSONP_CALLBACK.test(callback)) return Http.badRequest(`Invalid jsonp callback '${callback}'`);
    return { status: 200, headers: { 'content-type': 'text/javascript' }, body: `${callback}(${text()});` };
  },
  /**
   * `jsonpText` of an answer serialised in chunks (`/master/state`: tens of megabytes), sent as
   * they are, chunked, without first making one string of them. The chunks are read one at a
   * time as the connection can take them, so they may be made as they are read.
   */
  jsonpChunks(request: Pick<HttpRequest, 'query'>, chunks: () => Iterable<string>): HttpResponse {
    const callback = request.query.get('jsonp');
    if (callback !== null && !JSONP_CALLBACK.test(callback)) return Http.badRequest(`Invalid jsonp callback '${callback}'`);
    const pieces = chunks();
    return {
      status: 200,
      headers: callback === null ? JSON_TYPE : { 'content-type': 'text/javascript' },
      body: {
        [Symbol.asyncIterator]: (): AsyncIterator<string> => {
          const all = (function* (): Generator<string, undefined> {
            if (callback !== null) yield `${callback}(`;
            yield* pieces;
            if (callback !== null) yield ');';
            return undefined;
          })();
          return { next: () => Promise.resolve(all.next()), return: () => Promise.resolve(all.return(undefined)) };
        },
      },
    };
  },
  /** `decodeURIComponent` of a part of a path, or undefined where it is not valid percent-encoding (`%ZZ`). */
  decodeComponent(text: string): string | undefined {
    try {
      return decodeURIComponent(text);
    } catch {
      return undefined;
    }
  },
  /** A request body parsed as JSON, or the 400 saying why it is not JSON. */
  jsonBody(request: Pick<HttpRequest, 'body'>): { ok: true; value: unknown } | { ok: false; response: HttpResponse } {
    try {
      return { ok: true, value: JSON.parse(new TextDecoder().decode(request.body)) as unknown };
    } catch (error) {
      return { ok: false, response: Http.badRequest(`The body is not JSON: ${error instanceof Error ? error.message : String(error)}`) };
    }
  },
  notAcceptable(message: string): HttpResponse {
    return Http.text(message, 406);
  },
  /**
   * The refusal for a request that is not a POST of JSON asking for JSON back (405, 415 or 406),
   * or undefined when it is one. Protobuf bodies are named as not supported yet.
   */
  refuseUnlessJsonPost(request: Pick<HttpRequest, 'method' | 'headers'>): HttpResponse | undefined {
    if (request.method !== 'POST') return Http.methodNotAllowed(['POST'], request.method);
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (contentType !== 'application/json') {
      return Http.unsupportedMediaType(contentType === 'application/x-protobuf' ? 'Protobuf requests are not supported yet; send application/json' : `Expecting 'Content-Type' of application/json, got '${contentType}'`);
    }
    const accept = request.headers['accept'];
    if (accept !== undefined && !/application\/json|\*\/\*|application\/\*/.test(accept)) return Http.notAcceptable(`Responses are application/json; cannot answer Accept '${accept}'`);
    return undefined;
  },
} as const;
