import { Migration } from '@mikro-orm/migrations';

/**
 * Stores the folded task state uncompressed (still out of line). Every batch
 * rewrites the rows of the tasks it touches, and compressing each ~2–3 kB
 * state again was about half the cost of the tasks upsert; the disk it saves
 * is small. Only the column's storage setting changes: no rewrite.
 */
export class Migration20261121010000_uncompressed_folded extends Migration {
  override name = 'Migration20261121010000_uncompressed_folded';

  override up(): void {
    this.addSql(`alter table "tasks" alter column "folded" set storage external;`);
  }
}
