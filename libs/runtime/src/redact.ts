// Repository URLs may carry a token as userinfo (https://x-access-token:TOKEN@host/...);
// git echoes URLs in its messages, so anything that leaves this library is scrubbed.
const userinfoPattern = /([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi;

/** Replaces credentials in URLs found anywhere in `text` with `***`. */
export function redactCredentials(text: string): string {
  return text.replace(userinfoPattern, '$1***@');
}
