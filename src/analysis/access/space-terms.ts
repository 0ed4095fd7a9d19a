/**
 * The terms of a destination's compiled rules over its request space, shared by the versions
 * analyzed over that space (see `access-sets.ts`).
 *
 * A term is one `from` × `to` pair of a rule: its identity (principal) and port constraints, the
 * constraints on attributes the request model never carries (decided once), and the constraints on
 * the space's dimensions. Only the region masks of the last depend on the version; everything else
 * depends on the rule and the space alone. diffeval: so the split of a rule's constraints, and
 * whether a term's identity constraints hold for a source class or its port constraints for a port
 * slice, are found once per destination, not once per version, class and slice — the versions of a
 * diff share most of their compiled rules (`shared-rules.ts`).
 *
 * @module
 */
import { probeRequest } from './request-class-witnesses';
import { constraintTarget, RequestSpace } from './request-classes';
import { SourceClass } from './source-classes';
import { MeshConfig } from '../config/mesh-config';
import { CompiledRule, constraintMatches, FieldConstraint } from '../evaluator/authorization-rule';
import { RequestAttributes } from '../evaluator/request-attributes';

/** One `from` × `to` pair of a rule, apart from the version. */
export interface TermShape {
  readonly principal: readonly FieldConstraint[];
  readonly port: readonly FieldConstraint[];
  /** Constraints on the space's dimensions: `[dimension, constraint]`, in the rule's order. */
  readonly dimensions: readonly (readonly [number, FieldConstraint])[];
  /** False when a constraint on an attribute the request model never carries fails (the term never applies). */
  readonly possible: boolean;
}

/** A shape with its verdicts, per class slot and per slice (kept on it: no lookup per test). */
interface Shape extends TermShape {
  readonly byPrincipal: Int8Array | undefined;
  readonly byPort: Int8Array | undefined;
  /** The identity keys its rule is pinned to ({@link CompiledRule.identityKeys}), when it is. */
  readonly pins: ReadonlySet<string> | undefined;
  /** diff16: the slots its identity constraints hold for, once asked ({@link SpaceTerms.holdingSlots}). */
  slots: readonly number[] | undefined;
}

/** A rule without sources or operations has one (empty) group of them. */
const ONE_EMPTY_GROUP: readonly (readonly FieldConstraint[])[] = Object.freeze([Object.freeze([])]);

const UNKNOWN = 0;
const HOLDS = 1;
const FAILS = 2;

/** A term's constraints while they are filed (see {@link SpaceTerms.shape}). */
interface Split {
  readonly principal: FieldConstraint[];
  readonly port: FieldConstraint[];
  readonly dimensions: [number, FieldConstraint][];
  possible: boolean;
}

/** The term shapes of one destination's rules and their verdicts per source class and port slice. */
export class SpaceTerms {
  /** The slot of "no peer principal" (plaintext, or mTLS disabled on the port) in {@link principalHolds}. */
  public readonly noPrincipal: number;
  private readonly shapes = new Map<CompiledRule, readonly TermShape[]>();
  private readonly principalAttrs: (RequestAttributes | undefined)[];
  private readonly portAttrs: (RequestAttributes | undefined)[];
  private readonly base: ReturnType<typeof probeRequest>;
  private constAttrs?: RequestAttributes;
  /** diff16: the slots by identity key, and those without keys (see {@link slotKeys}). */
  private keyed?: { readonly byKey: ReadonlyMap<string, readonly number[]>; readonly unkeyed: readonly number[] };

  public constructor(private readonly space: RequestSpace, private readonly classes: readonly SourceClass[], private readonly mesh: MeshConfig) {
    this.noPrincipal = classes.length;
    this.principalAttrs = new Array(classes.length + 1);
    this.portAttrs = new Array(space.slices.length);
    this.base = probeRequest({ namespace: space.namespace, labels: {}, port: 80 });
  }

  /** The term shapes of a rule, in `from` then `to` order. */
  public of(rule: CompiledRule): readonly TermShape[] {
    let out = this.shapes.get(rule);
    if (!out) {
      const list: TermShape[] = [];
      for (const source of rule.sources ?? ONE_EMPTY_GROUP) {
        for (const operation of rule.operations ?? ONE_EMPTY_GROUP) list.push(this.shape(source, operation, rule.conditions, rule.identityKeys));
      }
      out = list;
      this.shapes.set(rule, out);
    }
    return out;
  }

  /**
   * Whether the term's identity constraints hold for a slot: a class index, or
   * {@link noPrincipal}.
   */
  public principalHolds(term: TermShape, slot: number): boolean {
    return this.identityHolds(term, slot, true);
  }

  /**
   * diff16: the slots (class indexes and {@link noPrincipal}) the term's identity constraints hold
   * for (a slot may come twice); undefined when it has none (it holds for every slot). A term
   * pinned to identities is tested only on the slots with one of its keys and those without keys:
   * the others are pinned away (see {@link principalHolds}), so a term costs what it names, not
   * the number of classes.
   */
  public holdingSlots(term: TermShape): readonly number[] | undefined {
    const shape = term as Shape;
    if (shape.byPrincipal === undefined) return undefined;
    if (shape.slots === undefined) {
      const out: number[] = [];
      if (shape.pins === undefined) {
        for (let slot = 0; slot <= this.noPrincipal; slot++) if (this.identityHolds(term, slot, true)) out.push(slot);
      } else {
        const { byKey, unkeyed } = this.slotKeys();
        for (const slot of unkeyed) if (this.identityHolds(term, slot, true)) out.push(slot);
        // A slot with one of the pins is not pinned away: only its matchers decide.
        for (const pin of shape.pins) {
          const slots = byKey.get(pin);
          if (slots !== undefined) for (const slot of slots) if (this.identityHolds(term, slot, false)) out.push(slot);
        }
      }
      shape.slots = out;
    }
    return shape.slots;
  }

