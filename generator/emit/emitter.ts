/**
 * Emitters are plugins: each reads the model (docs/design.md "The model") and returns files. What
 * an emitter cannot emit it says in `check`, which `generate` runs with the model rules, before
 * anything is emitted: every problem of every schema is listed at once, none halfway through.
 */
import type { ServiceModel } from '../model.ts';
import type { SchemaProblem } from '../schema-problems.ts';

export interface GeneratedFile {
  /** Path relative to `generated/`, e.g. `wazo-auth/config.ts`. */
  path: string;
  contents: string;
  /**
   * The prettier parser that lays the file out before it is written (format.ts), for code whose layout the emitter
   * does not control (json-schema-to-typescript's types in the loaders). Without it the emitter wrote the file in its
   * final layout: Markdown tables aligned, JSON from syntax/json.ts, frames as the templates lay them out.
   * TypeScript goes through `babel-ts`: the same layout as prettier's `typescript` parser (test/generate-layout.test.ts
   * checks with that one), a third faster to load and parse.
   */
  prettier?: 'babel-ts' | 'babel';
}

export interface EmitContext {
  /** The project root (where `schemas/`, `templates/` and `generated/` are). */
  root: string;
  /**
   * The loader's language: `config.ts` (default), or `config.js` + `config.d.ts` for services that do not compile
   * TypeScript.
   */
  language?: Language;
}

export type Language = 'ts' | 'js';

/** Emits the files of one service. */
export interface Emitter {
  name: string;
  /** What keeps this emitter from emitting the model; nothing when it can. */
  check?(model: ServiceModel): SchemaProblem[];
  emit(model: ServiceModel, context: EmitContext): GeneratedFile[] | Promise<GeneratedFile[]>;
}

/** Emits files that span every service (indexes). */
export interface IndexEmitter {
  name: string;
  check?(models: readonly ServiceModel[]): SchemaProblem[];
  emitAll(models: readonly ServiceModel[], context: EmitContext): GeneratedFile[] | Promise<GeneratedFile[]>;
}

export type AnyEmitter = Emitter | IndexEmitter;

export function isIndexEmitter(emitter: AnyEmitter): emitter is IndexEmitter {
  return 'emitAll' in emitter;
}
