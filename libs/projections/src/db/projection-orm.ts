import { MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { PROJECTION_ENTITIES } from '../entities/index.js';
import { PROJECTION_MIGRATIONS } from '../migrations/index.js';

export interface ProjectionOrmOptions {
  /** Postgres connection string. */
  readonly databaseUrl: string;
  /**
   * Connections in the pool.
   * @default 4
   */
  readonly poolSize?: number;
  /** Where MikroORM's own messages (e.g. migrations applied) go. @default dropped */
  readonly log?: (message: string) => void;
}

/** MikroORM over the projection tables; migrations are bundled (no file discovery at run time). */
export async function openProjectionOrm(options: ProjectionOrmOptions): Promise<MikroORM> {
  return MikroORM.init({
    clientUrl: options.databaseUrl,
    entities: [...PROJECTION_ENTITIES],
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: options.poolSize ?? 4 },
    migrations: {
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      migrationsList: PROJECTION_MIGRATIONS,
    },
    debug: false,
    logger: options.log ?? (() => undefined),
  });
}
