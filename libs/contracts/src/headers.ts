/** NATS header names Cohort sets on its messages. */
export const Headers = {
  /** JetStream deduplication key; Cohort sets it to the event or request id. */
  msgId: 'Nats-Msg-Id',
  expectedLastSubjectSequence: 'Nats-Expected-Last-Subject-Sequence',
  eventType: 'Cohort-Event-Type',
  aggregateVersion: 'Cohort-Version',
  correlationId: 'Cohort-Correlation-Id',
  causationId: 'Cohort-Causation-Id',
  traceparent: 'traceparent',
  /** On dead letters: why the message was given up on. */
  deadLetterReason: 'Cohort-Dlq-Reason',
  deadLetterError: 'Cohort-Dlq-Error',
  deadLetterSubject: 'Cohort-Dlq-Original-Subject',
  deadLetterStream: 'Cohort-Dlq-Original-Stream',
  deadLetterSequence: 'Cohort-Dlq-Original-Sequence',
  deadLetterDeliveries: 'Cohort-Dlq-Deliveries',
  /** Prefix under which a dead letter keeps the original message's headers. */
  deadLetterOriginalHeaderPrefix: 'Cohort-Dlq-Orig-',
} as const;
