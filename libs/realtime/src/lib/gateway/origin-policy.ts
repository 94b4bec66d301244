/**
 * The browser-origin allow-list shared by Socket.IO CORS and the handshake Origin check.
 * Origins compare case-insensitively and without a trailing slash; `*` allows any origin.
 */
export class OriginPolicy {
  private readonly allowed: Set<string>;
  readonly allowsAny: boolean;

  constructor(origins: readonly string[]) {
    this.allowsAny = origins.includes('*');
    this.allowed = new Set(origins.filter((o) => o !== '*').map(normalize));
  }

  /** No Origin header (a server-side client) is allowed here: the token decides. */
  isAllowed(origin: string | undefined): boolean {
    if (origin === undefined || origin === '') return true;
    return this.allowsAny || this.allowed.has(normalize(origin));
  }

  /** The value for Socket.IO's `cors.origin`. */
  corsOrigin(): boolean | string[] {
    return this.allowsAny ? true : [...this.allowed];
  }
}

function normalize(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}
