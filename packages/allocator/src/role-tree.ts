import { Resources } from '@ts-mesos/protocol';
import { ShareOrder } from './share-order.js';

/** Scalar totals by resource name (`cpus`, `mem`, ...). */
export type Scalars = Map<string, number>;

/** Adds (sign 1) or takes away (-1) scalars: a map of them, or the scalar resources of a bag. */
export function addScalars(into: Scalars, from: ReadonlyMap<string, number> | Resources, sign: 1 | -1): void {
  if (from instanceof Resources) {
    // Straight from the bag: no map of its scalars is built (the allocator's hot path).
    for (const r of from.items) if (r.type === 'SCALAR') addScalar(into, r.name, r.fixed / 1000, sign);
    return;
  }
  from.forEach((value, name) => addScalar(into, name, value, sign));
}

function addScalar(into: Scalars, name: string, value: number, sign: 1 | -1): void {
  const next = (into.get(name) ?? 0) + sign * value;
  if (Math.abs(next) < 1e-9) into.delete(name);
  else into.set(name, next);
}

/** A role in the hierarchy (`a`, `a/b`), with its subtree's allocation and its children in share order. */
export class RoleNode {
  readonly children = new ShareOrder<RoleNode>();
  /** Frameworks subscribed to exactly this role, in order of their share within it. */
  readonly frameworks = new ShareOrder<string>();
  /** Allocated to this role and every role below it. */
  readonly allocated: Scalars = new Map();
  weight = 1;

  constructor(
    readonly name: string,
    readonly parent: RoleNode | undefined,
  ) {}

  get empty(): boolean {
    return this.children.size === 0 && this.frameworks.size === 0;
  }
}

/** Dominant share: the largest fraction of any scalar the cluster has, divided by the weight. */
export function dominantShare(allocated: ReadonlyMap<string, number>, totals: ReadonlyMap<string, number>, weight: number): number {
  let share = 0;
  // forEach, not for-of: iterating entries made an array per entry, on every allocation.
  allocated.forEach((amount, name) => {
    const total = totals.get(name);
    if (total !== undefined && total > 0) share = Math.max(share, amount / total);
  });
  return share / weight;
}

/**
 * The role tree for hierarchical DRF (docs/roles.md: `a/b/c`): at every level, siblings are
 * ordered by weighted dominant share of their subtree's allocation; a role's own frameworks
 * come before its child roles. Nodes appear when a framework subscribes to a role (or below
 * it) and disappear when the last one leaves.
 */
export class RoleTree {
  readonly root = new RoleNode('', undefined);
  private readonly nodes = new Map<string, RoleNode>();
  private readonly weights = new Map<string, number>();

  constructor(private readonly totals: ReadonlyMap<string, number>) {}

  node(role: string): RoleNode | undefined {
    return this.nodes.get(role);
  }

  /** The node for `role`, creating it and its ancestors as needed. */
  ensure(role: string): RoleNode {
    const existing = this.nodes.get(role);
    if (existing !== undefined) return existing;
    const cut = role.lastIndexOf('/');
    const parent = cut < 0 ? this.root : this.ensure(role.slice(0, cut));
    const node = new RoleNode(role, parent);
    node.weight = this.weights.get(role) ?? 1;
    this.nodes.set(role, node);
    parent.children.add(role, node, this.share(node));
    return node;
  }

  /** Drops `role` and any ancestors left with nothing in them. */
  prune(role: string): void {
    let node = this.nodes.get(role);
    while (node !== undefined && node.parent !== undefined && node.empty && node.allocated.size === 0) {
      node.parent.children.remove(node.name);
      this.nodes.delete(node.name);
      node = node.parent;
    }
  }

  setWeight(role: string, weight: number): void {
    this.weights.set(role, weight);
    const node = this.nodes.get(role);
    if (node !== undefined) {
      node.weight = weight;
      this.reorder(node);
    }
  }

  weight(role: string): number {
    return this.weights.get(role) ?? 1;
  }

  /** Adds (or with sign -1 removes) an allocation to `role`, updating every ancestor and its place. */
  allocate(role: string, scalars: ReadonlyMap<string, number> | Resources, sign: 1 | -1): void {
    for (let node: RoleNode | undefined = this.ensure(role); node !== undefined && node !== this.root; node = node.parent) {
      addScalars(node.allocated, scalars, sign);
      this.reorder(node);
    }
  }

  share(node: RoleNode): number {
    return dominantShare(node.allocated, this.totals, node.weight);
  }

  /** Recomputes every node's place (after the cluster's totals changed). */
  reorderAll(): void {
    for (const node of this.nodes.values()) this.reorder(node);
  }

  roles(): string[] {
    return [...this.nodes.keys()];
  }

  private reorder(node: RoleNode): void {
    node.parent?.children.update(node.name, this.share(node));
  }
}
