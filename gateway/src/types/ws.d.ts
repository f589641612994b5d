// The part of ws 8 the gateway uses; the package ships no type declarations.
declare module 'ws' {
  import type { EventEmitter } from 'node:events';
  import type { IncomingMessage, Server } from 'node:http';

  export class WebSocket extends EventEmitter {
    constructor(address: string, protocols?: string | string[], options?: Record<string, unknown>);
    static readonly OPEN: 1;
    readonly OPEN: 1;
    readonly readyState: 0 | 1 | 2 | 3;
    readonly protocol: string;
    close(code?: number, reason?: string | Buffer): void;
    terminate(): void;
    ping(data?: unknown): void;
    send(data: string | Buffer, callback?: (error?: Error) => void): void;
  }
  export default WebSocket;

  export interface ServerOptions {
    server?: Server;
    path?: string;
    maxPayload?: number;
    verifyClient?: (info: { origin?: string; secure: boolean; req: IncomingMessage }) => boolean;
    handleProtocols?: (protocols: Set<string>, request: IncomingMessage) => string | false;
  }

  export class WebSocketServer extends EventEmitter {
    constructor(options: ServerOptions);
    readonly options: ServerOptions;
    readonly clients: Set<WebSocket>;
    close(callback?: (error?: Error) => void): void;
  }
}
