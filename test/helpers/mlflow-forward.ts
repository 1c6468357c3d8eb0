/** Forwarding to a real MLflow server, for recorders that look at every request on the way (test/tracking/redact.test.ts, bench/fault-injection.ts). */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A real MLflow server behind the recorder. */
export function forwardTo(upstream: string): (req: IncomingMessage, body: string, res: ServerResponse) => void {
  return (req, body, res) => {
    const headers: Record<string, string> = {};
    if (req.headers['content-type']) headers['content-type'] = req.headers['content-type'];
    fetch(upstream + (req.url ?? '/'), { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) }).then(
      async (answer) => {
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await answer.arrayBuffer()));
      },
      (error: unknown) => {
        res.writeHead(502);
        res.end(String(error));
      },
    );
  };
}
