import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { graphql } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { stubLogPage } from './stub-log-page.js';
import { logTask, REPO, syntheticLogLine, syntheticTasks } from './synthetic-data.js';

export interface StubGateway {
  readonly url: string;
  /** What the dashboard asked for, to check the measured load did what it should. */
  readonly requests: { logPages: number; logPageLines: number; logSubscriptionsFromSeq: number[] };
  close(): Promise<void>;
}

export interface StubOptions {
  readonly repoRoot: string;
  readonly tasks: number;
  readonly logLines: number;
  readonly logTaskId: string;
  readonly logRunId: string;
}

/** Most lines in one `taskLogs` chunk, as the gateway sends them. */
const LOG_CHUNK_LINES = 500;

/** A subscription that stays open and sends nothing until the client leaves. */
async function* quiet(): AsyncGenerator<never> {
  await new Promise(() => undefined);
  yield* [];
}

/**
 * A GraphQL server built from the gateway's committed schema, answering from
 * synthetic data in memory: the dashboard talks to it exactly as to the gateway
 * (HTTP + graphql-ws on one port), so what is measured is the dashboard itself.
 */
export async function startStubGateway(options: StubOptions): Promise<StubGateway> {
  const typeDefs = readFileSync(join(options.repoRoot, 'gateway', 'src', 'schema', 'schema.graphql'), 'utf8');
  const tasks = syntheticTasks(options.tasks);
  const detail = logTask(options.logTaskId, options.logRunId);
  const requests: StubGateway['requests'] = { logPages: 0, logPageLines: 0, logSubscriptionsFromSeq: [] };
  const logPage = stubLogPage((taskId, runId) => (taskId === detail.id && runId === options.logRunId ? options.logLines : 0));
  const schema = makeExecutableSchema({
    typeDefs,
    resolvers: {
      Query: {
        tasks: (_: unknown, args: { first?: number; after?: string | null }) => {
          const from = args.after ? Number(args.after) : 0;
          const first = Math.min(args.first ?? 50, 200);
          const nodes = tasks.slice(from, from + first);
          const end = from + nodes.length;
          return { nodes, totalCount: tasks.length, pageInfo: { endCursor: String(end), hasNextPage: end < tasks.length } };
        },
        task: (_: unknown, args: { id: string }) => (args.id === detail.id ? detail : (tasks.find((t) => t.id === args.id) ?? null)),
        repos: () => [REPO],
      },
      Task: {
        logs: (task: Parameters<typeof logPage>[0], args: Parameters<typeof logPage>[1]) => {
          const page = logPage(task, args);
          requests.logPages++;
          requests.logPageLines += page.lines.length;
          return page;
        },
      },
      Subscription: {
        taskUpdated: { subscribe: quiet },
        taskEvents: { subscribe: quiet },
        taskLogs: {
          subscribe: async function* (_: unknown, args: { taskId: string; runId: string; fromSeq?: number }) {
            requests.logSubscriptionsFromSeq.push(args.fromSeq ?? 0);
            // Every stored line is ready at once, so each chunk is as full as the gateway's cap allows.
            for (let first = (args.fromSeq ?? 0) + 1; first <= options.logLines; first += LOG_CHUNK_LINES) {
              const last = Math.min(options.logLines, first + LOG_CHUNK_LINES - 1);
              const lines = Array.from({ length: last - first + 1 }, (_, i) => syntheticLogLine(args.taskId, args.runId, first + i));
              yield { taskLogs: { lines, lastSeq: last } };
            }
            await new Promise(() => undefined);
          },
        },
      },
    },
  });

  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'authorization, content-type, accept',
    'access-control-allow-methods': 'POST, OPTIONS',
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { query, variables } = JSON.parse(body || '{}') as { query: string; variables?: Record<string, unknown> };
      void graphql({ schema, source: query, variableValues: variables }).then((result) => {
        res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify(result));
      });
    });
  });
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const disposable = useServer({ schema }, wss);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the stub gateway got no port');
  return {
    url: `http://127.0.0.1:${address.port}/graphql`,
    requests,
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
