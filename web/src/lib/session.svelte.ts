import { GatewayClient, type ConnectionStatus } from './graphql/client.js';
import { TokenStore } from './auth/token.js';

/** What `/config.json` tells the browser (read at run time so one build serves any deployment). */
export interface RuntimeConfig {
  readonly gatewayUrl: string;
}

async function loadConfig(): Promise<RuntimeConfig> {
  const response = await fetch('/config.json', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`The dashboard's /config.json answered ${response.status}`);
  return (await response.json()) as RuntimeConfig;
}

/** The signed-in session: runtime config, token, and the one gateway client. */
class Session {
  config = $state<RuntimeConfig | undefined>(undefined);
  token = $state<string | null>(null);
  status = $state<ConnectionStatus>('connecting');
  /** Set once the socket has been up, so the banner only shows for a lost connection, not the first connect. */
  wasConnected = $state(false);
  client = $state.raw<GatewayClient | undefined>(undefined);
  private readonly store = new TokenStore(typeof localStorage === 'undefined' ? undefined : localStorage);

  async init(): Promise<void> {
    this.token = this.store.get();
    this.config ??= await loadConfig();
    this.connect();
  }

  signIn(token: string): void {
    this.store.set(token);
    this.token = token;
    this.connect();
  }

  signOut(): void {
    this.store.clear();
    this.token = null;
    void this.client?.close();
    this.client = undefined;
  }

  private connect(): void {
    if (!this.config || !this.token) return;
    void this.client?.close();
    this.wasConnected = false;
    this.status = 'connecting';
    this.client = new GatewayClient({
      url: this.config.gatewayUrl,
      token: () => this.token,
      onStatus: (status) => {
        this.status = status;
        if (status === 'connected') this.wasConnected = true;
      },
    });
  }

  /** The client; pages call this only below the signed-in layout, where it exists. */
  get gateway(): GatewayClient {
    if (!this.client) throw new Error('Not signed in');
    return this.client;
  }
}

export const session = new Session();
