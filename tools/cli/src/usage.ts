export const USAGE = `usage: cohort <command> [options]

commands:
  up        start the system on the embedded default (NATS, streams, services);
            runs in the foreground until Ctrl-C, or in the background with --detach
  down      stop what "up" started
  doctor    check Node, NATS (reachable, JetStream, version) and PostgreSQL
  repo add <path-or-url> --name <name> [--ci <cmd>] …        register a repository
  task create|list|show|cancel|retry|resume|approve-merge …  manage tasks
  logs [-f] <task>                                           a task's agent output
  review approve|request-changes <task> …                    review its pull request
  (run "cohort <command>" without arguments for its options)

options:
  --json    machine-readable output
  --detach  (up) run the services in the background
  --help    this text

environment:
  NATS_URL           default nats://127.0.0.1:4222
  DATABASE_URL       default postgres://postgres@127.0.0.1:5432/postgres
  COHORT_DATA_DIR    default ./.cohort
  COHORT_NAMESPACE   default cohort`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
