/**
 * A verification proves that it ran. Under a real k6 a counter nobody touched reads
 * count 0, so "0 lost" alone cannot tell "nothing lost" from "never counted": each
 * verification therefore records its result (`add(0)` included) AND, once it got to
 * the end, one sample in its scenario's `<scenario>_verified` counter, tagged
 * `verification:<name>`. The threshold file asks `count>=1` of each, so a verification
 * that threw (or never started) fails the run under the kit and under k6 alike.
 *
 * When a `failures` counter is given, an exception also counts one failure there
 * (tag `check:exception`) before it propagates (k6 logs it): a verification repeated by
 * several iterations, where one of them throwing would leave the count above 1.
 */
import type { Counter } from 'k6/metrics';

export interface VerifyOptions {
  /** The scenario's `<scenario>_verified` counter. */
  done: Counter;
  /** The verification's name: the `verification` tag of its sample. */
  name: string;
  /** Counts the exception as one failure of the verification, when given. */
  failures?: Counter;
}

export async function verify<T>(o: VerifyOptions, run: () => Promise<T>): Promise<T> {
  let value: T;
  try {
    value = await run();
  } catch (error) {
    o.failures?.add(1, { verification: o.name, check: 'exception' });
    throw error;
  }
  o.done.add(1, { verification: o.name });
  return value;
}

/**
 * `verify` for teardown: an exception is logged (naming the verification) and not
 * rethrown, so the run still ends with its summary and the verdict table shows the
 * verification's `<scenario>_verified` threshold failing, instead of ending as a bare
 * script error (a teardown that throws gives no summary).
 */
export async function verifyInTeardown(o: VerifyOptions, run: () => Promise<void>): Promise<void> {
  try {
    await verify(o, run);
  } catch (error) {
    console.error(
      `${o.name}: the verification did not complete (its results are not recorded): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Teardown's cleanup (close a client, delete a key): a failure is a warning, never the run's outcome. */
export async function cleanup(what: string, run: () => unknown): Promise<void> {
  try {
    await run();
  } catch (error) {
    console.warn(`cleanup: ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
