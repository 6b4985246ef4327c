/**
 * A decoder turns an untrusted message body (from the wire) into a typed value, or says
 * why it cannot. libprocess knows no schema library: a package that owns the message
 * schemas (ts-mesos uses `@ts-mesos/protocol`) hands the runtime one decoder per message.
 */
export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export type Decoder<T> = (body: unknown) => Decoded<T>;
