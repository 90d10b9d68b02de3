/**
 * `infer`: existing YAML → a draft schema that passes the generator's own checks. Stages: read
 * the inputs → observe every key → build the schema → check it as `generate` would (meta-schemas,
 * model rules); names that collide (`bus_host` vs `bus.host`) are resolved by keeping the object
 * that holds one of them as an open map, and the draft is built again.
 */
import { checkSchema } from '../check.ts';
import type { LoadedSchema, SchemaNode } from '../load.ts';
import { buildModel, envNameOf } from '../model.ts';
import { formatSchemaProblem, type SchemaProblem } from '../schema-problems.ts';
import { checkModel } from '../rules.ts';
import { pathOfPointer, pointerOf } from '../runtime/tree.ts';
import type { InputFile } from './inputs.ts';
import { observeInputs, type Observed } from './observe.ts';
import { buildProperties, type Note } from './schema.ts';

export interface InferOptions {
  /** The service name (`x-service.name`). */
  service: string;
}

export interface Inferred {
  schema: SchemaNode;
  /** What to review, key by key. */
  notes: Note[];
  /** Problems left after inference (none expected): the schema would not pass `generate`. */
  problems: SchemaProblem[];
}

const MAX_ROUNDS = 20;

export function inferSchema(inputs: readonly InputFile[], options: InferOptions): Inferred {
  const observed = observeInputs(inputs);
  const openMaps = new Set<string>();
  const envNames = new Map<string, string>();
  for (let round = 0; ; round++) {
    const notes: Note[] = inputs.flatMap((input) =>
      input.execs.map((e) => ({
        path: [],
        where: `${input.file}:${e.line}`,
        message: `an !exec node (command: ${String(e.command)}): recognised, not run; the keys it stands for are not inferred`,
      })),
    );
    const schema = rootSchema(options.service, inputs, buildProperties(observed, { openMaps, envNames }, notes));
    const problems = check(schema, options.service);
    const collisions = problems.map(collisionOf).filter((c) => c !== undefined);
    if (collisions.length === 0 || round === MAX_ROUNDS) return { schema, notes, problems };
    for (const [earlier, later] of collisions)
      resolveCollision(observed, earlier, later, { openMaps, envNames, service: options.service });
  }
}

function rootSchema(service: string, inputs: readonly InputFile[], properties: SchemaNode): SchemaNode {
  const files = inputs.map((i) => `${i.file}${i.role === 'defaults' ? ' (defaults)' : ''}`).join(', ');
  const xService: SchemaNode = { name: service };
  const confd = properties.extra_config_files as SchemaNode | undefined;
  const dir = typeof confd?.default === 'string' ? confd.default.replace(/\/+$/, '') : undefined;
  if (dir && dir.startsWith('/') && dir !== `/etc/${service}/conf.d`) xService.configDir = dir;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `${service} configuration`,
    description: `Draft inferred by wazo-config infer from ${files}. Review every $comment that starts with "review:", then remove it.`,
    'x-service': xService,
    type: 'object',
    properties,
  };
}

/** The schema's problems as `generate` reports them: schema checks, then the model rules. */
export function check(schema: SchemaNode, service: string): SchemaProblem[] {
  const loaded: LoadedSchema = {
    service,
    file: `${service}.schema.json`,
    raw: schema,
    schema: structuredClone(schema),
  };
  const problems = checkSchema(loaded);
  return problems.length > 0 ? problems : checkModel(buildModel(loaded));
}

/** Two schema pointers whose names collide: `…: X is also the name of #<earlier>` at `<later>`. */
function collisionOf(problem: SchemaProblem): [string[], string[]] | undefined {
  const found = /is also the name of #(\S*)/.exec(problem.message);
  if (!found) return undefined;
  return [keyPathOf(found[1]!), keyPathOf(problem.pointer)];
}

/** `/properties/bus/properties/host` → `['bus', 'host']`. */
function keyPathOf(schemaPointer: string): string[] {
  return pathOfPointer(schemaPointer).filter((_, i) => i % 2 === 1);
}

/**
 * Keeps as one open map the group that holds the later name (below where both paths part), else
 * the one holding the earlier; two leaves side by side get an explicit, distinct `x-env`.
 */
function resolveCollision(
  observed: Observed,
  earlier: string[],
  later: string[],
  fixes: { openMaps: Set<string>; envNames: Map<string, string>; service: string },
): void {
  const { openMaps, envNames } = fixes;
  let common = 0;
  while (common < earlier.length && earlier[common] === later[common]) common++;
  for (const path of [later, earlier]) {
    if (path.length > common + 1) {
      openMaps.add(pointerOf(path.slice(0, common + 1)));
      return;
    }
  }
  if (common > 0 && later.length === common + 1) {
    openMaps.add(pointerOf(later.slice(0, common)));
    return;
  }
  if (isGroupPath(observed, later)) openMaps.add(pointerOf(later));
  else
    envNames.set(
      pointerOf(later),
      envNameOf(fixes.service.toUpperCase().replaceAll('-', '_'), `${later.join('/')}_${envNames.size + 2}`),
    );
}

function isGroupPath(observed: Observed, path: string[]): boolean {
  let node: Observed | undefined = observed;
  for (const key of path) node = node?.children.get(key);
  return (node?.children.size ?? 0) > 0;
}

export function formatProblems(problems: readonly SchemaProblem[]): string {
  return problems.map(formatSchemaProblem).join('\n');
}
