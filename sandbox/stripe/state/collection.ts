import { stripeErrors } from '../wire/stripe-error.ts';

type Stored = { id: string };

/** A collection as plain data: the items in creation order, and the ids of deleted ones. */
export type CollectionSnapshot<T> = { items: T[]; deleted: string[] };

/**
 * One kind of Stripe object, in creation order. Lookups by a path id answer 404 when missing;
 * lookups by a body parameter answer 400 naming that parameter, as Stripe does.
 */
export class Collection<T extends Stored> {
  private readonly items = new Map<string, T>();
  private readonly deleted = new Set<string>();

  /** `kind` is the word Stripe uses in "No such customer: 'cus_…'". */
  constructor(readonly kind: string) {}

  add(item: T): T {
    this.items.set(item.id, item);
    return item;
  }

  get(id: string): T | undefined {
    return this.items.get(id);
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  /** `param` set: the id came from a request parameter (400); unset: from the URL path (404). */
  require(id: string, param?: string): T {
    const item = this.items.get(id);
    if (!item) throw stripeErrors.resourceMissing(this.kind, id, param);
    return item;
  }

  remove(id: string): void {
    if (this.items.delete(id)) this.deleted.add(id);
  }

  wasDeleted(id: string): boolean {
    return this.deleted.has(id);
  }

  all(): T[] {
    return [...this.items.values()];
  }

  filter(predicate: (item: T) => boolean): T[] {
    return this.all().filter(predicate);
  }

  clear(): void {
    this.items.clear();
    this.deleted.clear();
  }

  snapshot(): CollectionSnapshot<T> {
    return { items: this.all(), deleted: [...this.deleted] };
  }

  /** Replaces the contents with a snapshot's, keeping its order (lists are newest first by it). */
  load(snapshot: CollectionSnapshot<T>): void {
    this.clear();
    for (const item of snapshot.items) this.items.set(item.id, item);
    for (const id of snapshot.deleted) this.deleted.add(id);
  }
}
