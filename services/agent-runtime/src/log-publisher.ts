import { headers as natsHeaders } from '@nats-io/transport-node';
import { create, encodeJson, Headers, LogLineSchema, LogStream, type Topology } from '@cohort/contracts';
import type { JetStreamPublisher } from '@cohort/eventstore';
import type { Redactor } from '@cohort/platform';

export type LogStreamName = 'stdout' | 'stderr' | 'system';

const STREAMS: Readonly<Record<LogStreamName, LogStream>> = {
  stdout: LogStream.STDOUT,
  stderr: LogStream.STDERR,
  system: LogStream.SYSTEM,
};

/** Tries per line before it is given up on (the line's seq stays used, the run goes on). */
const PUBLISH_ATTEMPTS = 3;
/** How long one try waits for the stream's acknowledgement. */
const ACK_TIMEOUT_MS = 5_000;

/**
 * Publishes one run's output lines to `<ns>.log.<taskId>.<runId>` as LogLine JSON,
 * numbered 1, 2, 3 … without gaps, one at a time so they are stored in order.
 * `Nats-Msg-Id` is `<runId>:<seq>`, so a republished line is dropped by the stream.
 * Every line passes the run's redactor before it leaves the process.
 * Lines are the busiest publishes of the system (thousands a second across
 * runs), so they go through the event log's JetStreamPublisher: the same
 * exchange as `js.publish` without its per-call cost.
 */
export class LogPublisher {
  #seq = 0;
  #tail: Promise<void> = Promise.resolve();
  #failures = 0;

  constructor(
    private readonly publisher: JetStreamPublisher,
    private readonly topology: Topology,
    private readonly taskId: string,
    private readonly runId: string,
    private readonly redactor: Redactor,
    private readonly onFailure: (message: string) => void = () => undefined,
  ) {}

  /** Lines published so far (the last seq). */
  get seq(): number {
    return this.#seq;
  }

  get failures(): number {
    return this.#failures;
  }

  publish(stream: LogStreamName, text: string): void {
    const seq = ++this.#seq;
    const line = create(LogLineSchema, {
      taskId: this.taskId,
      runId: this.runId,
      seq,
      stream: STREAMS[stream],
      text: this.redactor.redact(text),
      at: new Date().toISOString(),
    });
    const subject = this.topology.log(this.taskId, this.runId);
    const body = encodeJson(LogLineSchema, line);
    const h = natsHeaders();
    h.set(Headers.msgId, `${this.runId}:${seq}`);
    this.#tail = this.#tail.then(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.publisher.publish(subject, body, h, ACK_TIMEOUT_MS);
          return;
        } catch (error) {
          if (attempt >= PUBLISH_ATTEMPTS) {
            this.#failures++;
            this.onFailure(`log line ${seq} of run ${this.runId} was not stored: ${(error as Error).message}`);
            return;
          }
        }
      }
    });
  }

  /** Resolves once every line given so far has been stored (or given up on). */
  flushed(): Promise<void> {
    return this.#tail;
  }
}
