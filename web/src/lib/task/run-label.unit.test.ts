import { describe, expect, it } from 'vitest';
import { runLabels } from './run-label.js';

describe('runLabels', () => {
  it('names the initial run, numbers resumes with their reason, and names reviews', () => {
    const labels = runLabels([
      { id: 'r1', kind: 'initial', reason: null, attempt: 1 },
      { id: 'r2', kind: 'resume', reason: 'ci_failure', attempt: 2 },
      { id: 'r3', kind: 'review', reason: null, attempt: 3 },
      { id: 'r4', kind: 'resume', reason: 'user_message', attempt: 4 },
    ]);
    expect([...labels.values()]).toEqual(['Initial', 'Resume 1 · CI failure', 'Review', 'Resume 2 · your message']);
  });
});
