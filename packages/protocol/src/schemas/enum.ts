import { type TLiteral, type TUnion, Type } from '@sinclair/typebox';

/** A string enum as Mesos writes enums in JSON: the value's name. */
export function StringEnum<T extends string>(values: readonly T[]): TUnion<TLiteral<T>[]> {
  return Type.Union(values.map((value) => Type.Literal(value)));
}
