import type { GatewayContext } from '../context.js';
import { badUserInput } from '../errors/gateway-error.js';
import { isScope, type Scope } from '../auth/scope.js';
import {
  approveMergeCall,
  cancelTaskCall,
  createTaskCall,
  deleteSecretCall,
  registerRepoCall,
  resumeTaskCall,
  retryTaskCall,
  setSecretCall,
  submitReviewCall,
  updateRepoCall,
  type CreateTaskInput,
  type RepoInput,
  type SubmitReviewInput,
} from './command-inputs.js';
import { apiTokenNode } from './row-mapping.js';
import { sendCommand } from './send-command.js';

const TOKEN_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._:@/-]{0,99}$/u;

export const mutationResolvers = {
  createTask: (_: unknown, { input }: { input: CreateTaskInput }, { services }: GatewayContext) =>
    sendCommand(services, createTaskCall(input), input.taskId ?? ''),

  cancelTask: (_: unknown, { id, reason }: { id: string; reason?: string | null }, { services }: GatewayContext) =>
    sendCommand(services, cancelTaskCall(id, reason), id),

  retryTask: (_: unknown, { id }: { id: string }, { services }: GatewayContext) => sendCommand(services, retryTaskCall(id), id),

  resumeTask: (_: unknown, { id, message }: { id: string; message: string }, { services }: GatewayContext) =>
    sendCommand(services, resumeTaskCall(id, message), id),

  approveMerge: (_: unknown, { id }: { id: string }, { services }: GatewayContext) => sendCommand(services, approveMergeCall(id), id),

  registerRepo: (_: unknown, { input }: { input: RepoInput }, { services }: GatewayContext) =>
    sendCommand(services, registerRepoCall(input)),

  updateRepo: (_: unknown, { id, input }: { id: string; input: RepoInput }, { services }: GatewayContext) =>
    sendCommand(services, updateRepoCall(id, input), id),

  submitReview: (_: unknown, { input }: { input: SubmitReviewInput }, { services }: GatewayContext) =>
    sendCommand(services, submitReviewCall(input), input.taskId),

  setSecret: (_: unknown, args: { name: string; value: string; scope?: string | null }, { services }: GatewayContext) =>
    sendCommand(services, setSecretCall(args.name, args.value, args.scope), args.name),

  deleteSecret: (_: unknown, args: { name: string; scope?: string | null }, { services }: GatewayContext) =>
    sendCommand(services, deleteSecretCall(args.name, args.scope), args.name),

  async createApiToken(_: unknown, args: { name: string; scopes: string[] }, { services }: GatewayContext) {
    const name = args.name.trim();
    if (!TOKEN_NAME.test(name)) {
      throw badUserInput(
        `name ${JSON.stringify(args.name.slice(0, 100))} is invalid: use 1 to 100 letters, digits, spaces and . _ : @ / -, starting with a letter or digit`,
        'name',
      );
    }
    const scopes = args.scopes.filter(isScope) as Scope[];
    if (scopes.length === 0) throw badUserInput('scopes is empty: give at least one of read, write, admin', 'scopes');
    const { record, value } = await services.tokens.create(name, scopes);
    services.logger.log(`API token ${record.id} ("${record.name}", ${record.scopes.join(', ')}) created`, 'Auth');
    return { token: apiTokenNode(record), value };
  },

  async revokeApiToken(_: unknown, { id }: { id: string }, { services, principal }: GatewayContext) {
    const revoked = await services.tokens.revoke(id);
    if (revoked) services.logger.log(`API token ${id} revoked by token ${principal.tokenId}`, 'Auth');
    return revoked;
  },
};
