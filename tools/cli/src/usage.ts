export const USAGE = `usage: cohort <command> [options]

commands:
  up        start the system on the embedded default (NATS, streams, PostgreSQL, services,
            gateway, dashboard); runs in the foreground until Ctrl-C, or in the
            background with --detach; prints the GraphQL URL, admin token and dashboard URL
  status    what "up" runs: each service's pid, health port and readiness; the URLs
  down      stop what "up" started
  doctor    check Node, NATS (reachable, JetStream, version) and PostgreSQL
  repo add <path-or-url> --name <name> [--ci <cmd>] …        register a repository
  task create|list|show|cancel|retry|resume|approve-merge …  manage tasks
  logs [-f] <task>                                           a task's agent output
  review approve|request-changes <task> …                    review its pull request
  projections rebuild                                        rebuild the read models from the log
  (run "cohort <command>" without arguments for its options)

options:
  --json    machine-readable output
  --detach  (up) run the services in the background
  --help    this text

environment:
  NATS_URL                 default nats://127.0.0.1:4222
  DATABASE_URL             default postgres://postgres@127.0.0.1:5432/cohort; when nothing
                           answers there, up starts an embedded PostgreSQL (PGlite)
  COHORT_DATA_DIR          default ./.cohort
  COHORT_NAMESPACE         default cohort
  COHORT_EMBEDDED_PG_PORT  port of the embedded PostgreSQL, default 0 (a free one)
  GATEWAY_PORT             default 4000 (GATEWAY_HOST default 127.0.0.1)
  WEB_PORT                 dashboard, default 3000 (WEB_HOST default 127.0.0.1)
  COHORT_WEB_BUILD         build the dashboard when its build is stale, default true
  COHORT_ADMIN_TOKEN       the gateway's admin token; default one generated into the data dir`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
