import { Migration } from '@mikro-orm/migrations';

const DOCUMENT_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  tasks: ['params', 'depends_on', 'folded'],
  pull_requests: ['checks', 'reviews', 'conflict_files'],
  repos: ['setup_commands', 'settings'],
  task_timeline: ['data'],
};

/**
 * Stores the documents as `json` rather than `jsonb`. They are only ever
 * read whole, never queried into, and the projector writes them already in
 * canonical form; building jsonb (parsing, sorting every object's keys) was
 * the largest part of Postgres's work in a rebuild, where `json` input only
 * checks the syntax. The task state stays uncompressed and out of line (a
 * type change resets the column's storage): in line, it would make the heap
 * that every task search scans ten times larger.
 *
 * A json value keeps the text it was written as. The folded task state is the
 * one document whose key order can differ between generations (a task
 * reloaded from its row lacks the keys of undefined fields, and gains them
 * later at the end), so generations compare as JSON values (`::jsonb`), which
 * is what the rebuild tests assert.
 */
export class Migration20261121020000_json_documents extends Migration {
  override name = 'Migration20261121020000_json_documents';

  override up(): void {
    for (const [table, columns] of Object.entries(DOCUMENT_COLUMNS)) {
      this.addSql(`alter table "${table}" ${columns.map((c) => `alter column "${c}" type json using "${c}"::json`).join(', ')};`);
    }
    this.addSql(`alter table "tasks" alter column "folded" set storage external;`);
  }
}
