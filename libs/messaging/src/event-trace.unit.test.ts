import { describe, expect, it } from 'vitest';
import { eventTrace } from './event-trace.js';
import { runWithMessageContext, type MessageContext } from './message-context.js';
import { parseTraceparent } from './trace-context.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const handling = (overrides: Partial<MessageContext>): MessageContext => ({
  subject: 'cohort.test',
  traceparent: TRACEPARENT,
  correlationId: 'corr-1',
  causationId: 'cause-of-message',
  messageId: 'msg-1',
  deliveryCount: 1,
  ...overrides,
});

describe('eventTrace', () => {
  it('has no cause outside a handler, so the store starts a new conversation', () => {
    expect(eventTrace()).toEqual({});
  });

  it('carries the correlation on and names the handled message as the cause', () => {
    const trace = runWithMessageContext(handling({}), () => eventTrace());
    expect(trace.correlationId).toBe('corr-1');
    expect(trace.causationId).toBe('msg-1');
  });

  it('continues the trace of the handled message in a child span', () => {
    const trace = runWithMessageContext(handling({}), () => eventTrace());
    const parent = parseTraceparent(TRACEPARENT)!;
    const child = parseTraceparent(trace.traceparent ?? '');
    expect(child?.traceId).toBe(parent.traceId);
    expect(child?.spanId).not.toBe(parent.spanId);
  });

  it('leaves out what the handled message does not know, rather than appending empty strings', () => {
    const trace = runWithMessageContext(handling({ traceparent: '', correlationId: '', messageId: '' }), () => eventTrace());
    expect(trace).toEqual({});
  });
});
