import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from '../graphql.js';

/** The arguments that bound how many items a list field returns. */
const SIZE_ARGUMENTS = ['first', 'limit'] as const;

export interface OperationMeasure {
  /**
   * Deepest field nesting, root fields being 1. In introspection, the `ofType`
   * chain that unwraps list and non-null types does not count: tools ask for it
   * nine levels deep, and the schema bounds it anyway.
   */
  readonly depth: number;
  /**
   * Estimated objects returned: each object-typed field costs 1 per item, and a list
   * multiplies what is below it by its `first`/`limit` (given or defaulted), or by
   * `listSize` when it takes neither. The items of a list whose parent already took a
   * size (e.g. `nodes` of `tasks(first: 50)`) are not multiplied again. Leaves cost 0.
   * Introspection is not included: it is answered from memory, not from Postgres.
   */
  readonly cost: number;
  /** The same estimate for the introspection fields (`__schema`, `__type` and below). */
  readonly introspectionCost: number;
}

interface Walk {
  readonly schema: GraphQLSchema;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly listSize: number;
  readonly memo: Map<string, OperationMeasure>;
  readonly expanding: Set<string>;
}

/** Measures one operation of a document that has passed validation. */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  listSize: number,
): OperationMeasure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const root = schema.getRootType(operation.operation);
  if (!root) return { depth: 0, cost: 0, introspectionCost: 0 };
  const walk: Walk = { schema, fragments, variables: variables ?? {}, listSize, memo: new Map(), expanding: new Set() };
  return measureSelections(walk, operation.selectionSet, root, false, false);
}

function measureSelections(
  walk: Walk,
  selectionSet: SelectionSetNode,
  parentType: GraphQLCompositeType,
  parentTookSize: boolean,
  introspection: boolean,
): OperationMeasure {
  let depth = 0;
  let cost = 0;
  let introspectionCost = 0;
  const add = (measure: OperationMeasure) => {
    depth = Math.max(depth, measure.depth);
    cost = saturatingAdd(cost, measure.cost);
    introspectionCost = saturatingAdd(introspectionCost, measure.introspectionCost);
  };
  for (const selection of selectionSet.selections) {
    switch (selection.kind) {
      case Kind.FIELD:
        add(measureField(walk, selection, parentType, parentTookSize, introspection));
        break;
      case Kind.INLINE_FRAGMENT: {
        const typeName = selection.typeCondition?.name.value;
        const type = typeName ? walk.schema.getType(typeName) : parentType;
        if (type && isCompositeType(type)) add(measureSelections(walk, selection.selectionSet, type, parentTookSize, introspection));
        break;
      }
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        const fragment = walk.fragments.get(name);
        // Cycles are a validation error; guard anyway so an unvalidated document cannot loop.
        if (!fragment || walk.expanding.has(name)) break;
        const type = walk.schema.getType(fragment.typeCondition.name.value);
        if (!type || !isCompositeType(type)) break;
        const key = `${name}|${parentTookSize}|${introspection}`;
        let measure = walk.memo.get(key);
        if (!measure) {
          walk.expanding.add(name);
          measure = measureSelections(walk, fragment.selectionSet, type, parentTookSize, introspection);
          walk.expanding.delete(name);
          walk.memo.set(key, measure);
        }
        add(measure);
        break;
      }
    }
  }
  return { depth, cost, introspectionCost };
}

const NOTHING: OperationMeasure = { depth: 0, cost: 0, introspectionCost: 0 };

function measureField(
  walk: Walk,
  field: FieldNode,
  parentType: GraphQLCompositeType,
  parentTookSize: boolean,
  introspectionAbove: boolean,
): OperationMeasure {
  const name = field.name.value;
  if (name === '__typename') return NOTHING;
  const definition = fieldDefinition(walk.schema, parentType, name);
  const introspection = introspectionAbove || name.startsWith('__');
  const ownDepth = introspection && name === 'ofType' ? 0 : 1;
  if (!definition || !field.selectionSet) return { ...NOTHING, depth: ownDepth };
  const namedType = getNamedType(definition.type);
  if (!isCompositeType(namedType)) return { ...NOTHING, depth: ownDepth };
  const size = sizeArgument(walk, field, definition);
  const isList = isListType(getNullableType(definition.type));
  const multiplier = size ?? (isList && !parentTookSize ? walk.listSize : 1);
  const below = measureSelections(walk, field.selectionSet, namedType, size !== undefined, introspection);
  const cost = saturatingMultiply(multiplier, saturatingAdd(1, saturatingAdd(below.cost, below.introspectionCost)));
  return introspection
    ? { depth: ownDepth + below.depth, cost: 0, introspectionCost: cost }
    : { depth: ownDepth + below.depth, cost, introspectionCost: 0 };
}

function fieldDefinition(
  schema: GraphQLSchema,
  parentType: GraphQLCompositeType,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (name === SchemaMetaFieldDef.name && parentType === schema.getQueryType()) return SchemaMetaFieldDef;
  if (name === TypeMetaFieldDef.name && parentType === schema.getQueryType()) return TypeMetaFieldDef;
  if ('getFields' in parentType) return parentType.getFields()[name];
  return undefined;
}

/** The field's `first`/`limit` as given, from a variable, or as the schema defaults it. */
function sizeArgument(walk: Walk, field: FieldNode, definition: GraphQLField<unknown, unknown>): number | undefined {
  for (const argName of SIZE_ARGUMENTS) {
    const declared = definition.args.find((arg) => arg.name === argName);
    if (!declared) continue;
    const given = field.arguments?.find((arg) => arg.name.value === argName)?.value;
    let value: unknown = declared.defaultValue;
    if (given?.kind === Kind.INT) value = Number(given.value);
    else if (given?.kind === Kind.VARIABLE && walk.variables[given.name.value] !== undefined) value = walk.variables[given.name.value];
    if (typeof value === 'number' && Number.isFinite(value)) return Math.max(0, Math.floor(value));
    return walk.listSize;
  }
  return undefined;
}

function saturatingAdd(a: number, b: number): number {
  return Math.min(Number.MAX_SAFE_INTEGER, a + b);
}

function saturatingMultiply(a: number, b: number): number {
  return Math.min(Number.MAX_SAFE_INTEGER, a * b);
}
