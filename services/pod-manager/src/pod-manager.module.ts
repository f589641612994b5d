import { type DynamicModule, Module } from '@nestjs/common';
import type { EventStore } from '@cohort/eventstore';
import type { WorkspaceRuntime } from '@cohort/runtime';
import type { PodManagerConfig } from './config.js';
import { PodManagerController } from './pod-manager.controller.js';
import { EVENT_STORE, POD_MANAGER_CONFIG, WORKSPACE_RUNTIME } from './tokens.js';
import { WorkspaceManager } from './workspace-manager.js';

/** What the process wiring (`startPodManager`) connects before Nest starts. */
export interface PodManagerResources {
  readonly config: PodManagerConfig;
  readonly store: EventStore;
  readonly runtime: WorkspaceRuntime;
}

@Module({})
export class PodManagerModule {
  static with(resources: PodManagerResources): DynamicModule {
    return {
      module: PodManagerModule,
      controllers: [PodManagerController],
      providers: [
        { provide: POD_MANAGER_CONFIG, useValue: resources.config },
        { provide: EVENT_STORE, useValue: resources.store },
        { provide: WORKSPACE_RUNTIME, useValue: resources.runtime },
        WorkspaceManager,
      ],
    };
  }
}
