import { describe, expect, it } from 'vitest';
import { redactCredentials } from './redact.js';

describe('redactCredentials', () => {
  it('removes userinfo from every URL in a message', () => {
    expect(
      redactCredentials("fatal: unable to access 'https://x-access-token:ghp_secret@github.com/a/b.git/' and ssh://git:pw@host/r"),
    ).toBe("fatal: unable to access 'https://***@github.com/a/b.git/' and ssh://***@host/r");
  });

  it('leaves URLs without credentials and plain paths alone', () => {
    const text = 'fetch of https://github.com/a/b.git and /srv/git/repo.git failed';
    expect(redactCredentials(text)).toBe(text);
  });
});
