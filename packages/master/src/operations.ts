import { idError, reservedRole, type Resource, Resources } from '@ts-mesos/protocol';

/** What an operation does to an agent's resources: `consumed` becomes `converted` (both unallocated). */
export interface Conversion {
  readonly consumed: Resources;
  readonly converted: Resources;
}

export type OperationKind = 'RESERVE' | 'UNRESERVE' | 'CREATE' | 'DESTROY';

/** Who asks: the role the resources are (to be) reserved to, and the principal asking, if known. */
export interface OperationActor {
  /** The framework's allocation role; undefined for an operator (any role). */
  readonly role: string | undefined;
  readonly principal: string | undefined;
}

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

function each(resources: Resources, check: (r: Resource) => string | undefined): string | undefined {
  for (const r of resources) {
    const why = check(r);
    if (why !== undefined) return why;
  }
  return undefined;
}

/**
 * Validates a RESERVE, UNRESERVE, CREATE or DESTROY and says what it converts
 * (docs/reservation.md, docs/persistent-volume.md):
 * - RESERVE: each resource carries a new innermost DYNAMIC reservation for the actor's role,
 *   with the actor's principal; it consumes the same resources one level less reserved.
 * - UNRESERVE: the inverse, for dynamically reserved resources that are not volumes.
 * - CREATE: persistent volumes (`disk.persistence.id`, `disk.volume.container_path`) on disk
 *   reserved to the role; it consumes that disk as plain reserved disk.
 * - DESTROY: the inverse.
 */
export function conversion(kind: OperationKind, resources: Resources, actor: OperationActor): Result<Conversion> {
  if (resources.isEmpty()) return { ok: false, error: `${kind} names no resources` };
  const roleOk = (r: Resource): string | undefined => (actor.role === undefined || reservedRole(r) === actor.role ? undefined : `'${r.name}' is reserved to role '${reservedRole(r)}', not '${actor.role}'`);
  switch (kind) {
    case 'RESERVE': {
      const why = each(resources, (r) => {
        const last = r.reservations.at(-1);
        if (last === undefined) return `'${r.name}' carries no reservation to make`;
        if (last.type !== 'DYNAMIC') return `'${r.name}' must be reserved DYNAMIC, not ${last.type}`;
        if (r.disk?.persistence !== undefined) return `'${r.name}' is a persistent volume: reserve the disk, then CREATE the volume`;
        if (last.principal !== undefined && actor.principal !== undefined && last.principal !== actor.principal) {
          return `The reservation's principal '${last.principal}' is not the caller's ('${actor.principal}')`;
        }
        return roleOk(r);
      });
      return why === undefined ? { ok: true, value: { consumed: resources.popReservation(), converted: resources } } : { ok: false, error: why };
    }
    case 'UNRESERVE': {
      const why = each(resources, (r) => {
        const last = r.reservations.at(-1);
        if (last === undefined) return `'${r.name}' is not reserved`;
        if (last.type !== 'DYNAMIC') return `'${r.name}' is statically reserved: only dynamic reservations can be unreserved`;
        if (r.disk?.persistence !== undefined) return `'${r.name}' is a persistent volume: DESTROY it first`;
        return roleOk(r);
      });
      return why === undefined ? { ok: true, value: { consumed: resources, converted: resources.popReservation() } } : { ok: false, error: why };
    }
    case 'CREATE':
    case 'DESTROY': {
      const why = each(resources, (r) => {
        if (r.name !== 'disk') return `'${r.name}' is not disk: only disk resources can be persistent volumes`;
        if (r.disk?.persistence?.id === undefined || r.disk.persistence.id === '') return `a volume needs 'disk.persistence.id'`;
        // The ID names the volume's directory on the agent (as Mesos's validateID). A volume
        // made before IDs were checked can still be destroyed: the agent gives it no directory.
        const idWhy = kind === 'CREATE' ? idError(r.disk.persistence.id) : undefined;
        if (idWhy !== undefined) return `Invalid persistence ID for the volume: ${idWhy}`;
        if (r.disk.volume?.container_path === undefined || r.disk.volume.container_path === '') return `volume '${r.disk.persistence.id}' needs 'disk.volume.container_path'`;
        const path = r.disk.volume.container_path;
        if (path.startsWith('/') || path.split('/').includes('..')) return `volume '${r.disk.persistence.id}': 'container_path' must be relative and stay in the sandbox, got '${path}'`;
        if (r.reservations.length === 0) return `volume '${r.disk.persistence.id}' must be on reserved disk`;
        // Mesos offers a shared volume to several tasks at once (SHARED_RESOURCES); this master
        // does not, and says so rather than finding no unshared disk of that kind free.
        if (r.shared) return `volume '${r.disk.persistence.id}' is shared: shared persistent volumes are not supported`;
        return roleOk(r);
      });
      if (why !== undefined) return { ok: false, error: why };
      const plain = resources.withoutVolumes();
      return { ok: true, value: kind === 'CREATE' ? { consumed: plain, converted: resources } : { consumed: resources, converted: plain } };
    }
  }
}

/** Parses an operation's resource list from JSON. */
export function operationResources(json: unknown, field: string): Result<Resources> {
  const parsed = Resources.fromJson(json ?? [], field);
  return parsed.ok ? parsed : { ok: false, error: parsed.error };
}

/** The volume ids already on an agent, against a CREATE reusing one. */
export function volumeIds(resources: Resources): Set<string> {
  const ids = new Set<string>();
  for (const r of resources) if (r.disk?.persistence !== undefined) ids.add(`${reservedRole(r)}/${r.disk.persistence.id}`);
  return ids;
}
