import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ValueSchema } from '@bufbuild/protobuf/wkt';
import { DeleteSecretSchema, ResolveForRunSchema } from '@cohort/contracts';
import { CommandServer } from '@cohort/messaging';
import { SecretCommands, decodeSetSecret } from './secret-commands.js';

/** The commands connections answers on `cohort.cmd.connections.<Command>`. */
export const CONNECTIONS_COMMANDS = ['SetSecret', 'DeleteSecret', 'ResolveForRun'] as const;

@Injectable()
export class ConnectionsCommands implements OnApplicationBootstrap {
  constructor(
    @Inject(CommandServer) private readonly server: CommandServer,
    @Inject(SecretCommands) private readonly secrets: SecretCommands,
  ) {}

  onApplicationBootstrap(): void {
    this.server
      .handle('SetSecret', ValueSchema, (raw) => this.secrets.set(decodeSetSecret(raw)))
      .handle('DeleteSecret', DeleteSecretSchema, (command) => this.secrets.delete(command))
      .handle('ResolveForRun', ResolveForRunSchema, (command) => this.secrets.resolveForRun(command))
      .listen();
  }
}
