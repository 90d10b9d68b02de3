/** Emitters are plugins: each reads the model and returns files; none reads the raw schema. */
import type { ServiceModel } from '../model.ts';

export interface GeneratedFile {
  /** Path relative to `generated/`, e.g. `wazo-auth/config.ts`. */
  path: string;
  contents: string;
}

export interface EmitContext {
  /** The project root (where `schemas/`, `templates/` and `generated/` are). */
  root: string;
}

/** Emits the files of one service. */
export interface Emitter {
  name: string;
  emit(model: ServiceModel, context: EmitContext): GeneratedFile[] | Promise<GeneratedFile[]>;
}

/** Emits files that span every service (indexes). */
export interface IndexEmitter {
  name: string;
  emitAll(models: readonly ServiceModel[], context: EmitContext): GeneratedFile[] | Promise<GeneratedFile[]>;
}
