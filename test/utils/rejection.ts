/**
 * The error a call fails with, whether it rejects or throws before returning a promise (some client functions check
 * their input synchronously). Fails the test when the call succeeds.
 */
export async function rejectionOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** The error a call fails with, which must be a `type`; any other error fails the test as it is. */
export async function rejectionOfType<E extends Error>(type: new (...args: never[]) => E, run: () => unknown): Promise<E> {
  const error = await rejectionOf(run);
  if (error instanceof type) return error;
  throw error;
}
