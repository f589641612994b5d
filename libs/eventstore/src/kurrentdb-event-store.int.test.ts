import { describe } from 'vitest';
import { KurrentDbEventStore } from './kurrentdb/kurrentdb-event-store.js';
import { describeEventStoreContract } from './testing/event-store-contract.js';

const url = process.env.EVENTSTORE_URL;

// KurrentDB is not part of the default stack: this suite runs only where one is reachable.
describe.skipIf(!url)('KurrentDbEventStore against EVENTSTORE_URL', () => {
  describeEventStoreContract('KurrentDbEventStore', async () => {
    const stores: KurrentDbEventStore[] = [];
    return {
      open: async () => {
        const store = new KurrentDbEventStore({ connectionString: url! });
        stores.push(store);
        return store;
      },
      dispose: async () => {
        await Promise.all(stores.map((s) => s.dispose()));
      },
    };
  });
});
