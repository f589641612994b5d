export { describeEventStoreContract, type EventStoreHarness } from './event-store-contract.js';
export { freshTask, priorityChanged } from './sample-events.js';
