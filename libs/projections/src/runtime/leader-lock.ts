import pg from 'pg';

/**
 * A Postgres session-level advisory lock held on a connection of its own:
 * whoever holds it is the one projector that applies events. The lock goes
 * with the session, so a crashed holder frees it for a standby.
 */
export class LeaderLock {
  private lostReason: string | undefined;

  private constructor(private readonly client: pg.Client) {
    client.on('error', (error) => {
      this.lostReason = `the lock's connection failed: ${error.message}`;
    });
    client.on('end', () => {
      this.lostReason ??= "the lock's connection closed";
    });
  }

  /** Why the lock is no longer held, or undefined while it is. */
  get lost(): string | undefined {
    return this.lostReason;
  }

  /** Takes the lock if it is free; undefined when another session holds it. */
  static async tryAcquire(databaseUrl: string, name: string): Promise<LeaderLock | undefined> {
    const client = new pg.Client({ connectionString: databaseUrl, application_name: 'cohort-projector-lock' });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [name]);
      if (result.rows[0]?.locked) return new LeaderLock(client);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    await client.end().catch(() => undefined);
    return undefined;
  }

  async release(): Promise<void> {
    if (this.lostReason === undefined) {
      this.lostReason = 'released';
      // Ending the session frees the lock; an explicit unlock first keeps it prompt on poolers.
      await this.client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    }
    await this.client.end().catch(() => undefined);
  }
}