  /** {@link principalHolds}; `pinned` false when the slot is known to have one of the term's pins. */
  private identityHolds(term: TermShape, slot: number, pinned: boolean): boolean {
    const verdicts = (term as Shape).byPrincipal;
    if (verdicts === undefined) return true;
    let v = verdicts[slot];
    if (v === UNKNOWN) {
      const attrs = this.attrsOfSlot(slot);
      // A rule pinned to identities cannot match a peer with other keys (as the evaluator's rule
      // index skips it, authorization-rule.ts `firstMatchingRule`): no matcher needs to run.
      const pins = pinned ? (term as Shape).pins : undefined;
      const keys = pins === undefined ? undefined : attrs.identityKeys;
      v = (keys === undefined || hasAny(pins as ReadonlySet<string>, keys)) && allMatch(term.principal, attrs) ? HOLDS : FAILS;
      verdicts[slot] = v;
    }
    return v === HOLDS;
  }

  /** The slots by identity key, and the slots whose peer has no keys (plaintext, a principal that is not canonical). */
  private slotKeys(): { readonly byKey: ReadonlyMap<string, readonly number[]>; readonly unkeyed: readonly number[] } {
    if (this.keyed === undefined) {
      const byKey = new Map<string, number[]>();
      const unkeyed: number[] = [];
      for (let slot = 0; slot <= this.noPrincipal; slot++) {
        const keys = this.attrsOfSlot(slot).identityKeys;
        if (keys === undefined) {
          unkeyed.push(slot);
          continue;
        }
        for (const k of keys) {
          const list = byKey.get(k);
          if (list) list.push(slot);
          else byKey.set(k, [slot]);
        }
      }
      this.keyed = { byKey, unkeyed };
    }
    return this.keyed;
  }

  /** Whether the term's port constraints hold for the port of a slice (by index in the space). */
  public portHolds(term: TermShape, slice: number): boolean {
    const verdicts = (term as Shape).byPort;
    if (verdicts === undefined) return true;
    let v = verdicts[slice];
    if (v === UNKNOWN) {
      const attrs = this.attrsOfSlice(slice);
      v = allMatch(term.port, attrs) ? HOLDS : FAILS;
      verdicts[slice] = v;
    }
    return v === HOLDS;
  }

  /** The shape of one `from` × `to` pair: the source's, then the operation's constraints, then the rule's conditions. */
  private shape(source: readonly FieldConstraint[], operation: readonly FieldConstraint[], conditions: readonly FieldConstraint[],
    pins: ReadonlySet<string> | undefined): Shape {
    const split: Split = { principal: [], port: [], dimensions: [], possible: true };
    for (const c of source) this.place(c, split);
    for (const c of operation) this.place(c, split);
    for (const c of conditions) this.place(c, split);
    const { principal, port } = split;
    // diff16: every shape has the same fields (one object layout for the hot verdict reads).
    return {
      principal,
      port,
      dimensions: split.dimensions,
      possible: split.possible,
      byPrincipal: principal.length > 0 ? new Int8Array(this.classes.length + 1) : undefined,
      byPort: port.length > 0 ? new Int8Array(this.space.slices.length) : undefined,
      pins: pins !== undefined && principal.length > 0 ? pins : undefined,
      slots: undefined,
    };
  }

  /** Files a constraint by what it reads: the peer identity, the port, an attribute never carried, or a dimension. */
  private place(c: FieldConstraint, split: Split): void {
    const target = constraintTarget(c.attribute.key);
    if (target.type === 'principal') {
      split.principal.push(c);
    } else if (target.type === 'port') {
      split.port.push(c);
    } else if (target.type === 'const') {
      // Attributes the request model never carries (filter metadata): decided once.
      if (split.possible && !constraintMatches(c, this.constAttributes())) split.possible = false;
    } else {
      split.dimensions.push([this.space.dimensionIndex(target.key), c]);
    }
  }

  private constAttributes(): RequestAttributes {
    this.constAttrs ??= new RequestAttributes(this.base, this.mesh, undefined, undefined);
    return this.constAttrs;
  }

  private attrsOfSlot(slot: number): RequestAttributes {
    let a = this.principalAttrs[slot];
    if (!a) {
      const principal = slot === this.noPrincipal ? undefined : this.classes[slot].principal ?? undefined;
      a = new RequestAttributes(this.base, this.mesh, principal, undefined);
      this.principalAttrs[slot] = a;
    }
    return a;
  }

  private attrsOfSlice(slice: number): RequestAttributes {
    let a = this.portAttrs[slice];
    if (!a) {
      const port = this.space.slices[slice].port;
      a = new RequestAttributes({ ...this.base, destination: { ...this.base.destination, port } }, this.mesh, undefined, undefined);
      this.portAttrs[slice] = a;
    }
    return a;
  }
}

/** True when the set has one of the keys (diff16: loops, not closures, on the verdicts' first tests). */
function hasAny(set: ReadonlySet<string>, keys: readonly string[]): boolean {
  for (const k of keys) if (set.has(k)) return true;
  return false;
}

/** True when every constraint holds for the attributes. */
function allMatch(constraints: readonly FieldConstraint[], attrs: RequestAttributes): boolean {
  for (const c of constraints) if (!constraintMatches(c, attrs)) return false;
  return true;
}
