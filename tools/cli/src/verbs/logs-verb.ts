import { parseArgs } from 'node:util';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { LogLineSchema, LogStream, decodeJson } from '@cohort/contracts';
import { fold, isFinal } from '@cohort/domain';
import type { CliConfig } from '../config.js';
import { UsageError } from '../usage.js';
import { openSession } from './session.js';

export const LOGS_USAGE = 'usage: cohort logs [-f|--follow] [--json] <task>';

/**
 * Prints a task's agent output from the log stream, every run in order; with
 * --follow it keeps printing live lines until the task is final.
 */
export async function logsVerb(args: string[], config: CliConfig): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { follow: { type: 'boolean', short: 'f', default: false }, json: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new UsageError(LOGS_USAGE);
  const taskId = positionals[0]!;
  const session = await openSession(config);
  try {
    const { events } = await session.events.read({ type: 'task', id: taskId });
    if (events.length === 0) {
      console.error(`cohort: task "${taskId}" does not exist`);
      return 1;
    }
    const consumer = await jetstream(session.nc).consumers.get(session.topology.streams.logs, {
      filter_subjects: session.topology.logsOfTask(taskId),
      deliver_policy: DeliverPolicy.All,
    });
    const messages = await consumer.consume();
    const isDone = async () => {
      const state = fold((await session.events.read({ type: 'task', id: taskId })).events as never);
      return state !== undefined && (isFinal(state.status) || state.status === 'failed' || state.status === 'needs_attention');
    };
    let idle: NodeJS.Timeout | undefined;
    const stopWhenQuiet = () => {
      clearTimeout(idle);
      idle = setTimeout(
        async () => {
          if (!values.follow || (await isDone())) await messages.close();
          else stopWhenQuiet();
        },
        values.follow ? 1000 : 300,
      );
    };
    stopWhenQuiet();
    for await (const message of messages) {
      const decoded = decodeJson(LogLineSchema, message.data);
      if (decoded.ok) {
        const line = decoded.value;
        if (values.json)
          console.log(
            JSON.stringify({
              runId: line.runId,
              seq: line.seq,
              stream: LogStream[line.stream]?.toLowerCase(),
              text: line.text,
              at: line.at,
            }),
          );
        else console.log(`${line.runId} ${String(line.seq).padStart(5)} ${line.stream === LogStream.STDERR ? '!' : '|'} ${line.text}`);
      }
      stopWhenQuiet();
    }
    clearTimeout(idle);
    return 0;
  } finally {
    await session.close();
  }
}
