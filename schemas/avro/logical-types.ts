// Logical types as avsc sees them. Without an implementation avsc parses `{"type": "long", "logicalType":
// "timestamp-millis"}` as a plain long and drops the logicalType when it exports the schema, so the registered
// schema would lose it. This implementation keeps the value a plain number (ms since the epoch) and only makes
// avsc remember and export the annotation.
import avro from 'avsc';
import type { Type } from 'avsc';

const identity = (v: unknown): unknown => v;

/** `timestamp-millis` on a long: values stay numbers (ms since the epoch). */
export class TimestampMillis extends avro.types.LogicalType {
  protected override _fromValue(v: unknown): unknown {
    return v;
  }

  protected override _toValue(v: unknown): unknown {
    return v;
  }

  /** Data written as a plain long or as timestamp-millis reads as is. */
  protected override _resolve(type: Type): ((v: unknown) => unknown) | undefined {
    return avro.Type.isType(type, 'long', 'logical:timestamp-millis') ? identity : undefined;
  }
}

/**
 * Any logical type, kept as an annotation on its underlying type: values are those of the underlying type and
 * the export repeats the original attributes (e.g. decimal's precision and scale). The schema registry uses it so
 * that comparing schemas in canonical form does not ignore logical types it has no implementation for.
 */
export class PassThroughLogicalType extends avro.types.LogicalType {
  private readonly extra: { readonly [key: string]: unknown };

  constructor(schema: avro.Schema, opts?: object) {
    super(schema, opts);
    const extra: { [key: string]: unknown } = {};
    if (typeof schema === 'object' && schema !== null && !Array.isArray(schema)) {
      for (const [k, v] of Object.entries(schema)) {
        if (k !== 'type' && k !== 'logicalType' && k !== 'doc' && k !== 'name' && k !== 'namespace') extra[k] = v;
      }
    }
    this.extra = extra;
  }

  protected override _fromValue(v: unknown): unknown {
    return v;
  }

  protected override _toValue(v: unknown): unknown {
    return v;
  }

  protected override _resolve(type: Type): ((v: unknown) => unknown) | undefined {
    const writer = avro.Type.isType(type, 'logical') ? (type as avro.types.LogicalType).underlyingType : type;
    try {
      this.underlyingType.createResolver(writer);
      return identity;
    } catch {
      return undefined;
    }
  }

  protected override _export(schema: avro.Schema): void {
    Object.assign(schema, this.extra);
  }
}

/** avsc `logicalTypes` option that keeps every logical type, whatever its name. */
export const PASS_THROUGH_LOGICAL_TYPES: { [name: string]: typeof PassThroughLogicalType } = new Proxy(
  {},
  { get: (_target, prop) => (typeof prop === 'string' ? PassThroughLogicalType : undefined) },
);
