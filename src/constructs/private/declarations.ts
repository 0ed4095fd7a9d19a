/**
 * Declaration state with a revision. The mesh's model is derived from what the constructs declared
 * and cached until the next declaration; every piece of state that feeds it lives in a container
 * handed out by {@link Declarations}, whose only writes are methods that bump the revision. There
 * is no separate "invalidate" call to forget: a verb that changes the model can only do it through
 * these writes (the containers expose read-only views).
 *
 * @internal
 * @module
 */

/** @internal The revision of one mesh's declarations and the containers that carry them. */
export class Declarations {
  private counter = 0;
  /**
   * The one function every write goes through, handed to every container (one function for all:
   * a mesh has a container per service, 8,000 at the largest benchmark size).
   */
  private readonly changed = (): void => {
    this.counter++;
  };

  /** Bumped by every write to a container of this mesh. */
  public get revision(): number {
    return this.counter;
  }

  /** A list of declarations, in declaration order. */
  public list<T>(): DeclaredList<T> {
    return new DeclaredList<T>(this.changed);
  }

  /** Declarations by key, in first-declaration order. */
  public map<K, V>(): DeclaredMap<K, V> {
    return new DeclaredMap<K, V>(this.changed);
  }

  /** One declaration, set at most once or replaced. */
  public value<T>(): DeclaredValue<T> {
    return new DeclaredValue<T>(this.changed);
  }
}

/** @internal A list whose only write, {@link push}, bumps the revision. */
export class DeclaredList<T> {
  private readonly entries: T[] = [];

  public constructor(private readonly changed: () => void) {}

  /** The entries (a live read-only view). */
  public get items(): readonly T[] {
    return this.entries;
  }

  public push(...items: T[]): void {
    for (const item of items) this.entries.push(item);
    this.changed();
  }
}

/** @internal A map whose only write, {@link set}, bumps the revision. */
export class DeclaredMap<K, V> {
  private readonly entries = new Map<K, V>();

  public constructor(private readonly changed: () => void) {}

  /** The entries (a live read-only view). */
  public get items(): ReadonlyMap<K, V> {
    return this.entries;
  }

  public set(key: K, value: V): void {
    this.entries.set(key, value);
    this.changed();
  }
}

/** @internal A single value whose only write, {@link set}, bumps the revision. */
export class DeclaredValue<T> {
  private current?: T;

  public constructor(private readonly changed: () => void) {}

  public get value(): T | undefined {
    return this.current;
  }

  public set(value: T): void {
    this.current = value;
    this.changed();
  }
}
