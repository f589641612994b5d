import type { ProjectedTask } from '../project/projected-task.js';

/** The most recently touched projected tasks, so most events need no read of the task's row. */
export class TaskCache {
  private readonly entries = new Map<string, ProjectedTask>();

  constructor(private readonly capacity: number) {}

  get(id: string): ProjectedTask | undefined {
    const hit = this.entries.get(id);
    if (hit !== undefined) {
      this.entries.delete(id);
      this.entries.set(id, hit);
    }
    return hit;
  }

  set(id: string, task: ProjectedTask): void {
    this.entries.delete(id);
    this.entries.set(id, task);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
