/**
 * The source of "now" for issuing certificates and checking their expiry. Injected so tests can fix
 * the date; any object with a `now()` method fits.
 *
 * @example
 * const clock = Clock.fixed('2026-01-01T00:00:00Z');
 */
export abstract class Clock {
  /** The machine's clock. */
  public static system(): Clock {
    return new SystemClock();
  }

  /** A clock that always returns the same instant (for tests and reproducible output). */
  public static fixed(at: Date | string): Clock {
    const date = typeof at === 'string' ? new Date(at) : new Date(at.getTime());
    if (Number.isNaN(date.getTime())) throw new TypeError(`Clock.fixed: not a valid date: ${String(at)}`);
    return new FixedClock(date.getTime());
  }

  /** The current instant. Returns a fresh Date each call. */
  public abstract now(): Date;
}

class SystemClock extends Clock {
  public now(): Date {
    return new Date();
  }
}

class FixedClock extends Clock {
  public constructor(private readonly millis: number) {
    super();
  }

  public now(): Date {
    return new Date(this.millis);
  }
}
