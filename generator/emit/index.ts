/** The emitters `generate` runs, in order. */
import { configTsEmitter } from './config-ts.ts';
import { consulSeedEmitter } from './consul-seed.ts';
import type { Emitter, IndexEmitter } from './emitter.ts';
import { validatorEmitter } from './validator.ts';

export const EMITTERS: Emitter[] = [configTsEmitter, validatorEmitter, consulSeedEmitter];

export const INDEX_EMITTERS: IndexEmitter[] = [];
