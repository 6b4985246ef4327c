import { type Static, Type } from '@sinclair/typebox';
import { StringEnum } from './enum.js';

/** Every Mesos ID on the wire: `{"value": "..."}`. */
export const Id = Type.Object({ value: Type.String({ minLength: 1 }) });
export type Id = Static<typeof Id>;

export const Label = Type.Object({ key: Type.String(), value: Type.Optional(Type.String()) });
export const Labels = Type.Object({ labels: Type.Array(Label) });
export const Parameter = Type.Object({ key: Type.String(), value: Type.String() });
export const Parameters = Type.Object({ parameter: Type.Array(Parameter) });

/**
 * Bytes travel as base64 strings in Mesos's JSON; a string with other characters is refused,
 * as Mesos's JSON parsing refuses what it cannot decode (its padding is not insisted on).
 */
export const Bytes = Type.String({ contentEncoding: 'base64', pattern: '^[A-Za-z0-9+/]*={0,2}$' });

export const DurationInfo = Type.Object({ nanoseconds: Type.Integer() });
export const TimeInfo = Type.Object({ nanoseconds: Type.Integer() });

export const ValueType = StringEnum(['SCALAR', 'RANGES', 'SET', 'TEXT']);
export const Scalar = Type.Object({ value: Type.Number() });
export const Range = Type.Object({ begin: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 0 }) });
export const Ranges = Type.Object({ range: Type.Array(Range) });
export const ValueSet = Type.Object({ item: Type.Array(Type.String()) });

export const Reservation = Type.Object({
  type: Type.Optional(StringEnum(['UNKNOWN', 'STATIC', 'DYNAMIC'])),
  role: Type.Optional(Type.String()),
  principal: Type.Optional(Type.String()),
  labels: Type.Optional(Labels),
});

export const DiskInfo = Type.Object({
  persistence: Type.Optional(Type.Object({ id: Type.String({ minLength: 1 }), principal: Type.Optional(Type.String()) })),
  volume: Type.Optional(
    Type.Object({ container_path: Type.String(), mode: Type.Optional(StringEnum(['RW', 'RO'])), host_path: Type.Optional(Type.String()) }),
  ),
});

/**
 * The shape of a Mesos `Resource`. Semantic checks (quantities, roles, reservation stacks)
 * are `Resources.fromJson`'s job; this schema only guards the structure at the boundary.
 */
export const Resource = Type.Object({
  name: Type.String({ minLength: 1 }),
  type: StringEnum(['SCALAR', 'RANGES', 'SET']),
  scalar: Type.Optional(Scalar),
  ranges: Type.Optional(Ranges),
  set: Type.Optional(ValueSet),
  role: Type.Optional(Type.String()),
  reservations: Type.Optional(Type.Array(Reservation)),
  disk: Type.Optional(DiskInfo),
  revocable: Type.Optional(Type.Object({})),
  shared: Type.Optional(Type.Object({})),
  allocation_info: Type.Optional(Type.Object({ role: Type.String() })),
});

export const Attribute = Type.Object({
  name: Type.String({ minLength: 1 }),
  type: ValueType,
  scalar: Type.Optional(Scalar),
  ranges: Type.Optional(Ranges),
  set: Type.Optional(ValueSet),
  text: Type.Optional(Type.Object({ value: Type.String() })),
});

export const Address = Type.Object({
  hostname: Type.Optional(Type.String()),
  ip: Type.Optional(Type.String()),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
});

export const Filters = Type.Object({ refuse_seconds: Type.Optional(Type.Number()) });
export type Filters = Static<typeof Filters>;
